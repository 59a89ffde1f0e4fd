import { LoupeError } from '../../../shared/errors';
import { Database } from '../db/database';
import { migrate } from '../db/schema';
import { ensureEnrichment } from '../enrich/ip-data';
import { loadBundledIntel } from '../intel/bundled';
import { loadIntelText } from '../intel/lists';
import type { JobContext } from '../jobs/job-registry';
import type { Rule, RuleTest } from './rule-schema';
import { runDetections, type DetectReport } from './runner';

/**
 * Runs the inline test cases of rule files against a real in-memory DuckDB: the case's events
 * go into the rule's source table, its lists into `intel`, the runner runs just that rule, and
 * the findings are compared with what the case expects.
 */
const SOURCE_TABLES = ['cloudtrail', 'vpcflow', 'dns'] as const;
const BASE_TIME = Date.parse('2026-03-02T10:00:00Z');

/** Values every test event gets unless it says otherwise, per source table column. */
const DEFAULTS: Record<(typeof SOURCE_TABLES)[number], Record<string, unknown>> = {
  cloudtrail: {
    event_version: '1.09',
    event_source: 'sts.amazonaws.com',
    event_name: 'GetCallerIdentity',
    event_type: 'AwsApiCall',
    event_category: 'Management',
    aws_region: 'us-east-1',
    source_ip: '203.0.113.50',
    user_agent:
      'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/python#3.11.8 md/distrib#debian.12',
    read_only: false,
    management_event: true,
    recipient_account_id: '111122223333',
    account_id: '111122223333',
    principal_type: 'IAMUser',
    principal_id: 'AIDAEXAMPLEALICE0001',
    principal_arn: 'arn:aws:iam::111122223333:user/alice',
    principal_name: 'alice',
    access_key_id: 'AKIAEXAMPLEALICE0001',
  },
  vpcflow: { account_id: '111122223333', region: 'us-east-1' },
  dns: { account_id: '111122223333', region: 'us-east-1' },
};

const TIME_COLUMNS: Record<(typeof SOURCE_TABLES)[number], string[]> = {
  cloudtrail: ['event_time'],
  vpcflow: ['start_time', 'end_time'],
  dns: ['query_time'],
};

export async function createRuleTestDb(): Promise<Database> {
  const db = await Database.open({ path: ':memory:' });
  await migrate(db);
  await ensureEnrichment(db);
  const bundled = await loadBundledIntel(db);
  if (bundled.failed.length > 0)
    throw new LoupeError(
      'INTEL_INVALID',
      `Bundled intel failed to load: ${bundled.failed.map((f) => `${f.file}: ${f.error}`).join('; ')}`,
    );
  return db;
}

