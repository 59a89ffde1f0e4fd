import type { S3Source } from '../../../shared/api/schemas';
import { toErrorShape, type LoupeErrorShape } from '../../../shared/errors';
import type { JobContext } from '../jobs/job-registry';
import { fetchS3 } from '../locate/s3';
import type { S3FetchReport, S3SourceOptions } from '../locate/s3';
import type { LocatedFile, LocateProblem } from '../locate/types';

/**
 * S3 sources of a case load: each `s3://bucket/prefix` is listed and downloaded into the case's
 * cache (locate/s3), and its objects go to ingest as files whose `path` is the s3:// URI (what
 * the files table and the custody list show) and whose `localPath` is the cached copy. An S3
 * problem never stops the rest of the load: per-object errors and a source that fails as a
 * whole (no credentials, no such bucket, wrong region) become failed file rows with their code
 * and hint, and the local evidence still loads.
 */
export interface S3SourceReport {
  uri: string;
  listed: number;
  downloaded: number;
  cached: number;
  bytes: number;
  /** Objects that could not be fetched, or the whole source (`uri` = the source) when it failed. */
  failures: Array<{ uri: string; code: string; message: string; hint?: string | undefined }>;
  /** Set when the source failed as a whole. */
  error: LoupeErrorShape | null;
}

export type S3Fetcher = (uri: string, options: S3SourceOptions, ctx: JobContext) => Promise<S3FetchReport>;

/** Hints for per-object failures (the fetcher keeps only code and message per object). */
const OBJECT_HINTS: Record<string, string> = {
  S3_ACCESS_DENIED:
    'The credentials may list the bucket but not read this object: check s3:GetObject and KMS key access.',
  S3_ERROR: 'The object changed or vanished while it was fetched: open the source again to retry it.',
};

export function isS3Uri(path: string): boolean {
  return /^s3:\/\//i.test(path);
}

export async function fetchS3Sources(
  sources: readonly S3Source[],
  cacheDir: string,
  ctx: JobContext,
  fetcher: S3Fetcher = fetchS3,
): Promise<{ files: LocatedFile[]; problems: LocateProblem[]; reports: S3SourceReport[] }> {
  const files: LocatedFile[] = [];
  const problems: LocateProblem[] = [];
  const reports: S3SourceReport[] = [];
  for (const source of sources) {
    if (ctx.signal.aborted) break;
    const report: S3SourceReport = {
      uri: source.uri,
      listed: 0,
      downloaded: 0,
      cached: 0,
      bytes: 0,
      failures: [],
      error: null,
    };
    reports.push(report);
    try {
      const fetched = await fetcher(
        source.uri,
        {
          cacheDir,
          profile: source.profile,
          region: source.region,
          endpoint: source.endpoint,
          // S3-compatible stores (MinIO, s3rver...) are addressed by path, not by virtual host.
          forcePathStyle: source.endpoint ? true : undefined,
          accounts: source.accounts,
          regions: source.regions,
          from: source.from,
          to: source.to,
        },
        ctx,
      );
      Object.assign(report, {
        listed: fetched.listed,
        downloaded: fetched.downloaded,
        cached: fetched.cached,
        bytes: fetched.bytes,
      });
      for (const f of fetched.files) {
        files.push({ path: f.uri, localPath: f.localPath, size: f.size, origin: 's3' });
      }
      for (const failure of fetched.failures) {
        const hint = OBJECT_HINTS[failure.code];
        report.failures.push({ uri: failure.uri, code: failure.code, message: failure.reason, hint });
        problems.push({ path: failure.uri, status: 'failed', reason: describe(failure.code, failure.reason, hint) });
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const shape = toErrorShape(error);
      report.error = shape;
      report.failures.push({ uri: source.uri, code: shape.code, message: shape.message, hint: shape.hint });
      problems.push({ path: source.uri, status: 'failed', reason: describe(shape.code, shape.message, shape.hint) });
    }
  }
  return { files, problems, reports };
}

function describe(code: string, message: string, hint: string | undefined): string {
  return `${code}: ${message}${hint ? ` (${hint})` : ''}`;
}
