import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import {
  acquireLock,
  assertLockHeld,
  forceUnlock,
  LOCK_FILE,
  processAlive,
  readLock,
  releaseLock,
} from '../../../electron/engine/workspace/lock';
import { readOnlyFs } from './failing-fs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-lock-'));
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

describe('case.lock', () => {
  it('writes who holds the case and leaves no temp files', async () => {
    const lock = await acquireLock(dir, { host: 'laptop-1', pid: 4242 });
    const onDisk = await readLock(dir);
    expect(onDisk).toMatchObject({ pid: 4242, host: 'laptop-1', app: 'loupe', token: lock.info.token });
    expect(Number.isNaN(Date.parse(onDisk?.startedAt ?? ''))).toBe(false);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('refuses a second writer while the holder runs, naming pid, host and user', async () => {
    await acquireLock(dir, { host: 'laptop-1', pid: 100, isAlive: () => true });
    const error = await caught(acquireLock(dir, { host: 'laptop-1', pid: 200, isAlive: () => true }));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.message).toMatch(/pid 100 on host "laptop-1"/);
    expect(error.hint).toMatch(/read-only/);
  });

  it('refuses a second open from the same process', async () => {
    await acquireLock(dir);
    expect((await caught(acquireLock(dir))).code).toBe('WORKSPACE_LOCKED');
  });

  it('takes over a stale lock whose process is gone', async () => {
    const old = await acquireLock(dir, { host: 'laptop-1', pid: 100 });
    const fresh = await acquireLock(dir, { host: 'laptop-1', pid: 200, isAlive: (pid) => pid !== 100 });
    expect((await readLock(dir))?.token).toBe(fresh.info.token);
    expect(fresh.info.token).not.toBe(old.info.token);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it('respects a lock from another host, which it cannot check', async () => {
    await acquireLock(dir, { host: 'other-box', pid: 100 });
    const error = await caught(acquireLock(dir, { host: 'laptop-1', pid: 200, isAlive: () => false }));
    expect(error.message).toMatch(/host "other-box"/);
  });

  it('treats an unreadable lock as held while fresh and stale once old', async () => {
    const path = join(dir, LOCK_FILE);
    writeFileSync(path, '{"pid": 12');
    const error = await caught(acquireLock(dir));
    expect(error.message).toMatch(/unreadable/);
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(path, old, old);
    const lock = await acquireLock(dir);
    expect((await readLock(dir))?.token).toBe(lock.info.token);
  });

  it('releases only its own lock', async () => {
    const mine = await acquireLock(dir, { host: 'h', pid: 100 });
    await forceUnlock(dir);
    const theirs = await acquireLock(dir, { host: 'h', pid: 200, isAlive: () => true });
    await releaseLock(mine);
    expect((await readLock(dir))?.token).toBe(theirs.info.token);
    const error = await caught(assertLockHeld(mine));
    expect(error.code).toBe('WORKSPACE_LOCKED');
    expect(error.message).toMatch(/taken over by pid 200/);
    await releaseLock(theirs);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('reports a read-only folder as FILE_UNWRITABLE, not as locked', async () => {
    const error = await caught(acquireLock(dir, { fs: readOnlyFs('EROFS') }));
    expect(error.code).toBe('FILE_UNWRITABLE');
    expect(error.message).toContain(dir);
  });

  it('knows this process is alive and a never-used pid is not', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});