async function tableColumns(db: Database, table: (typeof SOURCE_TABLES)[number]): Promise<Map<string, string> | null> {
  const rows = await db.all<{ name: string; type: string }>(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position`,
    { t: table },
  );
  return rows.length === 0 ? null : new Map(rows.map((r) => [r.name, r.type]));
}

async function resetCase(db: Database): Promise<void> {
  for (const table of SOURCE_TABLES) if (await tableColumns(db, table)) await db.run(`DELETE FROM ${table}`);
  for (const sql of [
    'DELETE FROM findings',
    'DELETE FROM finding_events',
    'DELETE FROM detect_hits',
    'DELETE FROM intel WHERE NOT bundled',
    'DELETE FROM intel_lists WHERE NOT bundled',
  ]) {
    await db.run(sql);
  }
}

/** Inserts test events into a source table; unknown column names are an error naming the rule. */
export async function insertTestEvents(db: Database, rule: Rule, test: RuleTest, index: number): Promise<void> {
  await insertEvents(db, rule.source, test.events, {
    uidPrefix: `${rule.id}-${index}`,
    where: `${rule.file}: test "${test.name}"`,
  });
}

/**
 * Inserts events (column -> value, JSON columns as objects) into a source table, filling the
 * defaults above; `where` names the caller in errors. Also used by tests that build a case.
 */
export async function insertEvents(
  db: Database,
  table: (typeof SOURCE_TABLES)[number],
  events: ReadonlyArray<Record<string, unknown>>,
  options: { uidPrefix?: string; where?: string; firstPosition?: number } = {},
): Promise<void> {
  const where = options.where ?? table;
  const columns = await tableColumns(db, table);
  if (!columns) throw new LoupeError('RULE_INVALID', `${where}: the ${table} table does not exist yet.`);
  const first = options.firstPosition ?? 0;
  const rows = events.map((event, n) => {
    const i = first + n;
    const row: Record<string, unknown> = { ...DEFAULTS[table], ...event };
    row['event_uid'] ??= `${options.uidPrefix ?? 'event'}-${i}`;
    row['file_id'] ??= 0;
    row['position'] ??= i;
    for (const c of TIME_COLUMNS[table]) if (columns.has(c)) row[c] ??= new Date(BASE_TIME + i * 60_000).toISOString();
    for (const key of Object.keys(row)) {
      if (!columns.has(key)) {
        if (key in event) throw new LoupeError('RULE_INVALID', `${where}: ${table} has no column "${key}".`);
        delete row[key];
      }
    }
    return row;
  });
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  // Column names come from information_schema (the allow-list); values stay in the JSON parameter.
  const select = names.map((n) => {
    const type = columns.get(n) ?? 'VARCHAR';
    return type === 'JSON' ? `(e->'${n}') AS "${n}"` : `CAST(e->>'${n}' AS ${type}) AS "${n}"`;
  });
  await db.run(
    `INSERT INTO ${table} (${names.map((n) => `"${n}"`).join(', ')})
     SELECT ${select.join(', ')} FROM (SELECT unnest(from_json($rows::JSON, '["JSON"]')) AS e)`,
    { rows: JSON.stringify(rows) },
  );
}

export interface RuleCaseResult {
  ruleId: string;
  file: string;
  test: string;
  ok: boolean;
  message: string;
  findings: Array<{ id: string; severity: number; resourceId: string; count: number; title: string }>;
  report: DetectReport | null;
}

const ctx = (): JobContext => ({ signal: new AbortController().signal, report: () => undefined });

export async function runRuleCase(db: Database, rule: Rule, test: RuleTest, index: number): Promise<RuleCaseResult> {
  const base = { ruleId: rule.id, file: rule.file, test: test.name };
  await resetCase(db);
  await insertTestEvents(db, rule, test, index);
  for (const [i, list] of (test.intel ?? []).entries()) {
    await loadIntelText(db, list.entries.join('\n'), list.kind, {
      name: list.name ?? `${test.name} ${list.kind} list ${i + 1}`,
      category: list.category ?? 'custom',
    });
  }
  const report = await runDetections(db, ctx(), {
    rules: [rule],
    now: new Date('2026-03-03T00:00:00Z'),
    prepared: true,
  });
  const findings = await db.all<{ id: string; severity: number; resourceId: string; count: number; title: string }>(
    `SELECT id, severity, resource_id AS "resourceId", count::INTEGER AS count, title FROM findings WHERE rule_id = $id ORDER BY id`,
    { id: rule.id },
  );
  const failure = report.rulesFailed.find((f) => f.ruleId === rule.id);
  const fail = (message: string): RuleCaseResult => ({ ...base, ok: false, message, findings, report });
  if (failure) return fail(`rule failed: ${failure.error}`);
  if (test.expect === 'no_match') {
    return findings.length === 0
      ? { ...base, ok: true, message: 'no finding, as expected', findings, report }
      : fail(`expected no finding, got ${findings.length}: ${findings.map((f) => f.title).join(' | ')}`);
  }
  if (findings.length === 0) return fail('expected a finding, got none');
  if (test.findings !== undefined && findings.length !== test.findings)
    return fail(`expected ${test.findings} findings, got ${findings.length}`);
  if (test.severity !== undefined) {
    const wrong = findings.find((f) => f.severity !== test.severity);
    if (wrong) return fail(`expected severity ${test.severity}, got ${wrong.severity} (${wrong.title})`);
  }
  if (test.resource !== undefined) {
    const wrong = findings.find((f) => f.resourceId !== test.resource);
    if (wrong) return fail(`expected resource ${test.resource}, got ${wrong.resourceId}`);
  }
  return { ...base, ok: true, message: `${findings.length} finding(s), as expected`, findings, report };
}
