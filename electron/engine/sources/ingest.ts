import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import type { JobContext } from '../jobs/job-registry';
import { ArchiveScratch } from '../locate/archives';
import { parseKeyLayout } from '../locate/key-layout';
import { locateInputs } from '../locate/locate';
import type { LocatedFile, LocateProblem, Locator } from '../locate/types';
import { cloudtrailLoader } from './cloudtrail/loader';
import { detect, guessType, type Detection } from './detect';
import { dnsLoader } from './dns/loader';
import { describeLoadError } from './duckdb-errors';
import { verifyGzip } from './gzip-check';
import type { LoadFile, Loader, StageStats } from './loader';
import { insertFileRows, insertFileRowsDb, loadedHashes, reserveFileIds, type FileRow } from './manifest';
import { sniffFile } from './sniff';
import type { Conn } from './sql';
import { parseFlowFormatOption } from './vpcflow/fields';
import { vpcflowLoader } from './vpcflow/loader';

export interface IngestReport {
  filesSeen: number;
  filesLoaded: number;
  filesSkipped: number;
  filesFailed: number;
  filesDuplicate: number;
  /** Rows added by this call. */
  events: { cloudtrail: number; vpcflow: number; dns: number };
  failures: Array<{ path: string; status: 'failed' | 'skipped'; reason: string }>;
  elapsedMs: number;
}

export interface IngestOptions {
  /** Header line (or AWS `${field}` format) to read header-less flow log files with. */
  flowFormat?: string;
  /** Extra locators tried before the local one (an S3 locator plugs in here). */
  locators?: readonly Locator[];
}

/** Files per statement and bytes (on disk) per statement: big enough to keep both cores busy, small enough to bisect. */
const BATCH_FILES = 2000;
const BATCH_BYTES = 128 * 1024 * 1024;
const SNIFF_CONCURRENCY = 4;
const LOAD_TIMEOUT_MS = 60 * 60_000;

const LOADERS: Record<'cloudtrail' | 'vpcflow' | 'dns', Loader> = {
  cloudtrail: cloudtrailLoader,
  vpcflow: vpcflowLoader,
  dns: dnsLoader,
};

interface Candidate {
  file: LocatedFile;
  sha256: string | null;
  size: number;
  detection: Detection;
}

/**
 * Loads files and folders into the case: find the files, hash and sniff each one, skip what
 * is already loaded (same SHA-256), load the rest in batches of one statement each, and record
 * every file's outcome in `files`. A bad file never stops the load; cancel stops it between
 * (and inside) statements, keeping what was already committed.
 */
export async function ingestPaths(
  db: Database,
  inputs: string[],
  ctx: JobContext,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = Date.now();
  const flowFormat = options.flowFormat?.trim() ? parseFlowFormatOption(options.flowFormat) : undefined;
  ctx.report({ phase: 'locate', done: 0, total: null, message: 'Finding files' });
  const located = await locateInputs(inputs, ctx, options.locators ?? []);
  return ingestLocated(db, located.files, ctx, { flowFormat, problems: located.problems, started });
}

/** The same, for files another locator already found (an S3 download, a test). */
export async function ingestFiles(
  db: Database,
  files: LocatedFile[],
  ctx: JobContext,
  options: { flowFormat?: string; problems?: LocateProblem[] } = {},
): Promise<IngestReport> {
  const flowFormat = options.flowFormat?.trim() ? parseFlowFormatOption(options.flowFormat) : undefined;
  return ingestLocated(db, files, ctx, { flowFormat, problems: options.problems ?? [], started: Date.now() });
}

