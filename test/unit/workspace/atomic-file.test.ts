import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import { openAtomic, writeFileAtomic } from '../../../electron/engine/workspace/atomic-file';
import { diskFullAfterHalf, readOnlyFs } from './failing-fs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function caught(promise: Promise<unknown>): Promise<LoupeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoupeError) return error;
    throw error;
  }
  throw new Error('expected a LoupeError');
}

describe('writeFileAtomic', () => {
  it('creates and then replaces a file, leaving no temp files', async () => {
    const file = join(dir, 'case.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['case.json']);
  });

  it('keeps the old content and removes the partial temp file when the disk fills mid-write', async () => {
    const file = join(dir, 'case.json');
    writeFileSync(file, 'previous content');
    const error = await caught(
      writeFileAtomic(
        file,
        'x'.repeat(10_000),
        diskFullAfterHalf(() => true),
      ),
    );
    expect(error.message).toContain(file);
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/disk is full/);
    expect(error.hint).toMatch(/unchanged/);
    expect(readFileSync(file, 'utf8')).toBe('previous content');
    expect(readdirSync(dir)).toEqual(['case.json']);
  });

  it('says the folder is read-only, with a way out, when it cannot create the temp file', async () => {
    const file = join(dir, 'case.json');
    writeFileSync(file, 'previous');
    const error = await caught(writeFileAtomic(file, 'new', readOnlyFs('EACCES')));
    expect(error.code).toBe('FILE_UNWRITABLE');
    expect(error.message).toContain(file);
    expect(error.hint).toMatch(/read-only|Save As/);
    expect(readFileSync(file, 'utf8')).toBe('previous');
  });

  it('streams chunks, counts bytes, and abort leaves the target as it was', async () => {
    const file = join(dir, 'out.jsonl');
    const writer = await openAtomic(file);
    await writer.write('{"a":1}\n');
    await writer.write(Buffer.from('{"b":"é"}\n'));
    expect(writer.bytes).toBe(8 + Buffer.byteLength('{"b":"é"}\n'));
    await writer.abort();
    expect(readdirSync(dir)).toEqual([]);

    const second = await openAtomic(file);
    await second.write('done\n');
    await second.commit();
    expect(readFileSync(file, 'utf8')).toBe('done\n');
  });
});
