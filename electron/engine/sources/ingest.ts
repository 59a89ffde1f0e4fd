import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import type { JobContext } from '../jobs/job-registry';
import { ArchiveScratch } from '../locate/archives';
import { parseKeyLayout } from '../locate/key-layout';
import { locateInputs } from '../locate/locate';
import type { LocatedFile, LocateProblem, Locator } from '../locate/types';
import { checkCancel, loadBatch } from './batch';
import { cloudtrailLoader } from './cloudtrail/loader';
import { detect, guessType, type Detection } from './detect';
import { dnsLoader } from './dns/loader';
import { HashQueue } from './hash-queue';
import type { LoadFile, Loader } from './loader';
import { insertFileRowsDb, loadedHashes, reserveFileIds, type FileRow } from './manifest';
import { sniffHead } from './sniff';
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

/**
 * DuckDB's memory limit while loading. Measured on the bench case (7M events, 262 MB gzip, two
 * cores): with the case's usual limit (40% of RAM, 9.6 GB here) the load peaked at 3.3 GB RSS and
 * took 95 s; capped at 1 GB it peaked at 1.4 GB and took 73 s (less memory to fault in, no gain
 * from the rest). Detections afterwards get the full limit back.
 */
export const INGEST_MEMORY_LIMIT = '1GB';

/** Files per statement (bytes per statement are the loader's `batchBytes`). */
const BATCH_FILES = 2000;
const SNIFF_CONCURRENCY = 4;
/** Hashing runs beside DuckDB, which has the cores: two streams keep ahead of it. */
const HASH_CONCURRENCY = 2;

const LOADERS: Record<'cloudtrail' | 'vpcflow' | 'dns', Loader> = {
  cloudtrail: cloudtrailLoader,
  vpcflow: vpcflowLoader,
  dns: dnsLoader,
};

interface Candidate {
  file: LocatedFile;
  size: number;
  detection: Detection;
}

/**
 * Loads files and folders into the case: find the files, sniff each one's head, load them in
 * batches of one statement each while their SHA-256 is computed alongside (a file whose bytes
 * are already in the case is skipped before its batch runs), and record every file's outcome
 * in `files`. A bad file never stops the load; cancel stops it between (and inside)
 * statements, keeping what was already committed.
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

interface LocatedOptions {
  flowFormat: string[] | undefined;
  problems: LocateProblem[];
  started: number;
}

function ingestLocated(db: Database, files: LocatedFile[], ctx: JobContext, opts: LocatedOptions) {
  return db.withMemoryCap(INGEST_MEMORY_LIMIT, () => ingestUnderCap(db, files, ctx, opts));
}

async function ingestUnderCap(
  db: Database,
  files: LocatedFile[],
  ctx: JobContext,
  opts: LocatedOptions,
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

    const toLoad = candidates.filter((c) => c.detection.action === 'load');
    const settled = candidates.filter((c) => c.detection.action !== 'load');
    const ids = await reserveFileIds(db, candidates.length + problems.length, ctx.signal);
    let next = 0;
    const takeId = () => ids[next++] ?? 0;
    const batches = makeBatches(toLoad.map((c) => ({ candidate: c, load: toLoadFile(c, takeId()) })));
    const settledIds = settled.map(() => takeId());
    const problemRows = problems.map((p) => problemRow(p, takeId()));
    await insertFileRowsDb(db, problemRows, ctx.signal);
    for (const r of problemRows) count(report, r);

    // Hashes in the order the batches need them; they are computed while earlier batches load.
    const hashes = new HashQueue(ctx.signal, HASH_CONCURRENCY);
    hashes.enqueue(batches.flatMap((b) => b.map((item) => item.load.localPath)));
    hashes.enqueue(settled.map((c) => c.file.localPath));
    const shaOf = new Map<string, string | null>();
    const firstPath = new Map<string, string>();

    const total = candidates.length + problems.length;
    let done = problemRows.length;
    ctx.report({ phase: 'load', done, total, message: `Loading ${toLoad.length} files` });
    for (const batch of batches) {
      checkCancel(ctx);
      const fresh = await dropDuplicates(db, batch, hashes, shaOf, firstPath, ctx);
      const first = fresh.loads[0];
      if (fresh.rows.length > 0) await insertFileRowsDb(db, fresh.rows, ctx.signal);
      for (const r of fresh.rows) count(report, r);
      if (first) {
        const type = first.load.detection.type;
        if (type !== 'cloudtrail' && type !== 'vpcflow' && type !== 'dns')
          throw new LoupeError('INTERNAL', `No loader for ${String(type)} files.`);
        const byId = new Map(fresh.loads.map((item) => [item.load.fileId, item.candidate]));
        const outcome = await loadBatch(
          db,
          LOADERS[type],
          fresh.loads.map((item) => item.load),
          ctx,
          (load, status, reason, records) =>
            fileRow(
              byId.get(load.fileId) as Candidate,
              load.fileId,
              shaOf.get(load.localPath) ?? null,
              status,
              reason,
              records,
            ),
        );
        for (const r of outcome.rows) count(report, r);
        report.events[type] += outcome.added;
      }
      done += batch.length;
      const events = report.events.cloudtrail + report.events.vpcflow + report.events.dns;
      ctx.report({
        done,
        total,
        message: `Loaded ${done} of ${total} files, ${events.toLocaleString('en-US')} events`,
      });
    }

    const settledRows: FileRow[] = [];
    for (const [i, c] of settled.entries()) {
      const status = c.detection.action === 'fail' ? 'failed' : 'skipped';
      const sha = await hashes.get(c.file.localPath);
      settledRows.push(fileRow(c, settledIds[i] ?? 0, sha, status, c.detection.reason ?? null, 0));
    }
    await insertFileRowsDb(db, settledRows, ctx.signal);
    for (const r of settledRows) count(report, r);
    report.elapsedMs = Date.now() - opts.started;
    ctx.report({ phase: 'load', done: total, total, message: `Loaded ${report.filesLoaded} files` });
    return report;
  } finally {
    await scratch.dispose();
  }
}

/**
 * Same bytes as a file already in the case, or as an earlier file of this call: recorded as
 * `duplicate` and not read. Identical files always share a batch group (same detection), and
 * groups are in path order, so "earlier" is the same as in a one-pass scan.
 */
