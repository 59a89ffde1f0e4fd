import type { Database } from '../db/database';
import type { Compression } from './detect';

/**
 * Helpers shared by the loaders. File paths and ids reach SQL only as bound parameters: lists
 * travel as one JSON text parameter turned back into a list by `from_json`, so no path is ever
 * spliced into SQL text. Everything spliced in comes from constants in this module.
 */
export type Conn = Parameters<Parameters<Database['withConnection']>[0]>[0];

export type Params = Record<string, string | number | boolean | null>;

/**
 * A CloudTrail file is one JSON object; AWS files of 15-20k events pass the 16 MiB default.
 * read_json allocates about twice this per thread up front (measured: 512 MiB asked for a
 * 1 GiB block and pushed a 1M-event load past 2 GB RSS), so batches read with 64 MiB and only
 * a file that needs more is read again, alone, with the large size.
 */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;
export const LARGE_OBJECT_BYTES = 512 * 1024 * 1024;
/**
 * Longest line a batch read accepts. read_csv allocates a buffer of 16x this per file it
 * scans (64 MiB asked for a 1 GiB block per file), so batch reads use 2 MiB and a file with a
 * longer line is read again alone (the tolerant path) with MAX_LINE_BYTES.
 */
export const BATCH_LINE_BYTES = 2 * 1024 * 1024;
/** A line longer than this fails its file (with the reason) instead of exhausting memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** `compression=` value for read_json / read_csv (they spell "none" differently). */
export function jsonCompression(c: Compression): string {
  return c === 'gzip' ? `'gzip'` : `'uncompressed'`;
}
export function csvCompression(c: Compression): string {
  return c === 'gzip' ? `'gzip'` : `'none'`;
}

/** SQL that expands to a VARCHAR[] of the given paths, with the JSON text bound as `$name`. */
export function pathList(name: string): string {
  return `from_json($${name}, '["VARCHAR"]')`;
}

/** A subquery of (p, id) rows: maps the `filename` column of a multi-file read to file ids. */
export function fileMap(name: string): string {
  return `(SELECT unnest(from_json($${name}, '[{"p":"VARCHAR","id":"INTEGER"}]'), recursive := true))`;
}

export interface StagedFile {
  fileId: number;
  localPath: string;
}

export function mapParams(files: StagedFile[]): { paths: string; map: string } {
  return {
    paths: JSON.stringify(files.map((f) => f.localPath)),
    map: JSON.stringify(files.map((f) => ({ p: f.localPath, id: f.fileId }))),
  };
}

/** One line per row, exactly as written (blank lines too, so ordinality is the line number). */
export function readLines(param: string, compression: Compression, maxLine = BATCH_LINE_BYTES): string {
  return `read_csv($${param}, columns={'line': 'VARCHAR'}, header=false, delim=chr(1), quote='', escape='',
    auto_detect=false, strict_mode=false, max_line_size=${maxLine}, compression=${csvCompression(compression)}) WITH ORDINALITY`;
}

export async function rows<T>(conn: Conn, sql: string, params?: Params): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJson() as T[];
}

export async function exec(conn: Conn, sql: string, params?: Params): Promise<number> {
  const result = await conn.run(sql, params);
  return Number(result.rowsChanged);
}
