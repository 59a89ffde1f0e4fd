import { LoupeError } from '../../../shared/errors';
import { findingTypeInfo, severityLabel, type SeverityLabel } from '../../../shared/findings/catalog';
import type { Database, QueryOptions } from '../db/database';
import { ensureEnrichment, lookupIps, type IpInfo } from '../enrich/ip-data';
import { loadBundledIntel } from '../intel/bundled';
import { dropOutOfScopeThreatHits, suppressTrustedHits } from '../intel/scope';
import type { JobContext } from '../jobs/job-registry';
import { aggregateHits } from './aggregate';
import { prepareAnalyzers } from './analyzers';
import { buildFinding } from './finding-builder';
import { DEFAULT_RULES_DIR, loadRules, type RuleFailure } from './rules';
import type { Rule } from './rule-schema';
import { clearFlowSides, stageFlowSides, stageRule, usesFlowSides } from './stage';
import { storeFindings, type StoredFinding } from './store';

export interface DetectOptions {
  /** Folder of rule files; resources/detections next to the engine by default. */
  rulesDir?: string;
  /** The run's clock: createdAt/updatedAt and the rules' $now. */
  now?: Date;
  /** Only these rule ids (tests, "run one rule" in the UI). */
  only?: string[];
  /** Per-rule time limit in milliseconds; a rule over it fails alone. */
  ruleTimeoutMs?: number;
  /** Already-parsed rules to run instead of reading rulesDir (the inline rule tests). */
  rules?: Rule[];
  /** Skip loading bundled lists and IP data (the caller already did: inline rule tests). */
  prepared?: boolean;
  /**
   * Run the learned-behaviour analyzers after the rule files (default: yes, unless explicit
   * `rules` are given). They read the hits of every rule, so they always run last.
   */
  analyzers?: boolean;
  /** Days of each source's logs that only build history; default 7 or a quarter of a shorter case. */
  learningDays?: number;
}

export interface DetectReport {
  rules: number;
  rulesFailed: Array<{ ruleId: string; file: string; error: string }>;
  findings: number;
  byType: Record<string, number>;
  bySeverity: Record<SeverityLabel, number>;
  elapsedMs: number;
  /** Rules not run because their source table is not in this case (e.g. no flow logs loaded). */
  rulesSkipped: Array<{ ruleId: string; reason: string }>;
  /** Matching events dropped because their remote address or domain is on a trusted list. */
  suppressedByTrustedList: number;
  /** Threat-list matches dropped because the list is scoped to other accounts. */
  outOfScopeListMatches: number;
  /** Findings removed because the rule that made them no longer matches. */
  findingsRemoved: number;
  /** Problems that did not stop the run (bundled intel or enrichment data unavailable). */
  warnings: string[];
  /** Milliseconds each rule took (staging its hits), for finding slow rules. */
  ruleMs: Record<string, number>;
  /** Milliseconds spent building shared per-pass stages (`flow_sides`) before the rules. */
  stageMs: Record<string, number>;
}

const DEFAULT_RULE_TIMEOUT_MS = 5 * 60_000;

