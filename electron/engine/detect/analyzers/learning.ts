import type { Database, QueryOptions } from '../../db/database';

/**
 * The learning period: the first days of each source's logs build history and raise no
 * anomaly findings. Default 7 days, or the first quarter of that source's span when the
 * case is shorter (a 3-day case learns for 18 hours); an explicit `learningDays` is used as
 * given (0 = judge from the first event). Each source gets its own window because a case
 * often holds months of CloudTrail but only days of flow logs.
 */
export type BehaviourSource = 'cloudtrail' | 'vpcflow' | 'dns';

export interface LearningWindow {
  source: BehaviourSource;
  /** ISO timestamps; null when the source has no events. */
  first: string | null;
  last: string | null;
  learningEnd: string | null;
}

export const DEFAULT_LEARNING_DAYS = 7;
const DAY_MS = 86_400_000;

// Identifiers come from this fixed map only.
const TIME_COLUMN: Record<BehaviourSource, string> = {
  cloudtrail: 'event_time',
  vpcflow: 'start_time',
  dns: 'query_time',
};

export function learningEnd(firstMs: number, lastMs: number, learningDays?: number): number {
  if (learningDays !== undefined) return firstMs + Math.max(0, learningDays) * DAY_MS;
  return firstMs + Math.min(DEFAULT_LEARNING_DAYS * DAY_MS, (lastMs - firstMs) / 4);
}

export async function learningWindows(
  db: Database,
  learningDays: number | undefined,
  options: QueryOptions = {},
): Promise<Record<BehaviourSource, LearningWindow>> {
  const out = {} as Record<BehaviourSource, LearningWindow>;
  const tables = new Set(
    (await db.all<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables()`, undefined, options)).map(
      (r) => r.name,
    ),
  );
  for (const source of ['cloudtrail', 'vpcflow', 'dns'] as const) {
    if (!tables.has(source)) {
      out[source] = { source, first: null, last: null, learningEnd: null };
      continue;
    }
    const col = TIME_COLUMN[source];
    const row = await db.one<{ first: string | null; last: string | null }>(
      `SELECT iso_ts(min(${col})) AS first, iso_ts(max(${col})) AS last FROM ${source}`,
      undefined,
      options,
    );
    if (!row?.first || !row.last) {
      out[source] = { source, first: null, last: null, learningEnd: null };
      continue;
    }
    const end = learningEnd(Date.parse(row.first), Date.parse(row.last), learningDays);
    out[source] = { source, first: row.first, last: row.last, learningEnd: new Date(end).toISOString() };
  }
  return out;
}
