import { basename } from 'node:path';
import type { S3Source, SuppressionOutcome } from '../../../shared/api/schemas';
import { LoupeError, toErrorShape, type LoupeErrorShape } from '../../../shared/errors';
import type { Database } from '../db/database';
import { runDetections, type DetectReport } from '../detect/runner';
import { refreshRollups } from '../investigate/rollups';
import { intelRecordId } from '../intel/case-lists';
import { loadIntelList } from '../intel/lists';
import type { JobContext } from '../jobs/job-registry';
import type { NotifyReport } from '../notify/notify';
import { ingestFiles, ingestPaths, type IngestReport } from '../sources/ingest';
import { fetchS3Sources, isS3Uri, type S3Fetcher, type S3SourceReport } from './s3-sources';

/** What loading evidence asks for: local paths and S3 sources, optional threat/trusted lists. */
export interface CaseLoadInput {
  /** Local files, folders, globs; s3:// URIs here are fetched with default options. */
  paths: string[];
  s3?: S3Source[] | undefined;
  threatLists?: string[] | undefined;
  trustedLists?: string[] | undefined;
  /**
   * Accounts the case has scoped its lists to, by case record id (`threat:<file name>`): a list
   * loaded again keeps its scope unless its file names one (`# accounts:`).
   */
  intelScopes?: Record<string, string[]> | undefined;
  flowFormat?: string | undefined;
  rulesDir?: string | undefined;
  /** Learning period for the behaviour analyzers (case setting); unset = automatic. */
  learningDays?: number | undefined;
}

export type IntelListReport = Awaited<ReturnType<typeof loadIntelList>>;

export interface CaseLoadReport {
  ingest: IngestReport;
  /** One entry per S3 source, with what could not be fetched. */
  s3: S3SourceReport[];
  intel: IntelListReport[];
  /** Lists that could not be read; the load goes on without them (bad input never stops a load). */
  intelFailures: Array<{ path: string; kind: 'threat' | 'trusted'; error: LoupeErrorShape }>;
  detect: DetectReport;
  /** The detection run's clock: findings created or updated by this load have this updatedAt. */
  detectedAt: string;
  /** Filled in by the engine after detection: suppression rules applied, notifications sent. */
  suppression?: SuppressionOutcome | undefined;
  notifications?: NotifyReport[] | undefined;
  elapsedMs: number;
}

export interface LoadOptions {
  /** Where S3 downloads go (inside the case folder). */
  s3CacheDir: string;
  /** The S3 fetcher; tests may pass their own. */
  fetchS3?: S3Fetcher;
}

/**
 * Loads evidence into the case: fetch S3 sources, ingest everything (files already in the case,
 * by SHA-256, are skipped), load the lists, run the detections. Each step announces its phase
 * so every shell shows the same progress. Only "nothing loadable at all" fails the job; a bad
 * file, list or S3 object is reported and skipped.
 */
