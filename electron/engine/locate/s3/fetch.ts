import { dirname } from 'node:path';
import { LoupeError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/job-registry';
import { cachePathFor, cachedSize, sweepStaleParts } from './cache';
import { clientRegion, createS3Client } from './client';
import { downloadObject, isDiskError } from './download';
import { normalizeFilters } from './layout';
import { createLimiter } from './limiter';
import { BucketLister, listSelected, planPrefixes } from './list';
import type { ListedObject } from './list';
import { DownloadProgress } from './progress';
import { FATAL_S3_CODES, toS3Error } from './s3-errors';
import type { S3FetchFailure, S3FetchReport, S3FetchedFile, S3SourceOptions } from './types';
import { formatS3Uri, parseS3Uri } from './uri';

const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 64;

interface Entry {
  object: ListedObject;
  path: string;
  cached: boolean;
}

/**
 * Lists an S3 location (narrowed by the AWSLogs layout and the filters), then downloads every
 * selected object into the cache, reusing complete copies. Objects that cannot be read are
 * reported in `failures` and the rest goes on; problems that would fail every request
 * (credentials, bucket, region, local disk) stop the fetch with a LoupeError.
 */
export async function fetchS3(uri: string, options: S3SourceOptions, ctx: JobContext): Promise<S3FetchReport> {
  const { bucket, prefix } = parseS3Uri(uri);
  const filters = normalizeFilters(options);
  if (!options.cacheDir) {
    throw new LoupeError('INVALID_INPUT', `No cache folder given for ${uri}.`, {
      hint: 'Pass cacheDir: the folder where downloaded logs are kept.',
    });
  }
  const concurrency = Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY)));
  const client = options.client ?? createS3Client(options);
  // Aborted by the caller (ctx.signal) or by a fatal error here, which stops the other workers.
  const internal = new AbortController();
  const signal = AbortSignal.any([ctx.signal, internal.signal]);
  const label = formatS3Uri(bucket, prefix);

  const cancelled = (detail: string): LoupeError =>
    new LoupeError('JOB_CANCELLED', `Fetch of ${label} cancelled ${detail}.`, {
      hint: 'Open it again to resume: files already downloaded are reused from the cache.',
    });

  try {
    const region = await clientRegion(client);
    ctx.report({ phase: 'listing', done: 0, total: null, message: `Listing ${label}` });
    const lister: BucketLister = new BucketLister(client, bucket, signal, createLimiter(concurrency), region, () =>
      ctx.report({ message: `Listing ${label}: ${lister.objectsSeen} objects seen, ${lister.requests} requests` }),
    );
    let prefixes: string[];
    let objects: ListedObject[];
    try {
      prefixes = await planPrefixes(lister, prefix, filters, Date.now());
      objects = await listSelected(lister, prefixes, filters);
    } catch (error) {
      internal.abort();
      if (ctx.signal.aborted) throw cancelled('while listing');
      throw toS3Error(error, { bucket, key: prefix, action: 'list', region });
    }

    const entries: Entry[] = await Promise.all(
      objects.map(async (object) => {
        const path = cachePathFor(options.cacheDir, bucket, object.key, object.etag);
        return { object, path, cached: (await cachedSize(path)) === object.size };
      }),
    );
    const pending = entries.filter((e) => !e.cached);
    const cachedCount = entries.length - pending.length;
    const totalBytes = pending.reduce((sum, e) => sum + e.object.size, 0);
    const progress = new DownloadProgress(ctx, label, pending.length, totalBytes, cachedCount);
    progress.start();

    const now = Date.now();
    await Promise.all([...new Set(pending.map((e) => dirname(e.path)))].map((dir) => sweepStaleParts(dir, now)));

    const done = new Set<Entry>();
    const failures: S3FetchFailure[] = [];
    let bytes = 0;
    let fatal: LoupeError | undefined;
    const target = { client, bucket, region, signal };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const entry = pending[next++];
        if (!entry) return;
        try {
          await downloadObject(target, entry.object, entry.path, (delta) => progress.addBytes(delta));
          done.add(entry);
          bytes += entry.object.size;
          progress.fileDone();
        } catch (error) {
          if (signal.aborted) return;
          const err = toS3Error(error, { bucket, key: entry.object.key, action: 'get', region });
          if (FATAL_S3_CODES.has(err.code) || isDiskError(err)) {
            fatal ??= err;
            internal.abort();
            return;
          }
          failures.push({ uri: formatS3Uri(bucket, entry.object.key), code: err.code, reason: err.message });
        }
      }
    };
    // allSettled: every worker has removed its temp file before this returns, whatever happened.
    await Promise.allSettled(Array.from({ length: Math.min(concurrency, pending.length) }, worker));

    if (ctx.signal.aborted) throw cancelled(`after ${done.size} of ${pending.length} downloads`);
    if (fatal) throw fatal;
    failures.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));

    const files: S3FetchedFile[] = entries
      .filter((e) => e.cached || done.has(e))
      .map((e) => ({
        uri: formatS3Uri(bucket, e.object.key),
        localPath: e.path,
        size: e.object.size,
        etag: e.object.etag,
        fromCache: e.cached,
      }));
    ctx.report({
      done: totalBytes,
      total: totalBytes,
      message: `Fetched ${label}: ${done.size} downloaded, ${cachedCount} from cache, ${failures.length} failed`,
    });
    return {
      listed: entries.length,
      downloaded: done.size,
      cached: cachedCount,
      bytes,
      failures,
      files,
      prefixes,
      listRequests: lister.requests,
    };
  } finally {
    if (!options.client) client.destroy();
  }
}
