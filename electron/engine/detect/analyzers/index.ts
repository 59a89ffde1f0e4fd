import type { Database, QueryOptions } from '../../db/database';
import { ensureEnrichment } from '../../enrich/ip-data';
import { loadBundledIntel } from '../../intel/bundled';
import type { JobContext } from '../../jobs/job-registry';
import type { Rule } from '../rule-schema';
import { runDetections, type DetectOptions, type DetectReport } from '../runner';
import { prepareCloudTrailFeatures } from './cloudtrail-features';
import { correlationRules, prepareCorrelation } from './correlation';
import { dnsRules, prepareDns } from './dns';
import { flowRules, prepareFlow } from './flow';
import { iamRules, prepareIam } from './iam';
import { learningWindows, type BehaviourSource, type LearningWindow } from './learning';
import { loadReferenceData } from './reference-data';
import { prepareS3, s3Rules } from './s3';

/**
 * Entry points of the behaviour analyzers. `prepareAnalyzers` does the per-run work in
 * DuckDB (learning windows, reference tables, feature and verdict tables named behaviour_*)
 * and returns the rules that turn the verdicts into hits; the correlation rules come last so
 * they see every other rule's hits. `runAnalyzers` runs them (optionally with other rules)
 * through the ordinary runner.
 */
export interface AnalyzerOptions {
  /** Days of each source's logs that only build history; default 7 or a quarter of the span. */
  learningDays?: number;
  /** Folder with api-tactics.json, dga-model.json, suspicious-tlds.txt (tests). */
  behaviourDir?: string;
}

export interface PreparedAnalyzers {
  rules: Rule[];
  learning: Record<BehaviourSource, LearningWindow>;
  /** Verdict rows per analyzer before aggregation, and milliseconds per preparation step. */
  candidates: Record<string, number>;
  ms: Record<string, number>;
}

export async function prepareAnalyzers(
  db: Database,
  options: AnalyzerOptions & QueryOptions = {},
): Promise<PreparedAnalyzers> {
  const q: QueryOptions = {};
  if (options.signal) q.signal = options.signal;
  if (options.timeoutMs !== undefined) q.timeoutMs = options.timeoutMs;
  const ms: Record<string, number> = {};
  const candidates: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      ms[name] = Date.now() - t0;
    }
  };
  const learning = await timed('learning', () => learningWindows(db, options.learningDays, q));
  const ref = await timed('reference', () =>
    loadReferenceData(db, { ...q, ...(options.behaviourDir ? { dir: options.behaviourDir } : {}) }),
  );
  const rules: Rule[] = [];
  if (learning.cloudtrail.learningEnd) {
    const end = learning.cloudtrail.learningEnd;
    await timed('cloudtrail-features', () => prepareCloudTrailFeatures(db, q));
    candidates['iam'] = await timed('iam', () => prepareIam(db, end, q));
    candidates['s3'] = await timed('s3', () => prepareS3(db, end, q));
    rules.push(...iamRules(), ...s3Rules());
  }
  if (learning.vpcflow.learningEnd) {
    const end = learning.vpcflow.learningEnd;
    candidates['flow'] = await timed('flow', () => prepareFlow(db, end, q));
    rules.push(...flowRules());
  }
  if (learning.dns.learningEnd) {
    const end = learning.dns.learningEnd;
    candidates['dns'] = await timed('dns', () => prepareDns(db, end, ref.dga, q));
    rules.push(...dnsRules());
  }
  if (learning.cloudtrail.learningEnd) {
    await timed('correlation', () => prepareCorrelation(db, q));
    rules.push(...correlationRules());
  }
  return { rules, learning, candidates, ms };
}

/** Drops the per-run behaviour_* tables (call after the rules that read them have run). */
export async function dropAnalyzerTables(db: Database, options: QueryOptions = {}): Promise<void> {
  const rows = await db.all<{ name: string }>(
    `SELECT table_name AS name FROM duckdb_tables() WHERE starts_with(table_name, 'behaviour_')`,
    undefined,
    options,
  );
  for (const { name } of rows) {
    if (!/^behaviour_[a-z0-9_]+$/.test(name)) continue;
    await db.run(`DROP TABLE IF EXISTS ${name}`, undefined, options);
  }
}

export interface AnalyzerRunReport extends DetectReport {
  learning: Record<BehaviourSource, LearningWindow>;
  candidates: Record<string, number>;
  prepareMs: Record<string, number>;
}

/**
 * Prepares and runs the analyzers through runDetections. `extraRules` (e.g. the rule files)
 * run before them so the correlation rules, which run last, see their hits too. Keeps the
 * behaviour_* tables for inspection unless `dropTables` is set.
 */
export async function runAnalyzers(
  db: Database,
  ctx: JobContext,
  options: AnalyzerOptions & Omit<DetectOptions, 'rules'> & { extraRules?: Rule[]; dropTables?: boolean } = {},
): Promise<AnalyzerRunReport> {
  const q: QueryOptions = { signal: ctx.signal };
  if (!options.prepared) {
    // The DoH rule joins the bundled resolver list and the IAM analyzer the ASN data.
    await loadBundledIntel(db, q);
    await ensureEnrichment(db, q).catch((error: unknown) => {
      if (ctx.signal.aborted) throw error;
    });
  }
  ctx.report({ phase: 'baseline', done: 0, total: null, message: 'Learning normal behaviour' });
  const prepared = await prepareAnalyzers(db, { ...options, signal: ctx.signal });
  const detectOptions: DetectOptions = {
    ...options,
    prepared: true,
    rules: [...(options.extraRules ?? []), ...prepared.rules],
  };
  const report = await runDetections(db, ctx, detectOptions);
  if (options.dropTables) await dropAnalyzerTables(db, q);
  return { ...report, learning: prepared.learning, candidates: prepared.candidates, prepareMs: prepared.ms };
}
