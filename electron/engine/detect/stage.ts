import { LoupeError } from '../../../shared/errors';
import type { Database, QueryOptions, SqlParams } from '../db/database';
import { FLOW_SIDES_SELECT, FLOW_STAGE_DDL } from '../db/schema-findings';
import { HIT_COLUMNS, IDENTIFIER, REQUIRED_HIT_COLUMNS, RESERVED_HIT_COLUMNS } from './hit-columns';
import { queryParams } from './rules';
import type { Rule } from './rule-schema';

/**
 * Runs one rule's query and copies its rows into `detect_hits` in the fixed hit shape, in one
 * INSERT ... SELECT: the per-event work stays in DuckDB. The rule's SQL is used as written
 * (a subquery); every other identifier comes from HIT_COLUMNS or the query's own DESCRIBE.
 */
export interface StageOptions extends QueryOptions {
  now: Date;
}

export function ruleParams(rule: Rule, now: Date): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = { ...(rule.params ?? {}), now: now.toISOString() };
  const out: Record<string, string | number | boolean> = {};
  // DuckDB refuses parameters a statement does not use, so bind exactly the ones it names.
  for (const name of queryParams(rule.query)) {
    const v = values[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

const quote = (name: string): string => {
  // Only names matching IDENTIFIER ever get here; the check is the allow-list's last line.
  if (!IDENTIFIER.test(name)) throw new LoupeError('RULE_INVALID', `"${name}" is not a plain column name.`);
  return `"${name}"`;
};

/** Column name -> DuckDB type of what the rule's query returns, checked against the contract. */
export async function describeRule(
  db: Database,
  rule: Rule,
  params: SqlParams,
  options: QueryOptions = {},
): Promise<Map<string, string>> {
  let described: Array<{ name: string; type: string }>;
  try {
    described = await db.all<{ name: string; type: string }>(
      `SELECT column_name AS name, column_type AS type FROM (DESCRIBE ${rule.query})`,
      params,
      options,
    );
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new LoupeError(
      'RULE_INVALID',
      `${rule.file}: query does not compile: ${firstLine((error as Error).message)}`,
      {
        hint: 'Check the SQL against the normalized tables (electron/engine/db/schema-events.ts).',
      },
    );
  }
  const columns = new Map(described.map((c) => [c.name, c.type]));
  const problems: string[] = [];
  for (const name of REQUIRED_HIT_COLUMNS) if (!columns.has(name)) problems.push(`returns no ${name} column`);
  if (!columns.has(rule.aggregate.resource))
    problems.push(`returns no ${rule.aggregate.resource} column (aggregate.resource)`);
  for (const name of rule.aggregate.by)
    if (!columns.has(name)) problems.push(`returns no ${name} column (aggregate.by)`);
  for (const name of rule.evidence) if (!columns.has(name)) problems.push(`returns no ${name} column (evidence)`);
  for (const name of RESERVED_HIT_COLUMNS)
    if (columns.has(name)) problems.push(`returns ${name}, which the runner fills itself`);
  for (const name of columns.keys())
    if (!IDENTIFIER.test(name)) problems.push(`column "${name}" is not a plain lower-case name`);
  const time = columns.get('event_time');
  if (time && !time.startsWith('TIMESTAMP')) problems.push(`event_time is ${time}, not a timestamp`);
  if (typeof rule.severity === 'object' && (rule.severity.context?.length ?? 0) > 0 && !columns.has('severity')) {
    problems.push('declares severity.context but returns no severity column');
  }
  if (problems.length > 0) throw new LoupeError('RULE_INVALID', `${rule.file}: query ${problems.join('; ')}.`);
  return columns;
}

export function stageSql(rule: Rule, columns: Map<string, string>): string {
  const projections = HIT_COLUMNS.map((c) => {
    const value = columns.has(c.name) ? `CAST(q.${quote(c.name)} AS ${c.type})` : `CAST(NULL AS ${c.type})`;
    if (c.name === 'account_id' || c.name === 'region') return `coalesce(${value}, 'unknown') AS ${c.name}`;
    if (c.name === 'resource_role') return `coalesce(upper(${value}), 'TARGET') AS ${c.name}`;
    return `${value} AS ${c.name}`;
  });
  const discriminator =
    rule.aggregate.by.length === 0
      ? `''`
      : `concat_ws('/', ${rule.aggregate.by.map((b) => `CAST(q.${quote(b)} AS VARCHAR)`).join(', ')})`;
  const evidence =
    rule.evidence.length === 0
      ? 'CAST(NULL AS JSON)'
      : `to_json(struct_pack(${rule.evidence.map((e) => `${quote(e)} := q.${quote(e)}`).join(', ')}))`;
  const hitNames = HIT_COLUMNS.map((c) => c.name);
  return `INSERT INTO detect_hits (rule_id, type, source, finding_id, resource_id, discriminator, evidence, ${hitNames.join(', ')})
SELECT $loupe_rule_id, $loupe_type, $loupe_source,
       md5(concat_ws('|', h.account_id, h.region, $loupe_type, h.resource_id, h.resource_role, h.discriminator)),
       h.resource_id, h.discriminator, h.evidence, ${hitNames.map((n) => `h.${n}`).join(', ')}
  FROM (SELECT ${projections.join(',\n               ')},
               coalesce(CAST(q.${quote(rule.aggregate.resource)} AS VARCHAR), 'unknown') AS resource_id,
               ${discriminator} AS discriminator,
               ${evidence} AS evidence
          FROM (
${rule.query}
          ) AS q) AS h
 WHERE h.event_time IS NOT NULL AND h.event_uid IS NOT NULL`;
}

/** Stages one rule; returns how many hits it produced. */
export async function stageRule(db: Database, rule: Rule, options: StageOptions): Promise<number> {
  const params = ruleParams(rule, options.now);
  const query: QueryOptions = {};
  if (options.signal) query.signal = options.signal;
  if (options.timeoutMs !== undefined) query.timeoutMs = options.timeoutMs;
  const columns = await describeRule(db, rule, params, query);
  try {
    await db.run(
      stageSql(rule, columns),
      { ...params, loupe_rule_id: rule.id, loupe_type: rule.type, loupe_source: rule.source },
      query,
    );
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (error instanceof LoupeError)
      throw new LoupeError(error.code, `${rule.file}: ${error.message}`, {
        hint: 'The rule was skipped; the others ran.',
      });
    throw new LoupeError('RULE_INVALID', `${rule.file}: query failed: ${firstLine((error as Error).message)}`);
  }
  const row = await db.one<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM detect_hits WHERE rule_id = $id`,
    { id: rule.id },
    query,
  );
  return row?.n ?? 0;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Rules that read the shared flow stage (see FLOW_SIDES_SELECT). */
export function usesFlowSides(rule: Rule): boolean {
  return /\bflow_sides\b/.test(rule.query);
}

/**
 * Classifies every flow once for the whole pass (direction, local/remote side, remote address as
 * an integer, hour, owning instance) into the in-memory `loupe_scratch.flow_sides` (the case's
 * `flow_sides` view), so each flow rule starts from a filtered scan of it instead of re-deriving
 * it from `vpcflow`. Returns the rows staged.
 */
export async function stageFlowSides(db: Database, options: QueryOptions = {}): Promise<number> {
  // The scratch database belongs to the DuckDB instance: attach it (and the view) again in case
  // this instance opened the case without migrating it.
  for (const sql of FLOW_STAGE_DDL) await db.run(sql, undefined, options);
  await db.run(`CREATE OR REPLACE TABLE loupe_scratch.flow_sides AS ${FLOW_SIDES_SELECT}`, undefined, options);
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM flow_sides`, undefined, options);
  return row?.n ?? 0;
}

/** Empties the stage after a pass: it is a copy of the flows, held in memory. */
export async function clearFlowSides(db: Database, options: QueryOptions = {}): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TABLE loupe_scratch.flow_sides AS SELECT * FROM (${FLOW_SIDES_SELECT}) WHERE false`,
    undefined,
    options,
  );
}
