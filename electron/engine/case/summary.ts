import type { CaseSummary, FileRecord } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { sourceTables, type SourceName } from './source-tables';

const UI_READ = { timeoutMs: 30_000 };

/** Account columns per source table (allow-listed identifiers, first present one wins). */
const ACCOUNT_COLUMNS: Record<SourceName, readonly string[]> = {
  cloudtrail: ['recipient_account_id'],
  vpcflow: ['account_id'],
  dns: ['account_id'],
};

export async function caseSummary(db: Database, meta: { name: string; workspaceDir: string }): Promise<CaseSummary> {
  const tables = await sourceTables(db);
  const sources: CaseSummary['sources'] = [];
  const accounts = new Set<string>();
  for (const t of tables) {
    const time = t.timeColumn;
    const row = await db.one<{ events: number; first: string | null; last: string | null }>(
      `SELECT count(*)::INTEGER AS events,
              ${time ? `iso_ts(min(${time}))` : 'NULL'} AS first,
              ${time ? `iso_ts(max(${time}))` : 'NULL'} AS last
         FROM ${t.source}`,
      undefined,
      UI_READ,
    );
    const files = await db.one<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM files WHERE type = $type AND status = 'loaded'`,
      { type: t.source },
      UI_READ,
    );
    sources.push({
      source: t.source,
      files: files?.n ?? 0,
      events: row?.events ?? 0,
      firstEvent: row?.first ?? null,
      lastEvent: row?.last ?? null,
    });
    const accountColumn = ACCOUNT_COLUMNS[t.source].find((c) => t.columns.has(c));
    if (accountColumn) {
      const rows = await db.all<{ a: string }>(
        `SELECT DISTINCT ${accountColumn} AS a FROM ${t.source} WHERE ${accountColumn} IS NOT NULL`,
        undefined,
        UI_READ,
      );
      for (const r of rows) accounts.add(r.a);
    }
  }
  const fileAccounts = await db.all<{ a: string }>(
    `SELECT DISTINCT account_id AS a FROM files WHERE account_id IS NOT NULL AND status = 'loaded'`,
    undefined,
    UI_READ,
  );
  for (const r of fileAccounts) accounts.add(r.a);

  const counts = await db.one<{ loaded: number; skipped: number; failed: number; findings: number }>(
    `SELECT (SELECT count(*) FROM files WHERE status = 'loaded')::INTEGER AS loaded,
            (SELECT count(*) FROM files WHERE status = 'skipped')::INTEGER AS skipped,
            (SELECT count(*) FROM files WHERE status = 'failed')::INTEGER AS failed,
            (SELECT count(*) FROM findings WHERE NOT archived)::INTEGER AS findings`,
    undefined,
    UI_READ,
  );
  return {
    name: meta.name,
    workspaceDir: meta.workspaceDir,
    sources,
    accounts: [...accounts].sort(),
    filesLoaded: counts?.loaded ?? 0,
    filesSkipped: counts?.skipped ?? 0,
    filesFailed: counts?.failed ?? 0,
    findings: counts?.findings ?? 0,
  };
}

export async function listFiles(
  db: Database,
  input: { offset: number; limit: number; status?: FileRecord['status'] | undefined },
): Promise<{ total: number; rows: FileRecord[] }> {
  const where = input.status === undefined ? '' : 'WHERE status = $status';
  const params: Record<string, string> = input.status === undefined ? {} : { status: input.status };
  const total = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM files ${where}`, params, UI_READ);
  const rows = await db.all<FileRecord>(
    `SELECT file_id AS "fileId", path, size::DOUBLE AS size, sha256, type, records::DOUBLE AS records, status, reason,
            account_id AS "accountId", region, iso_ts(loaded_at) AS "loadedAt"
       FROM files ${where}
      ORDER BY file_id
      LIMIT $limit OFFSET $offset`,
    { ...params, limit: input.limit, offset: input.offset },
    UI_READ,
  );
  return { total: total?.n ?? 0, rows };
}
