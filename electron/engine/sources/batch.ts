import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import type { JobContext } from '../jobs/job-registry';
import { describeLoadError } from './duckdb-errors';
import { verifyGzip } from './gzip-check';
import type { LoadFile, Loader, StageStats } from './loader';
import { insertFileRows, type FileRow } from './manifest';
import type { Conn } from './sql';

/**
 * Loads one batch of files of one kind into its table. Each attempt is one transaction: the
 * loader's strict `insert` straight into the table, eventID dedupe, then the `files` rows, so
 * a file's events and its manifest row land together or not at all. If the insert fails, the
 * batch is halved until the file at fault stands alone; that file gets the loader's tolerant
 * path (bad lines skipped and counted) or, failing that, a `failed` row with DuckDB's error in
 * plain words. Parts that succeed stay committed.
 */
export type RowFor = (file: LoadFile, status: FileRow['status'], reason: string | null, records: number) => FileRow;

export interface BatchOutcome {
  added: number;
  rows: FileRow[];
}

const LOAD_TIMEOUT_MS = 60 * 60_000;

export async function loadBatch(
  db: Database,
  loader: Loader,
  files: LoadFile[],
  ctx: JobContext,
  rowFor: RowFor,
): Promise<BatchOutcome> {
  return db.withConnection(
    async (conn) => {
      const out: BatchOutcome = { added: 0, rows: [] };
      await loadPart(conn, loader, files, ctx, rowFor, out, (fn) => db.withoutMemoryCap(fn));
      return out;
    },
    { signal: ctx.signal, timeoutMs: LOAD_TIMEOUT_MS },
  );
}

async function loadPart(
  conn: Conn,
  loader: Loader,
  files: LoadFile[],
  ctx: JobContext,
  rowFor: RowFor,
  out: BatchOutcome,
  uncapped: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<void> {
  let failure: unknown;
  try {
    const done = await inTransaction(conn, async () =>
      settle(conn, loader, files, await loader.insert(conn, files), ctx, rowFor),
    );
    merge(out, done);
    return;
  } catch (error) {
    checkCancel(ctx);
    failure = error;
  }
  const only = files[0];
  if (files.length > 1 || !only) {
    const mid = Math.ceil(files.length / 2);
    await loadPart(conn, loader, files.slice(0, mid), ctx, rowFor, out, uncapped);
    await loadPart(conn, loader, files.slice(mid), ctx, rowFor, out, uncapped);
    return;
  }
  const tolerant = loader.insertTolerant?.bind(loader);
  if (tolerant) {
    try {
      // The tolerant read allows long lines and large documents: its buffers need the case's
      // whole memory limit, not the ingest's cap.
      const done = await uncapped(() =>
        inTransaction(conn, async () => settle(conn, loader, files, await tolerant(conn, only), ctx, rowFor)),
      );
      merge(out, done);
      return;
    } catch (error) {
      checkCancel(ctx);
      failure = error;
    }
  }
  const row = rowFor(only, 'failed', await failureReason(only, failure, ctx), 0);
  await insertFileRows(conn, [row]);
  out.rows.push(row);
}

function merge(out: BatchOutcome, part: BatchOutcome): void {
  out.added += part.added;
  out.rows.push(...part.rows);
}

async function inTransaction<T>(conn: Conn, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const result = await fn();
    await conn.run('COMMIT');
    return result;
  } catch (error) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** After the insert, inside its transaction: dedupe, damage notes, and the files' rows. */
async function settle(
  conn: Conn,
  loader: Loader,
  files: LoadFile[],
  stats: Map<number, StageStats>,
  ctx: JobContext,
  rowFor: RowFor,
): Promise<BatchOutcome> {
  const removed = loader.dedupe
    ? await loader.dedupe(
        conn,
        files.map((f) => f.fileId),
      )
    : new Map<number, number>();
  const rows: FileRow[] = [];
  let added = 0;
  for (const file of files) {
    const s = stats.get(file.fileId);
    const records = s?.records ?? 0;
    const kept = records - (removed.get(file.fileId) ?? 0);
    added += kept;
    rows.push(rowFor(file, 'loaded', loadNote(s, records, kept, await damageNote(file, s, ctx)), records));
  }
  await insertFileRows(conn, rows);
  return { added, rows };
}

/**
 * DuckDB reads a cut-off gzip without complaint up to the cut, so a file whose last line is
 * broken gets its gzip stream checked in Node (only those files).
 */
async function damageNote(file: LoadFile, stats: StageStats | undefined, ctx: JobContext): Promise<string | undefined> {
  if (file.detection.compression !== 'gzip' || stats?.lastLineBad !== true) return undefined;
  const problem = await verifyGzip(file.localPath, ctx.signal);
  return problem === null ? undefined : `corrupt gzip: ${problem}; the records before the damage were loaded`;
}

async function failureReason(file: LoadFile, error: unknown, ctx: JobContext): Promise<string> {
  const reason = describeLoadError(error, file.detection.compression);
  if (file.detection.compression !== 'gzip' || !/truncated|invalid JSON|corrupt/i.test(reason)) return reason;
  const problem = await verifyGzip(file.localPath, ctx.signal);
  return problem === null ? reason : `corrupt gzip: ${problem}`;
}

function loadNote(
  stats: StageStats | undefined,
  records: number,
  added: number,
  damage: string | undefined,
): string | null {
  const parts: string[] = [];
  if (damage) parts.push(damage);
  if (stats && stats.badLines > 0) {
    parts.push(
      `${stats.badLines} ${stats.badLines === 1 ? 'line was' : 'lines were'} skipped (${stats.badWhat}; first at line ${stats.firstBadLine ?? '?'})`,
    );
  }
  if (added < records) {
    const dup = records - added;
    parts.push(`${dup} of ${records} events were already loaded (same eventID)`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

export function checkCancel(ctx: JobContext): void {
  if (ctx.signal.aborted)
    throw new LoupeError('JOB_CANCELLED', 'Loading the logs was cancelled; files already loaded stay in the case.');
}
