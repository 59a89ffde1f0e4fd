import type { Database } from '../db/database';
import type { Conn } from './sql';

/**
 * The `files` table: one row per input file, whatever happened to it. Rows are written in bulk
 * (one statement per batch, the rows bound as one JSON parameter).
 */
export type FileStatus = 'loaded' | 'skipped' | 'failed' | 'duplicate';

export interface FileRow {
  fileId: number;
  path: string;
  localPath: string | null;
  size: number;
  sha256: string | null;
  type: string;
  records: number;
  status: FileStatus;
  reason: string | null;
  accountId: string | null;
  region: string | null;
  format: string | null;
  compression: string | null;
}

const ROW_SHAPE = JSON.stringify({
  fileId: 'INTEGER',
  path: 'VARCHAR',
  localPath: 'VARCHAR',
  size: 'BIGINT',
  sha256: 'VARCHAR',
  type: 'VARCHAR',
  records: 'BIGINT',
  status: 'VARCHAR',
  reason: 'VARCHAR',
  accountId: 'VARCHAR',
  region: 'VARCHAR',
  format: 'VARCHAR',
  compression: 'VARCHAR',
});

const INSERT_ROWS = `INSERT INTO files (file_id, path, local_path, size, sha256, type, records, status, reason, account_id, region, format, compression)
  SELECT r.fileId, r.path, r.localPath, r.size, r.sha256, r.type, r.records, r.status, r.reason, r.accountId, r.region, r.format, r.compression
  FROM (SELECT unnest(from_json($rows, '[${ROW_SHAPE}]')) AS r)`;

export async function insertFileRows(conn: Conn, rows: FileRow[]): Promise<void> {
  if (rows.length === 0) return;
  await conn.run(INSERT_ROWS, { rows: JSON.stringify(rows) });
}

export async function insertFileRowsDb(db: Database, rows: FileRow[], signal: AbortSignal): Promise<void> {
  if (rows.length === 0) return;
  await db.run(INSERT_ROWS, { rows: JSON.stringify(rows) }, { signal });
}

/** Reserves `count` file ids (sequence values are never reused, so gaps are harmless). */
export async function reserveFileIds(db: Database, count: number, signal: AbortSignal): Promise<number[]> {
  if (count === 0) return [];
  const rows = await db.all<{ id: number }>(
    `SELECT nextval('file_id_seq')::INTEGER AS id FROM range($n)`,
    { n: count },
    { signal },
  );
  return rows.map((r) => Number(r.id));
}

/** Which of these SHA-256 values belong to files already loaded into this case. */
export async function loadedHashes(db: Database, hashes: string[], signal: AbortSignal): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db.all<{ sha256: string }>(
    `SELECT DISTINCT sha256 FROM files WHERE status = 'loaded' AND sha256 IN (SELECT unnest(from_json($h, '["VARCHAR"]')))`,
    { h: JSON.stringify(hashes) },
    { signal },
  );
  return new Set(rows.map((r) => r.sha256));
}
