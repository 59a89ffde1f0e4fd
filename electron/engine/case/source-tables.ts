import type { Database } from '../db/database';

/**
 * The event tables a case can hold, and which of them exist in this database. Table and column
 * names used in SQL come only from this allow-list; the vpcflow and dns tables arrive with
 * their loaders, so queries over "all sources" ask the catalog first instead of assuming.
 */
export type SourceName = 'cloudtrail' | 'vpcflow' | 'dns';

export const SOURCE_NAMES: readonly SourceName[] = ['cloudtrail', 'vpcflow', 'dns'];

/** Candidate event-time columns, in order of preference. */
const TIME_COLUMNS = ['event_time', 'start_time', 'query_time', 'start', 'ts'] as const;

export interface SourceTable {
  source: SourceName;
  /** Event-time column (TIMESTAMP/TIMESTAMPTZ), or null when the table has none we know. */
  timeColumn: (typeof TIME_COLUMNS)[number] | null;
  /** Whether the table keeps the raw record in a `raw` column. */
  hasRaw: boolean;
  columns: ReadonlySet<string>;
}

export async function sourceTables(db: Database): Promise<SourceTable[]> {
  const rows = await db.all<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM duckdb_columns()
      WHERE schema_name = 'main' AND list_contains(['cloudtrail', 'vpcflow', 'dns'], table_name)`,
    undefined,
    { timeoutMs: 10_000 },
  );
  const tables: SourceTable[] = [];
  for (const source of SOURCE_NAMES) {
    const cols = rows.filter((r) => r.table_name === source);
    if (cols.length === 0) continue;
    const timeCols = new Set(cols.filter((c) => c.data_type.startsWith('TIMESTAMP')).map((c) => c.column_name));
    const columns = new Set(cols.map((c) => c.column_name));
    tables.push({
      source,
      timeColumn: TIME_COLUMNS.find((c) => timeCols.has(c)) ?? null,
      hasRaw: columns.has('raw'),
      columns,
    });
  }
  return tables;
}
