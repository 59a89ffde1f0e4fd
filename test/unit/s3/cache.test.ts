import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  STALE_PART_MS,
  cachePathFor,
  cachedSize,
  etagTag,
  safeSegment,
  splitExtension,
  sweepStaleParts,
  tempPathFor,
} from '../../../electron/engine/locate/s3/cache';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-s3-cache-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('cache paths', () => {
  it('keeps the key folders and the extension, with the ETag before it', () => {
    const p = cachePathFor(
      root,
      'trail-bucket',
      'AWSLogs/1/CloudTrail/us-east-1/2024/02/10/f_20240210T1005Z_X.json.gz',
      '"9b2cf535f27731c974343645a3985328"',
    );
    expect(p).toBe(
      path.join(
        root,
        'trail-bucket',
        'AWSLogs',
        '1',
        'CloudTrail',
        'us-east-1',
        '2024',
        '02',
        '10',
        'f_20240210T1005Z_X.9b2cf535f27731c9.json.gz',
      ),
    );
  });

  it('gives another file to another version of the same key', () => {
    const a = cachePathFor(root, 'b', 'k/x.log.gz', 'aaaaaaaaaaaaaaaaaaaa-2');
    const b = cachePathFor(root, 'b', 'k/x.log.gz', 'bbbbbbbbbbbbbbbbbbbb-2');
    expect(a).not.toBe(b);
    expect(etagTag('')).toBe('noetag');
  });

  it('never leaves the cache folder, whatever the key', () => {
    for (const key of ['../../etc/passwd', 'a/../../b', '/abs/x', 'a//b', 'c:\\x', '..']) {
      const p = cachePathFor(root, 'b', key, 'e');
      expect(path.resolve(p).startsWith(path.join(root, 'b') + path.sep)).toBe(true);
    }
  });

  it('makes segments portable', () => {
    expect(safeSegment('..')).toBe('_.._'); // also loses its trailing dot on Windows otherwise
    expect(safeSegment('')).toBe('_');
    expect(safeSegment('a:b*c?')).toBe('a_b_c_');
    expect(safeSegment('ends.')).toBe('ends._');
    const long = safeSegment('x'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(120);
    expect(long).not.toBe(safeSegment('x'.repeat(301)));
  });

  it('splits compression extensions with the one before', () => {
    expect(splitExtension('a.json.gz')).toEqual({ stem: 'a', ext: '.json.gz' });
    expect(splitExtension('a.b.log.gz')).toEqual({ stem: 'a.b', ext: '.log.gz' });
    expect(splitExtension('flows.parquet')).toEqual({ stem: 'flows', ext: '.parquet' });
    expect(splitExtension('README')).toEqual({ stem: 'README', ext: '' });
  });
});

describe('cache files', () => {
  it('reports the size of complete files only', async () => {
    const file = path.join(root, 'complete.json.gz');
    fs.writeFileSync(file, 'abc');
    expect(await cachedSize(file)).toBe(3);
    expect(await cachedSize(path.join(root, 'missing.json.gz'))).toBeNull();
    expect(await cachedSize(root)).toBeNull();
  });

  it('sweeps only stale temp files', async () => {
    const dir = path.join(root, 'sweep');
    fs.mkdirSync(dir);
    const final = path.join(dir, 'x.json.gz');
    const stale = tempPathFor(final, 'old');
    const live = tempPathFor(final, 'new');
    fs.writeFileSync(stale, 'partial');
    fs.writeFileSync(live, 'partial');
    fs.writeFileSync(final, 'done');
    const old = new Date(Date.now() - STALE_PART_MS - 60_000);
    fs.utimesSync(stale, old, old);
    fs.utimesSync(final, old, old);
    expect(await sweepStaleParts(dir, Date.now())).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(final), path.basename(live)].sort());
    expect(await sweepStaleParts(path.join(root, 'nope'), Date.now())).toBe(0);
  });
});
