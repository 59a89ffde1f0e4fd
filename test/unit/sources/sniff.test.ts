import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detect, type SniffInput } from '../../../electron/engine/sources/detect';
import { HashQueue } from '../../../electron/engine/sources/hash-queue';
import { HEAD_BYTES, sniffHead } from '../../../electron/engine/sources/sniff';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-sniff-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const V2 =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const rec = (i: number) =>
  `2 111122223333 eni-1 10.0.0.${i % 250} 10.0.1.1 ${1000 + i} 22 6 1 40 1772323200 1772323260 ACCEPT OK`;

function text(content: string): SniffInput {
  const head = Buffer.from(content);
  return {
    path: '/in/f.log',
    size: head.length,
    raw: head,
    compression: 'none',
    head,
    headComplete: true,
    gzipError: null,
  };
}

describe('sniffHead', () => {
  it('reads only the head of a large gzip file and decompresses enough of it', async () => {
    const body = [V2, ...Array.from({ length: 40_000 }, (_, i) => rec(i))].join('\n');
    const path = join(dir, 'big.log.gz');
    const gz = gzipSync(body);
    writeFileSync(path, gz);
    const sniff = await sniffHead('/shown/big.log.gz', path, new AbortController().signal);
    expect(sniff).toMatchObject({ path: '/shown/big.log.gz', size: gz.length, compression: 'gzip', gzipError: null });
    expect(sniff.head.length).toBe(HEAD_BYTES);
    expect(sniff.head.toString('utf8', 0, V2.length)).toBe(V2);
    expect(detect(sniff)).toMatchObject({ type: 'vpcflow', format: 'flow-text', action: 'load' });
  });

  it('still catches a small gzip cut short', async () => {
    const gz = gzipSync([V2, rec(1), rec(2)].join('\n'));
    const path = join(dir, 'cut.log.gz');
    writeFileSync(path, gz.subarray(0, gz.length - 12));
    const sniff = await sniffHead(path, path, new AbortController().signal);
    expect(sniff.gzipError).toMatch(/truncated/);
  });
});

describe('flow files with blank lines', () => {
  it('are marked so the loader reads them line by line', () => {
    expect(detect(text([V2, rec(1), '', rec(2)].join('\n'))).blankLines).toBe(true);
    expect(detect(text(['', V2, rec(1)].join('\n'))).blankLines).toBe(true);
    expect(detect(text([V2, rec(1), '', rec(2)].join('\r\n'))).blankLines).toBe(true);
  });

  it('are not confused with a final newline', () => {
    expect(detect(text([V2, rec(1), rec(2)].join('\n') + '\n')).blankLines).toBeUndefined();
    expect(detect(text([V2, rec(1), rec(2)].join('\r\n') + '\r\n')).blankLines).toBeUndefined();
  });
});

describe('HashQueue', () => {
  it('hashes every byte, serves repeated asks from one pass, and gives null for a missing file', async () => {
    const paths = Array.from({ length: 5 }, (_, i) => {
      const p = join(dir, `f${i}.bin`);
      writeFileSync(p, Buffer.alloc(300_000 + i, i));
      return p;
    });
    const queue = new HashQueue(new AbortController().signal, 2);
    queue.enqueue(paths);
    const expected = paths.map((_, i) =>
      createHash('sha256')
        .update(Buffer.alloc(300_000 + i, i))
        .digest('hex'),
    );
    expect(await Promise.all(paths.map((p) => queue.get(p)))).toEqual(expected);
    expect(await queue.get(paths[0] as string)).toBe(expected[0]);
    expect(await queue.get(join(dir, 'missing.bin'))).toBeNull();
  });
});
