import type { KeyLayout } from '../locate/key-layout';
import type { Detection } from './detect';
import { rows, type Conn } from './sql';

/** A file handed to a loader: its id in `files`, where its bytes are, and what detection found. */
export interface LoadFile {
  fileId: number;
  path: string;
  localPath: string;
  detection: Detection;
  layout: KeyLayout;
}

export type EventTable = 'cloudtrail' | 'vpcflow' | 'dns';

/** What was read from one file. */
export interface StageStats {
  /** Records offered to the table (before dedupe). */
  records: number;
  /** Lines that are not records (wrong field count, invalid JSON); headers and blank lines do not count. */
  badLines: number;
  firstBadLine: number | null;
  /** The last line of the file was bad: with gzip, the sign of a cut-off download. */
  lastLineBad: boolean;
  badWhat: string;
}

/**
 * One log source's path into its table. Both methods run inside the caller's transaction and
 * write straight into the table; per-event work is SQL only.
 * - `insert` reads a whole batch in one statement and is strict: anything irregular (a bad line,
 *   an unreadable file) makes it throw, and the caller splits the batch to find the file.
 * - `insertTolerant` reads ONE file that `insert` refused, line by line, skipping and counting
 *   bad lines. Loaders without it have nothing to tolerate: the error is the file's failure.
 * - `dedupe` removes rows of these files whose event the table already holds (or holds twice).
 */
export interface Loader {
  readonly table: EventTable;
  /** Bytes on disk per batch (one statement): bigger means fewer commits, but more held in memory. */
  readonly batchBytes: number;
  insert(conn: Conn, files: LoadFile[]): Promise<Map<number, StageStats>>;
  insertTolerant?(conn: Conn, file: LoadFile): Promise<Map<number, StageStats>>;
  /** Rows removed per file id. */
  dedupe?(conn: Conn, fileIds: number[]): Promise<Map<number, number>>;
}

/** SQL for the ids of a batch, bound as one JSON text parameter. */
export function idList(param: string): string {
  return `(SELECT unnest(from_json($${param}, '["INTEGER"]')))`;
}

/**
 * Rows per file just inserted into `table` (the loader's own constant, never input). The range
 * lets DuckDB skip committed row groups by their file_id min/max without reading them.
 */
export async function countPerFile(conn: Conn, table: EventTable, fileIds: number[]): Promise<Map<number, number>> {
  const found = await rows<{ file_id: number; n: number }>(
    conn,
    `SELECT file_id, count(*)::INTEGER AS n FROM ${table}
     WHERE file_id BETWEEN $lo AND $hi AND file_id IN ${idList('ids')} GROUP BY file_id`,
    { lo: Math.min(...fileIds), hi: Math.max(...fileIds), ids: JSON.stringify(fileIds) },
  );
  const out = new Map<number, number>();
  for (const r of found) out.set(Number(r.file_id), Number(r.n));
  return out;
}

/** Stats of a strict read: every row a record, no bad lines. */
export function cleanStats(counts: Map<number, number>, fileIds: number[]): Map<number, StageStats> {
  const out = new Map<number, StageStats>();
  for (const id of fileIds) {
    out.set(id, { records: counts.get(id) ?? 0, badLines: 0, firstBadLine: null, lastLineBad: false, badWhat: '' });
  }
  return out;
}

/** Per-file counts of a line-based stage with columns (file_id, position|line, bad). */
export function lineStatsSql(stage: string, lineColumn: string): string {
  return `SELECT file_id,
      count(*) FILTER (WHERE NOT bad)::INTEGER AS records,
      count(*) FILTER (WHERE bad)::INTEGER AS bad_lines,
      min(${lineColumn}) FILTER (WHERE bad)::INTEGER AS first_bad,
      arg_max(bad, ${lineColumn}) AS last_bad
    FROM ${stage} GROUP BY file_id`;
}

export async function stageStats(
  conn: Conn,
  stage: string,
  lineColumn: string,
  badWhat: string,
): Promise<Map<number, StageStats>> {
  const found = await rows<{
    file_id: number;
    records: number;
    bad_lines: number;
    first_bad: number | null;
    last_bad: boolean | null;
  }>(conn, lineStatsSql(stage, lineColumn));
  const out = new Map<number, StageStats>();
  for (const r of found) {
    out.set(Number(r.file_id), {
      records: Number(r.records),
      badLines: Number(r.bad_lines),
      firstBadLine: r.first_bad === null ? null : Number(r.first_bad),
      lastLineBad: r.last_bad === true,
      badWhat,
    });
  }
  return out;
}
