import { LoupeError, toErrorShape, type LoupeErrorShape } from '../../../shared/errors';
import type { Database } from '../db/database';
import { runDetections, type DetectReport } from '../detect/runner';
import { loadIntelList } from '../intel/lists';
import type { JobContext } from '../jobs/job-registry';
import { ingestPaths, type IngestReport } from '../sources/ingest';

/** What opening a case asks for: evidence paths and optional threat/trusted lists. */
export interface CaseLoadInput {
  paths: string[];
  threatLists?: string[] | undefined;
  trustedLists?: string[] | undefined;
  flowFormat?: string | undefined;
  rulesDir?: string | undefined;
}

export type IntelListReport = Awaited<ReturnType<typeof loadIntelList>>;

export interface CaseLoadReport {
  ingest: IngestReport;
  intel: IntelListReport[];
  /** Lists that could not be read; the load goes on without them (bad input never stops a load). */
  intelFailures: Array<{ path: string; kind: 'threat' | 'trusted'; error: LoupeErrorShape }>;
  detect: DetectReport;
  elapsedMs: number;
}

/**
 * The case-open job: ingest the evidence, load the lists, run the detections. Each step
 * announces its phase so every shell shows the same progress. Only "nothing loadable at all"
 * fails the job; a bad file or list is reported and skipped.
 */
export async function loadCase(db: Database, input: CaseLoadInput, ctx: JobContext): Promise<CaseLoadReport> {
  const started = Date.now();
  ctx.report({ phase: 'ingest', done: 0, total: null, message: `Reading ${describePaths(input.paths)}` });
  const ingestOptions = input.flowFormat === undefined ? undefined : { flowFormat: input.flowFormat };
  const ingest = await ingestPaths(db, input.paths, ctx, ingestOptions);
  if (ingest.filesLoaded + ingest.filesDuplicate === 0) throw nothingLoadable(input.paths, ingest);

  ctx.report({ phase: 'intel', done: 0, total: null, message: 'Loading threat and trusted lists' });
  const intel: IntelListReport[] = [];
  const intelFailures: CaseLoadReport['intelFailures'] = [];
  const lists = [
    ...(input.threatLists ?? []).map((path) => ({ path, kind: 'threat' as const })),
    ...(input.trustedLists ?? []).map((path) => ({ path, kind: 'trusted' as const })),
  ];
  for (const [i, list] of lists.entries()) {
    if (ctx.signal.aborted) break;
    ctx.report({ done: i, total: lists.length, message: `Loading ${list.kind} list ${list.path}` });
    try {
      intel.push(await loadIntelList(db, list.path, list.kind));
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      intelFailures.push({ path: list.path, kind: list.kind, error: toErrorShape(error) });
    }
  }

  ctx.report({ phase: 'detect', done: 0, total: null, message: 'Running detections' });
  // No explicit CHECKPOINT: it cost ~2 s after detection on a tiny case (the enrichment tables
  // get written out); DuckDB checkpoints on its own and on close, and a temp case is thrown away.
  const detect = await runDetections(db, ctx, input.rulesDir === undefined ? undefined : { rulesDir: input.rulesDir });
  return { ingest, intel, intelFailures, detect, elapsedMs: Date.now() - started };
}

/** Re-runs the detections over what the case already holds (`detect:run`). */
export async function redetect(db: Database, ctx: JobContext, rulesDir?: string): Promise<DetectReport> {
  ctx.report({ phase: 'detect', done: 0, total: null, message: 'Running detections' });
  return runDetections(db, ctx, rulesDir === undefined ? undefined : { rulesDir });
}

function describePaths(paths: string[]): string {
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
    `Nothing to load from ${describePaths(paths)}: ${seen}${reasons ? ` (${reasons})` : ''}.`,
    {
      hint: 'Point Loupe at CloudTrail, VPC Flow Logs or Route 53 Resolver query log files (.json, .json.gz, .log.gz), or at a folder holding them.',
      details: { failures: report.failures.slice(0, 50) },
    },
  );
}
