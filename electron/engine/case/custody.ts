import { join } from 'node:path';
import { z } from 'zod';
import type { CustodyRow, CustodyVerification, FileRecord } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import type { JobContext } from '../jobs/job-registry';
import { writeFileAtomic } from '../workspace/atomic-file';
import { nodeFs } from '../workspace/fs-seam';
import { buildManifest, verifyManifest, type ManifestVerification } from '../workspace/manifest';

/**
 * Chain of custody: every source file the case ever saw (the `files` table, paged), where it
 * came from, its SHA-256 and when it was loaded, with the outcome of the last verification
 * (every file re-hashed; S3 objects through their cached copy). The last verification is kept
 * in the case folder as `custody-verification.json`, so it survives a reopen.
 */
export const VERIFICATION_FILE = 'custody-verification.json';

const READ = { timeoutMs: 30_000 };

export async function listCustody(
  db: Database,
  input: { offset: number; limit: number; status?: FileRecord['status'] | undefined },
  verification: ManifestVerification | null,
): Promise<{ total: number; rows: CustodyRow[] }> {
  const where = input.status === undefined ? '' : 'WHERE status = $status';
  const params: Record<string, string> = input.status === undefined ? {} : { status: input.status };
  const total = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM files ${where}`, params, READ);
  const rows = await db.all<Omit<CustodyRow, 'verified'>>(
    `SELECT file_id AS "fileId", path, local_path AS "localPath",
            CASE WHEN starts_with(lower(path), 's3://') THEN 's3' WHEN contains(path, '!/') THEN 'archive' ELSE 'local' END
              AS origin,
            size::DOUBLE AS size, lower(sha256) AS sha256, type, status, reason, records::DOUBLE AS records,
            account_id AS "accountId", region, iso_ts(loaded_at) AS "loadedAt"
       FROM files ${where}
      ORDER BY file_id
      LIMIT $limit OFFSET $offset`,
    { ...params, limit: input.limit, offset: input.offset },
    READ,
  );
  const byId = new Map((verification?.files ?? []).map((f) => [f.fileId, f]));
  return {
    total: total?.n ?? 0,
    rows: rows.map((r) => {
      const v = byId.get(r.fileId);
      return { ...r, verified: v ? { status: v.status, actualSha256: v.actualSha256, reason: v.reason } : null };
    }),
  };
}

export function verificationSummary(v: ManifestVerification | null): CustodyVerification | null {
  return v ? { verifiedAt: v.verifiedAt, ok: v.ok, counts: v.counts } : null;
}

/** Re-hashes every file of the case (a job). */
export async function verifyCustody(db: Database, caseName: string, ctx: JobContext): Promise<ManifestVerification> {
  ctx.report({ phase: 'manifest', done: 0, total: null, message: 'Reading the file manifest' });
  const manifest = await buildManifest(db, caseName, { signal: ctx.signal });
  return verifyManifest(manifest, ctx);
}

export async function saveVerification(caseDir: string, verification: ManifestVerification): Promise<void> {
  await writeFileAtomic(join(caseDir, VERIFICATION_FILE), JSON.stringify(verification, null, 2) + '\n', nodeFs);
}

const storedSchema = z.object({
  verifiedAt: z.string().max(40),
  ok: z.boolean(),
  counts: z.object({ match: z.number(), mismatch: z.number(), missing: z.number(), unverifiable: z.number() }),
  files: z
    .array(
      z.object({
        fileId: z.number(),
        path: z.string().max(8192),
        checkedPath: z.string().max(8192).nullable(),
        status: z.enum(['match', 'mismatch', 'missing', 'unverifiable']),
        expectedSha256: z.string().max(64).nullable(),
        actualSha256: z.string().max(64).nullable(),
        expectedSize: z.number(),
        actualSize: z.number().nullable(),
        reason: z.string().max(10_000).nullable(),
      }),
    )
    .max(10_000_000),
});

/** The verification kept in the case folder; null when there is none or it is unreadable. */
export async function readVerification(caseDir: string): Promise<ManifestVerification | null> {
  try {
    const parsed = storedSchema.safeParse(
      JSON.parse((await nodeFs.readFile(join(caseDir, VERIFICATION_FILE))).toString('utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