async function ingestLocated(
  db: Database,
  files: LocatedFile[],
  ctx: JobContext,
  opts: { flowFormat: string[] | undefined; problems: LocateProblem[]; started: number },
): Promise<IngestReport> {
  const report: IngestReport = {
    filesSeen: 0,
    filesLoaded: 0,
    filesSkipped: 0,
    filesFailed: 0,
    filesDuplicate: 0,
    events: { cloudtrail: 0, vpcflow: 0, dns: 0 },
    failures: [],
    elapsedMs: 0,
  };
  const scratch = new ArchiveScratch();
  try {
    ctx.report({ phase: 'read', done: 0, total: files.length, message: `Checking ${files.length} files` });
    const { candidates, problems } = await sniffAll(files, scratch, ctx, opts.flowFormat);
    problems.unshift(...opts.problems);
    checkCancel(ctx);

    // Same bytes as a loaded file, or as an earlier file in this call: not read again.
    const known = await loadedHashes(
      db,
      [...new Set(candidates.flatMap((c) => (c.sha256 ? [c.sha256] : [])))],
      ctx.signal,
    );
    const toLoad: Candidate[] = [];
    const settled: Array<{ candidate: Candidate; status: FileRow['status']; reason: string | null }> = [];
    const firstPath = new Map<string, string>();
    for (const c of candidates) {
      const sha = c.sha256 ?? '';
      if (c.detection.action === 'load' && known.has(sha)) {
        settled.push({
          candidate: c,
          status: 'duplicate',
          reason: 'same SHA-256 as a file already loaded into this case',
        });
      } else if (c.detection.action === 'load' && firstPath.has(sha)) {
        settled.push({ candidate: c, status: 'duplicate', reason: `same content as ${firstPath.get(sha)}` });
      } else if (c.detection.action === 'load') {
        firstPath.set(sha, c.file.path);
        toLoad.push(c);
      } else {
        settled.push({
          candidate: c,
          status: c.detection.action === 'fail' ? 'failed' : 'skipped',
          reason: c.detection.reason ?? null,
        });
      }
    }

    const ids = await reserveFileIds(db, candidates.length + problems.length, ctx.signal);
    let next = 0;
    const takeId = () => ids[next++] ?? 0;
    const loadFiles = toLoad.map((c) => ({ candidate: c, load: toLoadFile(c, takeId()) }));
    const rows: FileRow[] = settled.map((s) => fileRow(s.candidate, takeId(), s.status, s.reason, 0));
    for (const p of problems) rows.push(problemRow(p, takeId()));
    await insertFileRowsDb(db, rows, ctx.signal);
    for (const r of rows) count(report, r);

    const total = candidates.length + problems.length;
    let done = rows.length;
    ctx.report({ phase: 'load', done, total, message: `Loading ${loadFiles.length} files` });
    for (const batch of makeBatches(loadFiles)) {
      checkCancel(ctx);
      const outcome = await loadBatch(db, batch, ctx);
      for (const r of outcome.rows) count(report, r);
      report.events[outcome.table] += outcome.added;
      done += batch.length;
      const events = report.events.cloudtrail + report.events.vpcflow + report.events.dns;
      ctx.report({
        done,
        total,
        message: `Loaded ${done} of ${total} files, ${events.toLocaleString('en-US')} events`,
      });
    }
    report.elapsedMs = Date.now() - opts.started;
    ctx.report({ phase: 'load', done: total, total, message: `Loaded ${report.filesLoaded} files` });
    return report;
  } finally {
    await scratch.dispose();
  }
}