async function dropDuplicates(
  db: Database,
  batch: BatchItem[],
  hashes: HashQueue,
  shaOf: Map<string, string | null>,
  firstPath: Map<string, string>,
  ctx: JobContext,
): Promise<{ loads: BatchItem[]; rows: FileRow[] }> {
  for (const item of batch) shaOf.set(item.load.localPath, await hashes.get(item.load.localPath));
  const known = await loadedHashes(
    db,
    batch.flatMap((item) => {
      const sha = shaOf.get(item.load.localPath);
      return sha ? [sha] : [];
    }),
    ctx.signal,
  );
  const loads: BatchItem[] = [];
  const rows: FileRow[] = [];
  for (const item of batch) {
    const sha = shaOf.get(item.load.localPath) ?? null;
    const dup = (reason: string) => rows.push(fileRow(item.candidate, item.load.fileId, sha, 'duplicate', reason, 0));
    if (sha !== null && known.has(sha)) dup('same SHA-256 as a file already loaded into this case');
    else if (sha !== null && firstPath.has(sha)) dup(`same content as ${firstPath.get(sha)}`);
    else {
      if (sha !== null) firstPath.set(sha, item.candidate.file.path);
      loads.push(item);
    }
  }
  return { loads, rows };
}

/** Sniffs every file's head (a few at a time); archives are opened and their members join the queue. */
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
        sniff = await sniffHead(file.path, file.localPath, ctx.signal);
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
        candidates.push({ file, size: sniff.size, detection });
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
    // Flow files of one field list share a batch: the fast reader types columns per list.
    const key = `${d.type}/${d.format}/${d.compression}/${(d.flowFields ?? []).join(' ')}`;
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  const batches: BatchItem[][] = [];
  for (const list of groups.values()) {
    const type = list[0]?.load.detection.type;
    const maxBytes = type === 'cloudtrail' || type === 'vpcflow' || type === 'dns' ? LOADERS[type].batchBytes : 1;
    // Even batches: a small tail batch costs a whole commit (1-3 s measured) for little work.
    const totalBytes = list.reduce((sum, item) => sum + item.candidate.size, 0);
    const count = Math.max(Math.ceil(totalBytes / maxBytes), Math.ceil(list.length / BATCH_FILES));
    const target = totalBytes / count;
    const perFiles = Math.ceil(list.length / count);
    let current: BatchItem[] = [];
    let bytes = 0;
    for (const item of list) {
      if (current.length > 0 && (current.length >= perFiles || bytes + item.candidate.size / 2 > target)) {
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
  sha256: string | null,
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
    sha256,
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