export async function loadCase(
  db: Database,
  input: CaseLoadInput,
  ctx: JobContext,
  options: LoadOptions,
): Promise<CaseLoadReport> {
  const started = Date.now();
  const local = input.paths.filter((p) => !isS3Uri(p));
  const s3Sources: S3Source[] = [...input.paths.filter(isS3Uri).map((uri) => ({ uri })), ...(input.s3 ?? [])];
  const all = [...local, ...s3Sources.map((s) => s.uri)];
  const ingestOptions = input.flowFormat === undefined ? {} : { flowFormat: input.flowFormat };

  const reports: IngestReport[] = [];
  let s3: S3SourceReport[] = [];
  if (s3Sources.length > 0) {
    ctx.report({ phase: 's3', done: 0, total: null, message: `Fetching ${describe(s3Sources.map((s) => s.uri))}` });
    const fetched = await fetchS3Sources(s3Sources, options.s3CacheDir, ctx, options.fetchS3);
    s3 = fetched.reports;
    checkCancel(ctx);
    ctx.report({ phase: 'ingest', done: 0, total: null, message: `Reading ${fetched.files.length} S3 objects` });
    reports.push(await ingestFiles(db, fetched.files, ctx, { ...ingestOptions, problems: fetched.problems }));
  }
  if (local.length > 0) {
    ctx.report({ phase: 'ingest', done: 0, total: null, message: `Reading ${describe(local)}` });
    reports.push(await ingestPaths(db, local, ctx, ingestOptions));
  }
  const ingest = mergeIngest(reports, Date.now() - started);
  if (ingest.filesLoaded + ingest.filesDuplicate === 0) {
    // An S3 source that failed as a whole explains an empty load better than "nothing loadable".
    const failed = s3.find((r) => r.error)?.error;
    if (failed && local.length === 0) {
      throw new LoupeError(failed.code, failed.message, { hint: failed.hint, details: { s3 } });
    }
    throw nothingLoadable(all, ingest);
  }
  await refreshRollups(db, { signal: ctx.signal });

  ctx.report({ phase: 'intel', done: 0, total: null, message: 'Loading threat and trusted lists' });
  const intel: IntelListReport[] = [];
  const intelFailures: CaseLoadReport['intelFailures'] = [];
  const lists = [
    ...(input.threatLists ?? []).map((path) => ({ path, kind: 'threat' as const })),
    ...(input.trustedLists ?? []).map((path) => ({ path, kind: 'trusted' as const })),
  ];
  for (const [i, list] of lists.entries()) {
    checkCancel(ctx);
    ctx.report({ done: i, total: lists.length, message: `Loading ${list.kind} list ${list.path}` });
    try {
      const scope = input.intelScopes?.[intelRecordId(list.kind, basename(list.path))];
      intel.push(
        await loadIntelList(db, list.path, list.kind, {
          signal: ctx.signal,
          ...(scope?.length ? { defaultAccounts: scope } : {}),
        }),
      );
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      intelFailures.push({ path: list.path, kind: list.kind, error: toErrorShape(error) });
    }
  }

  const { detect, detectedAt } = await redetect(db, ctx, input.rulesDir, input.learningDays);
  return { ingest, s3, intel, intelFailures, detect, detectedAt, elapsedMs: Date.now() - started };
}

/**
 * Runs the detections over what the case holds (`detect:run`, and the end of every load). No
 * explicit CHECKPOINT: it cost ~2 s after detection on a tiny case (the enrichment tables get
 * written out); DuckDB checkpoints on its own and on close.
 */
export async function redetect(
  db: Database,
  ctx: JobContext,
  rulesDir?: string,
  learningDays?: number,
): Promise<{ detect: DetectReport; detectedAt: string }> {
  ctx.report({ phase: 'detect', done: 0, total: null, message: 'Running detections' });
  const now = new Date();
  const detect = await runDetections(db, ctx, {
    now,
    ...(rulesDir === undefined ? {} : { rulesDir }),
    ...(learningDays === undefined ? {} : { learningDays }),
  });
  return { detect, detectedAt: now.toISOString() };
}

function mergeIngest(reports: IngestReport[], elapsedMs: number): IngestReport {
  const merged: IngestReport = {
    filesSeen: 0,
    filesLoaded: 0,
    filesSkipped: 0,
    filesFailed: 0,
    filesDuplicate: 0,
    events: { cloudtrail: 0, vpcflow: 0, dns: 0 },
    failures: [],
    elapsedMs,
  };
  for (const r of reports) {
    merged.filesSeen += r.filesSeen;
    merged.filesLoaded += r.filesLoaded;
    merged.filesSkipped += r.filesSkipped;
    merged.filesFailed += r.filesFailed;
    merged.filesDuplicate += r.filesDuplicate;
    merged.events.cloudtrail += r.events.cloudtrail;
    merged.events.vpcflow += r.events.vpcflow;
    merged.events.dns += r.events.dns;
    merged.failures.push(...r.failures);
  }
  return merged;
}

function checkCancel(ctx: JobContext): void {
  if (ctx.signal.aborted) throw new LoupeError('JOB_CANCELLED', 'The load was cancelled.');
}

function describe(paths: string[]): string {
  const first = paths[0] ?? '';
  return paths.length === 1 ? first : `${first} and ${paths.length - 1} more`;
}

function nothingLoadable(paths: string[], report: IngestReport): LoupeError {
  const reasons = report.failures
    .slice(0, 3)
    .map((f) => `${f.path}: ${f.reason}`)
    .join('; ');
  const seen =
    report.filesSeen === 0 ? 'no log files were found' : `none of the ${report.filesSeen} files could be loaded`;
  return new LoupeError(
    'FILE_UNRECOGNISED',
    `Nothing to load from ${describe(paths)}: ${seen}${reasons ? ` (${reasons})` : ''}.`,
    {
      hint: 'Point Loupe at CloudTrail, VPC Flow Logs or Route 53 Resolver query log files (.json, .json.gz, .log.gz), or at a folder holding them.',
      details: { failures: report.failures.slice(0, 50) },
    },
  );
}
