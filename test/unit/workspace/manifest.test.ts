import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import {
  readManifest,
  sha256File,
  verifyManifest,
  writeManifest,
  type Manifest,
  type ManifestEntry,
} from '../../../electron/engine/workspace/manifest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-manifest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function entry(
  fileId: number,
  path: string,
  content: string | null,
  extra: Partial<ManifestEntry> = {},
): ManifestEntry {
  return {
    fileId,
    path,
    localPath: null,
    size: content === null ? 0 : Buffer.byteLength(content),
    sha256: content === null ? null : sha(content),
    type: 'cloudtrail',
    records: 1,
    status: 'loaded',
    reason: null,
    accountId: '111122223333',
    region: 'us-east-1',
    loadedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

describe('manifest verification', () => {
  it('re-hashes files and reports match, mismatch, missing and unverifiable', async () => {
    const same = join(dir, 'same.json.gz');
    const changed = join(dir, 'changed.json.gz');
    const resized = join(dir, 'resized.json.gz');
    const cached = join(dir, 'cache-object.json.gz');
    writeFileSync(same, 'alpha');
    writeFileSync(changed, 'bravo');
    writeFileSync(resized, 'charlie');
    writeFileSync(cached, 'delta');
    const manifest: Manifest = {
      formatVersion: 1,
      caseName: 'c',
      generatedAt: '2025-01-01T00:00:00.000Z',
      files: [
        entry(1, same, 'alpha'),
        entry(2, changed, 'BRAVO'),
        entry(3, resized, 'charlie'),
        entry(4, join(dir, 'gone.json.gz'), 'echo'),
        entry(5, 's3://bucket/AWSLogs/1/CloudTrail/x.json.gz', 'delta', { localPath: cached }),
        entry(6, 's3://bucket/AWSLogs/1/CloudTrail/y.json.gz', 'foxtrot'),
        entry(7, join(dir, 'failed.json'), null, { status: 'failed' }),
      ],
    };
    appendFileSync(resized, '!');
    const progress: number[] = [];
    const result = await verifyManifest(manifest, {
      report: (p) => p.done !== undefined && progress.push(p.done),
      concurrency: 2,
    });
    expect(result.files.map((f) => f.status)).toEqual([
      'match',
      'mismatch',
      'mismatch',
      'missing',
      'match',
      'unverifiable',
      'unverifiable',
    ]);
    expect(result.counts).toEqual({ match: 2, mismatch: 2, missing: 1, unverifiable: 2 });
    expect(result.ok).toBe(false);
    expect(result.files[1]?.reason).toBe('content changed');
    expect(result.files[2]?.reason).toMatch(/size changed from 7 to 8/);
    expect(result.files[4]?.checkedPath).toBe(cached);
    expect(result.files[3]?.reason).toMatch(/no longer exists/);
    expect(Math.max(...progress)).toBe(7);
  });

  it('is ok when every file matches', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, 'x'.repeat(1_000_000));
    const manifest: Manifest = {
      formatVersion: 1,
      caseName: 'c',
      generatedAt: 'now',
      files: [entry(1, file, 'x'.repeat(1_000_000))],
    };
    const result = await verifyManifest(manifest);
    expect(result.ok).toBe(true);
    expect(await sha256File(file)).toEqual({ sha256: sha('x'.repeat(1_000_000)), size: 1_000_000 });
  });

  it('stops when cancelled', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, 'abc');
    const controller = new AbortController();
    controller.abort();
    const manifest: Manifest = { formatVersion: 1, caseName: 'c', generatedAt: 'now', files: [entry(1, file, 'abc')] };
    await expect(verifyManifest(manifest, { signal: controller.signal })).rejects.toMatchObject({
      code: 'JOB_CANCELLED',
    });
  });

  it('round-trips through manifest.json and refuses a damaged one', async () => {
    const manifest: Manifest = { formatVersion: 1, caseName: 'c', generatedAt: 'now', files: [entry(1, '/x', 'y')] };
    await writeManifest(dir, manifest);
    expect(await readManifest(dir)).toEqual(manifest);
    writeFileSync(join(dir, 'manifest.json'), '{"formatVersion":1,"files":"nope"}');
    const error = await readManifest(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).code).toBe('WORKSPACE_CORRUPT');
    expect((error as LoupeError).message).toMatch(/manifest\.json is damaged/);
  });
});
