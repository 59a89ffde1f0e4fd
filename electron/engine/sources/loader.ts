import type { KeyLayout } from '../locate/key-layout';
import type { Detection } from './detect';
import type { Conn } from './sql';

/** A file handed to a loader: its id in `files`, where its bytes are, and what detection found. */
export interface LoadFile {
  fileId: number;
  path: string;
  localPath: string;
  detection: Detection;
  layout: KeyLayout;
}

/** What the stage holds for one file after reading it. */
export interface StageStats {
  /** Records that will be offered to the table (before dedupe). */
  records: number;
  /** Lines that are not records (wrong field count, invalid JSON); headers and blank lines do not count. */
  badLines: number;
  firstBadLine: number | null;
  /** The last line of the file was bad: with gzip, the sign of a cut-off download. */
  lastLineBad: boolean;
  badWhat: string;
}

/**
 * One log source's path into its table, in three steps on one connection:
 * `stage` reads a batch of files into a TEMP table in one statement (and throws if any file is
 * unreadable, so the caller can bisect), `stats` reports per file, `commit` moves the stage into
 * the table inside the caller's transaction. Per-event work is SQL only.
 */
export interface Loader {
  readonly table: 'cloudtrail' | 'vpcflow' | 'dns';
  createStage(conn: Conn): Promise<void>;
  stage(conn: Conn, files: LoadFile[]): Promise<void>;
  stats(conn: Conn): Promise<Map<number, StageStats>>;
  /** Rows added per file id. */
  commit(conn: Conn): Promise<Map<number, number>>;
  dropStage(conn: Conn): Promise<void>;
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

export function toStats(
  rows: Array<{
    file_id: number;
    records: number;
    bad_lines: number;
    first_bad: number | null;
    last_bad: boolean | null;
  }>,
  badWhat: string,
): Map<number, StageStats> {
  const out = new Map<number, StageStats>();
  for (const r of rows) {
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

export async function addedPerFile(
  conn: Conn,
  table: 'cloudtrail' | 'vpcflow' | 'dns',
  stage: string,
): Promise<Map<number, number>> {
  // Table names come from the Loader's own constant, never from input.
  const reader = await conn.runAndReadAll(
    `SELECT file_id, count(*)::INTEGER AS n FROM ${table} WHERE file_id IN (SELECT DISTINCT file_id FROM ${stage}) GROUP BY file_id`,
  );
  const out = new Map<number, number>();
  for (const r of reader.getRowObjectsJson() as Array<{ file_id: number; n: number }>)
    out.set(Number(r.file_id), Number(r.n));
  return out;
}