async function tablesPresent(db: Database, options: QueryOptions): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables()`, undefined, options);
  return new Set(rows.map((r) => r.name));
}

/**
 * Runs every rule over the case, then aggregates the matches into GuardDuty findings. A broken
 * rule disables itself (reported with its file) and the others still run; cancel stops the
 * run between or inside statements and leaves the previous findings untouched.
 */
export async function runDetections(db: Database, ctx: JobContext, options: DetectOptions = {}): Promise<DetectReport> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const signal = ctx.signal;
  const q: QueryOptions = { signal };
  const warnings: string[] = [];

  const loaded = options.rules
    ? { rules: options.rules, failed: [] }
    : loadRules(options.rulesDir ?? DEFAULT_RULES_DIR);
  const rulesFailed: RuleFailure[] = [...loaded.failed];
  const wanted = options.only ? new Set(options.only) : null;
  const fileRules = wanted ? loaded.rules.filter((r) => wanted.has(r.id)) : loaded.rules;
  const withAnalyzers = options.analyzers ?? options.rules === undefined;

  ctx.report({ phase: 'detect', done: 0, total: fileRules.length, message: 'Preparing threat lists and IP data' });
  if (!options.prepared) {
    const bundled = await loadBundledIntel(db, q);
    for (const f of bundled.failed) warnings.push(`bundled list ${f.file}: ${f.error}`);
    try {
      await ensureEnrichment(db, q);
    } catch (error) {
      if (signal.aborted) throw error;
      warnings.push(`IP enrichment unavailable: ${(error as Error).message}`);
    }
  }

  const rules = [...fileRules];
  if (withAnalyzers) {
    ctx.report({ phase: 'baseline', message: 'Learning normal behaviour' });
    try {
      const prepared = await prepareAnalyzers(db, {
        signal,
        ...(options.learningDays === undefined ? {} : { learningDays: options.learningDays }),
      });
      rules.push(...(wanted ? prepared.rules.filter((r) => wanted.has(r.id)) : prepared.rules));
    } catch (error) {
      if (signal.aborted) throw error;
      warnings.push(`learned-behaviour analyzers unavailable: ${(error as Error).message}`);
    }
  }

  const tables = await tablesPresent(db, q);
  await db.run(`DELETE FROM detect_hits`, undefined, q);

  // Lists scoped to some accounts (`# accounts:`) only count for those; then trusted wins. Applied
  // before the first rule that reads other rules' hits (the attack-sequence correlation), so a
  // trusted or out-of-scope address never feeds a sequence, and again after the loop.
  let outOfScope = 0;
  let suppressed = 0;
  const applyLists = async () => {
    outOfScope += await dropOutOfScopeThreatHits(db, q);
    suppressed += await suppressTrustedHits(db, q);
  };

  const stageMs: Record<string, number> = {};
  const flowStaged = tables.has('vpcflow') && rules.some((r) => r.source === 'vpcflow' && usesFlowSides(r));
  let staged: RuleLoopResult;
  let runnable = rules;
  try {
    if (flowStaged) {
      ctx.report({ message: 'Classifying flows' });
      const stageStarted = Date.now();
      try {
        await stageFlowSides(db, q);
      } catch (error) {
        if (signal.aborted) throw error;
        // Without the stage the flow rules would silently find nothing: fail them by name instead.
        const reason = `the shared flow stage could not be built: ${(error as Error).message.split('\n')[0]}`;
        for (const r of rules.filter(usesFlowSides)) rulesFailed.push({ ruleId: r.id, file: r.file, error: reason });
        runnable = rules.filter((r) => !usesFlowSides(r));
      }
      stageMs['flow_sides'] = Date.now() - stageStarted;
    }
    staged = await runRuleLoop(db, ctx, runnable, tables, {
      now,
      timeoutMs: options.ruleTimeoutMs ?? DEFAULT_RULE_TIMEOUT_MS,
      applyLists,
    });
  } finally {
    // A cancelled or failed pass must not leave a copy of the flows behind either.
    if (flowStaged) await clearFlowSides(db).catch(() => undefined);
  }
  const { rulesSkipped, rulesRan, byId, ruleMs } = staged;
  rulesFailed.push(...staged.rulesFailed);
  if (signal.aborted)
    throw new LoupeError('QUERY_CANCELLED', 'The detection run was cancelled; earlier findings are unchanged.');

  ctx.report({ phase: 'aggregate', done: rules.length, total: rules.length, message: 'Building findings' });
  await applyLists();
  const rows = await aggregateHits(db, q);
  const remoteIps = rows.map((r) => r.remote_ip).filter((ip): ip is string => typeof ip === 'string');
  let ipInfo = new Map<string, IpInfo>();
  try {
    ipInfo = await lookupIps(db, remoteIps, q);
  } catch (error) {
    if (signal.aborted) throw error;
    warnings.push(`IP enrichment lookup failed: ${(error as Error).message}`);
  }

  const iso = now.toISOString();
  const found: StoredFinding[] = [];
  for (const row of rows) {
    const rule = byId.get(row.rule_id);
    if (!rule) continue;
    found.push({
      finding: buildFinding(row, rule, { now: iso, ipInfo }).finding,
      ruleId: rule.id,
      resourceId: row.resource_id,
    });
  }
  const { removed } = await storeFindings(db, found, rulesRan, q);

  const byType: Record<string, number> = {};
  const bySeverity: Record<SeverityLabel, number> = { Low: 0, Medium: 0, High: 0, Critical: 0 };
  for (const { finding } of found) {
    byType[finding.type] = (byType[finding.type] ?? 0) + 1;
    bySeverity[severityLabel(finding.severity)]++;
  }
  ctx.report({ done: rules.length, total: rules.length, message: `${found.length} findings` });
  return {
    rules: rulesRan.length,
    rulesFailed,
    findings: found.length,
    byType,
    bySeverity,
    elapsedMs: Date.now() - started,
    rulesSkipped,
    suppressedByTrustedList: suppressed,
    outOfScopeListMatches: outOfScope,
    findingsRemoved: removed,
    warnings,
    ruleMs,
    stageMs,
  };
}

interface RuleLoopResult {
  rulesSkipped: DetectReport['rulesSkipped'];
  rulesRan: string[];
  rulesFailed: RuleFailure[];
  byId: Map<string, Rule>;
  ruleMs: Record<string, number>;
}

/** Stages every rule's hits in turn; a failing rule is recorded and the others still run. */
/** A rule whose query reads the hits of the rules before it. */
const READS_HITS = /\bdetect_hits\b/;

async function runRuleLoop(
  db: Database,
  ctx: JobContext,
  rules: Rule[],
  tables: Set<string>,
  options: { now: Date; timeoutMs: number; applyLists: () => Promise<void> },
): Promise<RuleLoopResult> {
  const signal = ctx.signal;
  const out: RuleLoopResult = { rulesSkipped: [], rulesRan: [], rulesFailed: [], byId: new Map(), ruleMs: {} };
  let listsApplied = false;
  for (const [i, rule] of rules.entries()) {
    if (signal.aborted) break;
    if (!listsApplied && READS_HITS.test(rule.query)) {
      await options.applyLists();
      listsApplied = true;
    }
    ctx.report({ done: i, total: rules.length, message: `Rule ${rule.id}` });
    if (!tables.has(rule.source)) {
      out.rulesSkipped.push({ ruleId: rule.id, reason: `no ${rule.source} table in this case` });
      continue;
    }
    const ruleStarted = Date.now();
    try {
      await stageRule(db, rule, { now: options.now, signal, timeoutMs: options.timeoutMs });
      out.ruleMs[rule.id] = Date.now() - ruleStarted;
      out.rulesRan.push(rule.id);
      out.byId.set(rule.id, rule);
    } catch (error) {
      if (signal.aborted) throw error;
      out.rulesFailed.push({ ruleId: rule.id, file: rule.file, error: (error as Error).message });
      // A failed INSERT leaves nothing behind, but be certain no partial hits reach aggregation.
      await db.run(`DELETE FROM detect_hits WHERE rule_id = $id`, { id: rule.id }, { signal });
    }
  }
  return out;
}

/** The GuardDuty types the given rules can emit (for docs and coverage tests). */
export function coveredTypes(rules: Rule[]): string[] {
  return [...new Set(rules.map((r) => r.type))].filter((t) => findingTypeInfo(t) !== undefined).sort();
}