/** Hashes and sniffs every file (a few at a time); archives are opened and their members join the queue. */
async function sniffAll(
  files: LocatedFile[],
  scratch: ArchiveScratch,
  ctx: JobContext,
  flowFormat: string[] | undefined,
): Promise<{ candidates: Candidate[]; problems: LocateProblem[] }> {
  const queue = [...files];
  const candidates: Candidate[] = [];
  const problems: LocateProblem[] = [];
  let seen = 0;
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      checkCancel(ctx);
      let sniff;
      try {
        sniff = await sniffFile(file.path, file.localPath, ctx.signal);
      } catch (error) {
        checkCancel(ctx);
        problems.push({
          path: file.path,
          status: 'failed',
          reason: `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        });
        continue;
      }
      const detection = detect(sniff, { flowFormat });
      if (detection.action === 'archive' && detection.archive) {
        const expanded = await scratch.expand(file, detection.archive, ctx.signal);
        queue.push(...expanded.files);
        problems.push(...expanded.problems);
      } else {
        candidates.push({ file, sha256: sniff.sha256, size: sniff.size, detection });
      }
      seen += 1;
      if (seen % 25 === 0) ctx.report({ done: seen, total: seen + queue.length, message: `Checked ${seen} files` });
    }
  };
  await Promise.all(Array.from({ length: SNIFF_CONCURRENCY }, worker));
  // Workers finish in any order; a stable order keeps file ids and batches reproducible.
  candidates.sort((a, b) => a.file.path.localeCompare(b.file.path));
  return { candidates, problems };
}

interface BatchItem {
  candidate: Candidate;
  load: LoadFile;
}

function makeBatches(items: BatchItem[]): BatchItem[][] {
  const groups = new Map<string, BatchItem[]>();
  for (const item of items) {
    const d = item.load.detection;
    const key = `${d.type}/${d.format}/${d.compression}`;
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  const batches: BatchItem[][] = [];
  for (const list of groups.values()) {
    let current: BatchItem[] = [];
    let bytes = 0;
    for (const item of list) {
      if (current.length > 0 && (current.length >= BATCH_FILES || bytes + item.candidate.size > BATCH_BYTES)) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += item.candidate.size;
    }
    if (current.length > 0) batches.push(current);
  }
  return batches;
}

interface BatchOutcome {
  table: 'cloudtrail' | 'vpcflow' | 'dns';
  added: number;
  rows: FileRow[];
}

async function loadBatch(db: Database, batch: BatchItem[], ctx: JobContext): Promise<BatchOutcome> {
  const type = batch[0]?.load.detection.type;
  if (type !== 'cloudtrail' && type !== 'vpcflow' && type !== 'dns')
    throw new LoupeError('INTERNAL', `No loader for ${String(type)} files.`);
  const loader = LOADERS[type];
  return db.withConnection(
    async (conn) => {
      await loader.createStage(conn);
      try {
        const failed = new Map<number, string>();
        await stageBisect(conn, loader, batch, failed, ctx);
        const stats = await loader.stats(conn);
        const notes = await explainDamage(batch, stats, failed, ctx);
        await conn.run('BEGIN TRANSACTION');
        try {
          const added = await loader.commit(conn);
          const rows = batch.map(({ candidate, load }) => {
            const failure = failed.get(load.fileId);
            if (failure !== undefined) return fileRow(candidate, load.fileId, 'failed', failure, 0);
            const s = stats.get(load.fileId);
            const records = s?.records ?? 0;
            return fileRow(
              candidate,
              load.fileId,
              'loaded',
              loadNote(s, records, added.get(load.fileId) ?? 0, notes.get(load.fileId)),
              records,
            );
          });
          await insertFileRows(conn, rows);
          await conn.run('COMMIT');
          let total = 0;
          for (const n of added.values()) total += n;
          return { table: loader.table, added: total, rows };
        } catch (error) {
          await conn.run('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        await loader.dropStage(conn).catch(() => undefined);
      }
    },
    { signal: ctx.signal, timeoutMs: LOAD_TIMEOUT_MS },
  );
}

/** Reads a batch in one statement; if it fails, halves it until the bad files stand alone. */
async function stageBisect(
  conn: Conn,
  loader: Loader,
  batch: BatchItem[],
  failed: Map<number, string>,
  ctx: JobContext,
): Promise<void> {
  try {
    await loader.stage(
      conn,
      batch.map((b) => b.load),
    );
  } catch (error) {
    checkCancel(ctx);
    const only = batch[0];
    if (batch.length === 1 && only) {
      failed.set(only.load.fileId, describeLoadError(error, only.load.detection.compression));
      return;
    }
    const mid = Math.ceil(batch.length / 2);
    await stageBisect(conn, loader, batch.slice(0, mid), failed, ctx);
    await stageBisect(conn, loader, batch.slice(mid), failed, ctx);
  }
}

/**
 * DuckDB reads a cut-off gzip without complaint up to the cut, so a file whose last line is
 * broken, or that failed mid-document, gets its gzip stream checked here (only those files).
 */
async function explainDamage(
  batch: BatchItem[],
  stats: Map<number, StageStats>,
  failed: Map<number, string>,
  ctx: JobContext,
): Promise<Map<number, string>> {
  const notes = new Map<number, string>();
  for (const { load } of batch) {
    if (load.detection.compression !== 'gzip') continue;
    const failure = failed.get(load.fileId);
    const suspicious =
      failure !== undefined
        ? /truncated|invalid JSON|corrupt/i.test(failure)
        : stats.get(load.fileId)?.lastLineBad === true;
    if (!suspicious) continue;
    const problem = await verifyGzip(load.localPath, ctx.signal);
    if (problem === null) continue;
    if (failure !== undefined) failed.set(load.fileId, `corrupt gzip: ${problem}`);
    else notes.set(load.fileId, `corrupt gzip: ${problem}; the records before the damage were loaded`);
  }
  return notes;
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

function toLoadFile(c: Candidate, fileId: number): LoadFile {
  return {
    fileId,
    path: c.file.path,
    localPath: c.file.localPath,
    detection: c.detection,
    layout: parseKeyLayout(c.file.path),
  };
}

function fileRow(
  c: Candidate,
  fileId: number,
  status: FileRow['status'],
  reason: string | null,
  records: number,
): FileRow {
  const layout = parseKeyLayout(c.file.path);
  const d = c.detection;
  return {
    fileId,
    path: c.file.path,
    localPath: c.file.localPath === c.file.path ? null : c.file.localPath,
    size: c.size,
    sha256: c.sha256,
    type: d.type,
    records,
    status,
    reason,
    accountId: layout.accountId,
    region: layout.region,
    format: d.format === 'none' ? null : d.format,
    compression: d.compression,
  };
}

function problemRow(p: LocateProblem, fileId: number): FileRow {
  const layout = parseKeyLayout(p.path);
  return {
    fileId,
    path: p.path,
    localPath: null,
    size: 0,
    sha256: null,
    type: guessType(p.path),
    records: 0,
    status: p.status,
    reason: p.reason,
    accountId: layout.accountId,
    region: layout.region,
    format: null,
    compression: null,
  };
}

function count(report: IngestReport, row: FileRow): void {
  report.filesSeen += 1;
  if (row.status === 'loaded') report.filesLoaded += 1;
  else if (row.status === 'duplicate') report.filesDuplicate += 1;
  else {
    if (row.status === 'failed') report.filesFailed += 1;
    else report.filesSkipped += 1;
    report.failures.push({ path: row.path, status: row.status, reason: row.reason ?? '' });
  }
}

function checkCancel(ctx: JobContext): void {
  if (ctx.signal.aborted)
    throw new LoupeError('JOB_CANCELLED', 'Loading the logs was cancelled; files already loaded stay in the case.');
}
