import type { FindingFilter, FindingRow, SeverityCounts } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { findingWhere, SEVERITY_LABEL_SQL } from './filter';

const UI_READ = { timeoutMs: 30_000 };

export type FindingSortBy = 'severity' | 'type' | 'lastSeen' | 'firstSeen' | 'count' | 'account' | 'resource';

/** Sort keys the UI may ask for, mapped to columns: the only identifiers that reach ORDER BY. */
const SORT_COLUMNS: Record<FindingSortBy, string> = {
  severity: 'severity',
  type: 'type',
  lastSeen: 'last_seen',
  firstSeen: 'first_seen',
  count: 'count',
  account: 'account_id',
  resource: 'resource_id',
};

export interface ListFindingsInput {
  offset: number;
  limit: number;
  filter: FindingFilter;
  sort: { by: FindingSortBy; dir: 'asc' | 'desc' };
}

export async function listFindings(
  db: Database,
  input: ListFindingsInput,
): Promise<{ total: number; rows: FindingRow[] }> {
  const { sql: where, params } = findingWhere(input.filter);
  const column = SORT_COLUMNS[input.sort.by];
  const dir = input.sort.dir === 'asc' ? 'ASC' : 'DESC';
  const total = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM findings ${where}`, params, UI_READ);
  // Ties fall back to the newest activity, then the id, so paging is stable.
  const rows = await db.all<FindingRow>(
    `SELECT id, type, severity, title, account_id AS "accountId", region, resource_type AS "resourceType",
            resource_id AS "resourceId", count::DOUBLE AS count, iso_ts(first_seen) AS "firstSeen",
            iso_ts(last_seen) AS "lastSeen", archived
       FROM findings ${where}
      ORDER BY ${column} ${dir} NULLS LAST, last_seen DESC, id
      LIMIT $limit OFFSET $offset`,
    { ...params, limit: input.limit, offset: input.offset },
    UI_READ,
  );
  return { total: total?.n ?? 0, rows };
}

export async function countFindings(db: Database, filter: FindingFilter): Promise<SeverityCounts> {
  const { sql: where, params } = findingWhere(filter);
  const rows = await db.all<{ label: keyof Omit<SeverityCounts, 'total'>; n: number }>(
    `SELECT ${SEVERITY_LABEL_SQL} AS label, count(*)::INTEGER AS n FROM findings ${where} GROUP BY ALL`,
    params,
    UI_READ,
  );
  const counts: SeverityCounts = { Low: 0, Medium: 0, High: 0, Critical: 0, total: 0 };
  for (const r of rows) {
    counts[r.label] = r.n;
    counts.total += r.n;
  }
  return counts;
}
