import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { LoupeError } from '../../../shared/errors';
import type { Database } from '../db/database';
import type { JobContext } from '../jobs/job-registry';
import { writeFileAtomic } from './atomic-file';
import { describeIssues } from './case-state';
import { errnoOf, nodeFs, type WorkspaceFs } from './fs-seam';

/**
 * `manifest.json`: the chain-of-custody record of a case, one entry per source file with the
 * SHA-256, size, time and origin recorded when it was loaded (a copy of the `files` table, so
 * it can be read and checked without DuckDB). `verifyManifest` re-hashes every file that is
 * still reachable and says which match, which changed and which are gone.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT_VERSION = 1;

const manifestEntrySchema = z.object({
  fileId: z.number().int(),
  path: z.string().max(8192),
  localPath: z.string().max(8192).nullable(),
  size: z.number().min(0),
  sha256: z.string().max(64).nullable(),
  type: z.string().max(40),
  records: z.number().min(0),
  status: z.string().max(40),
  reason: z.string().max(10_000).nullable(),
  accountId: z.string().max(20).nullable(),
  region: z.string().max(40).nullable(),
  loadedAt: z.string().max(40),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const manifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  caseName: z.string().max(200),
  generatedAt: z.string().max(40),
  files: z.array(manifestEntrySchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export function emptyManifest(caseName: string, now: Date = new Date()): Manifest {
  return { formatVersion: MANIFEST_FORMAT_VERSION, caseName, generatedAt: now.toISOString(), files: [] };
}

/** Reads the `files` table into a manifest. Sizes are DOUBLE so multi-GB files stay numbers. */
export async function buildManifest(
  db: Database,
  caseName: string,
  options: { signal?: AbortSignal } = {},
): Promise<Manifest> {
  const files = await db.all<ManifestEntry>(
    `SELECT file_id::INTEGER AS "fileId", path, local_path AS "localPath", CAST(size AS DOUBLE) AS size,
            lower(sha256) AS sha256, type, CAST(records AS DOUBLE) AS records, status, reason,
            account_id AS "accountId", region, iso_ts(loaded_at) AS "loadedAt"
       FROM files ORDER BY file_id`,
    undefined,
    { signal: options.signal, timeoutMs: 60_000 },
  );
  return { formatVersion: MANIFEST_FORMAT_VERSION, caseName, generatedAt: new Date().toISOString(), files };
}

export async function writeManifest(dir: string, manifest: Manifest, fs: WorkspaceFs = nodeFs): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', fs);
}

export async function readManifest(dir: string, fs: WorkspaceFs = nodeFs): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = (await fs.readFile(path)).toString('utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') {
      throw new LoupeError('WORKSPACE_CORRUPT', `The case ${dir} has no ${MANIFEST_FILE}.`, {
        hint: 'Save the case again to rebuild the manifest from its database.',
      });
    }
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LoupeError('WORKSPACE_CORRUPT', `${path} is damaged (not valid JSON: ${(error as Error).message}).`, {
      hint: 'Save the case again to rebuild the manifest from its database.',
    });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LoupeError('WORKSPACE_CORRUPT', `${path} is damaged: ${describeIssues(parsed.error)}.`, {
      hint: 'Save the case again to rebuild the manifest from its database.',
    });
  }
  return parsed.data;
}

export type VerifyStatus = 'match' | 'mismatch' | 'missing' | 'unverifiable';

export interface VerifiedFile {
  fileId: number;
  path: string;
  /** The file that was hashed (the local copy for S3 objects), or null if none could be. */
  checkedPath: string | null;
  status: VerifyStatus;
  expectedSha256: string | null;
  actualSha256: string | null;
  expectedSize: number;
  actualSize: number | null;
  reason: string | null;
}

export interface ManifestVerification {
  verifiedAt: string;
  /** True when nothing mismatched and nothing is missing. */
  ok: boolean;
  counts: Record<VerifyStatus, number>;
  files: VerifiedFile[];
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(path, { signal }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      size += chunk.length;
      hash.update(chunk);
    }
  });
  return { sha256: hash.digest('hex'), size };
}

/**
 * Re-hashes every file in the manifest (a few at a time, cancellable). S3 objects are checked
 * through their local copy; an object whose copy is gone is "missing", and an entry without a
 * recorded hash (a file that failed to load) is "unverifiable".
 */
export async function verifyManifest(
  manifest: Manifest,
  ctx: Partial<JobContext> & { concurrency?: number } = {},
): Promise<ManifestVerification> {
  const files = manifest.files;
  const results: VerifiedFile[] = new Array(files.length);
  let next = 0;
  let done = 0;
  ctx.report?.({ phase: 'hashing', done: 0, total: files.length });

  const worker = async () => {
    while (next < files.length) {
      const index = next++;
      const entry = files[index];
      if (!entry) continue;
      results[index] = await verifyOne(entry, ctx.signal);
      done++;
      ctx.report?.({ done, message: entry.path });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.concurrency ?? 3, files.length)) }, worker));

  const counts: Record<VerifyStatus, number> = { match: 0, mismatch: 0, missing: 0, unverifiable: 0 };
  for (const r of results) counts[r.status]++;
  return {
    verifiedAt: new Date().toISOString(),
    ok: counts.mismatch === 0 && counts.missing === 0,
    counts,
    files: results,
  };
}

async function verifyOne(entry: ManifestEntry, signal?: AbortSignal): Promise<VerifiedFile> {
  const remote = /^s3:\/\//i.test(entry.path);
  const checkedPath = entry.localPath ?? (remote ? null : entry.path);
  const base = {
    fileId: entry.fileId,
    path: entry.path,
    checkedPath,
    expectedSha256: entry.sha256,
    expectedSize: entry.size,
  };
  if (!entry.sha256) {
    return {
      ...base,
      status: 'unverifiable',
      actualSha256: null,
      actualSize: null,
      reason: 'no hash was recorded when the file was loaded',
    };
  }
  if (!checkedPath) {
    return {
      ...base,
      status: 'unverifiable',
      actualSha256: null,
      actualSize: null,
      reason: 'remote object with no local copy',
    };
  }
  try {
    const actual = await sha256File(checkedPath, signal);
    const same = actual.sha256 === entry.sha256.toLowerCase() && actual.size === entry.size;
    return {
      ...base,
      status: same ? 'match' : 'mismatch',
      actualSha256: actual.sha256,
      actualSize: actual.size,
      reason: same
        ? null
        : actual.size !== entry.size
          ? `size changed from ${entry.size} to ${actual.size} bytes`
          : 'content changed',
    };
  } catch (error) {
    if (signal?.aborted) throw new LoupeError('JOB_CANCELLED', 'Manifest verification was cancelled.');
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') {
      return {
        ...base,
        status: 'missing',
        actualSha256: null,
        actualSize: null,
        reason: `${checkedPath} no longer exists`,
      };
    }
    return {
      ...base,
      status: 'missing',
      actualSha256: null,
      actualSize: null,
      reason: `${checkedPath} could not be read (${errno ?? (error as Error).message})`,
    };
  }
}
