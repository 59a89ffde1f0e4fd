import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LoupeError } from '../../../shared/errors';
import { writeError } from './atomic-file';
import { errnoOf, nodeFs, type WorkspaceFs } from './fs-seam';

/**
 * `case.lock`: one writer per case. The lock file is written complete under a temp name and
 * published with link(2), which fails if the lock exists, so no reader ever sees a half-written
 * lock. A lock whose process is gone (same host, pid not running) is stale and taken over; a
 * lock from another host cannot be checked and is respected, with a way out in the hint.
 * DuckDB also locks case.duckdb, but only this lock can say who holds the case.
 */
export const LOCK_FILE = 'case.lock';

const lockInfoSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string().max(300),
  user: z.string().max(300),
  app: z.string().max(100),
  startedAt: z.string().max(40),
  token: z.string().max(100),
});
export type LockInfo = z.infer<typeof lockInfoSchema>;

export interface LockHandle {
  readonly path: string;
  readonly info: LockInfo;
}

export interface LockOptions {
  fs?: WorkspaceFs;
  /** Seams for tests: who we are and whether a pid is alive. */
  host?: string;
  pid?: number;
  isAlive?: (pid: number) => boolean;
  now?: () => Date;
}

/** An unreadable lock younger than this may still be being written (link-less file systems). */
const UNREADABLE_GRACE_MS = 30_000;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoOf(error) === 'EPERM';
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export async function readLock(dir: string, fs: WorkspaceFs = nodeFs): Promise<LockInfo | null> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(join(dir, LOCK_FILE));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = lockInfoSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function describeHolder(info: LockInfo): string {
  return `pid ${info.pid} on host "${info.host}" (user "${info.user}", since ${info.startedAt})`;
}

export async function acquireLock(dir: string, options: LockOptions = {}): Promise<LockHandle> {
  const fs = options.fs ?? nodeFs;
  const host = options.host ?? hostname();
  const pid = options.pid ?? process.pid;
  const isAlive = options.isAlive ?? processAlive;
  const now = options.now ?? (() => new Date());
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid,
    host,
    user: currentUser(),
    app: 'loupe',
    startedAt: now().toISOString(),
    token: randomBytes(12).toString('hex'),
  };

  for (let attempt = 0; attempt < 3; attempt++) {
    if (await publish(fs, path, info)) return { path, info };
    const existing = await readLock(dir, fs);
    const verdict = await judge(fs, path, existing, { host, pid, isAlive, now });
    if (verdict === 'held') throw lockedError(dir, existing);
    // Stale: move it aside (not unlink) so we can check it is still the lock we judged.
    const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
    try {
      await fs.rename(path, aside);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') continue;
      throw writeError(error, path);
    }
    const moved = await readLockFile(fs, aside);
    if (existing && moved && moved.token !== existing.token) {
      // Someone else replaced the stale lock between our read and our rename: put theirs back.
      await fs.link(aside, path).catch(() => undefined);
      await fs.unlink(aside).catch(() => undefined);
      throw lockedError(dir, moved);
    }
    await fs.unlink(aside).catch(() => undefined);
  }
  throw lockedError(dir, await readLock(dir, fs));
}

async function readLockFile(fs: WorkspaceFs, path: string): Promise<LockInfo | null> {
  try {
    const parsed = lockInfoSchema.safeParse(JSON.parse((await fs.readFile(path)).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes the lock; false if one already exists. */
async function publish(fs: WorkspaceFs, path: string, info: LockInfo): Promise<boolean> {
  const body = JSON.stringify(info, null, 2) + '\n';
  const temp = `${path}.${info.token}.tmp`;
  try {
    const sink = await fs.createExclusive(temp);
    try {
      await sink.write(body);
      await sink.sync();
    } finally {
      await sink.close();
    }
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw writeError(error, path);
  }
  try {
    await fs.link(temp, path);
    return true;
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'EEXIST') return false;
    if (errno === 'EPERM' || errno === 'ENOTSUP' || errno === 'ENOSYS' || errno === 'EXDEV') {
      // File systems without hard links (FAT, some network shares): exclusive create instead.
      return publishExclusive(fs, path, body);
    }
    throw writeError(error, path);
  } finally {
    await fs.unlink(temp).catch(() => undefined);
  }
}

async function publishExclusive(fs: WorkspaceFs, path: string, body: string): Promise<boolean> {
  let sink;
  try {
    sink = await fs.createExclusive(path);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw writeError(error, path);
  }
  try {
    await sink.write(body);
    await sink.sync();
  } finally {
    await sink.close();
  }
  return true;
}

async function judge(
  fs: WorkspaceFs,
  path: string,
  existing: LockInfo | null,
  me: { host: string; pid: number; isAlive: (pid: number) => boolean; now: () => Date },
): Promise<'held' | 'stale'> {
  if (!existing) {
    try {
      const stat = await fs.stat(path);
      return me.now().getTime() - stat.mtimeMs > UNREADABLE_GRACE_MS ? 'stale' : 'held';
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return 'stale';
      throw error;
    }
  }
  if (existing.host !== me.host) return 'held';
  if (existing.pid === me.pid) return 'held';
  return me.isAlive(existing.pid) ? 'held' : 'stale';
}

function lockedError(dir: string, holder: LockInfo | null): LoupeError {
  const who = holder ? describeHolder(holder) : 'another process (its lock file is unreadable)';
  return new LoupeError('WORKSPACE_LOCKED', `The case ${dir} is open for writing by ${who}.`, {
    hint: 'Close it there, or open this case read-only. If that Loupe is no longer running, remove the lock with "Force unlock".',
    details: holder ?? undefined,
  });
}

/** Removes the lock only if it is still ours (someone may have force-unlocked and taken over). */
export async function releaseLock(lock: LockHandle, fs: WorkspaceFs = nodeFs): Promise<void> {
  const dir = dirname(lock.path);
  const current = await readLock(dir, fs).catch(() => null);
  if (current?.token !== lock.info.token) return;
  await fs.unlink(lock.path).catch((error: unknown) => {
    if (errnoOf(error) !== 'ENOENT') throw writeError(error, lock.path);
  });
}

/** Throws WORKSPACE_LOCKED if the lock on disk is no longer `lock` (taken over or removed). */
export async function assertLockHeld(lock: LockHandle, fs: WorkspaceFs = nodeFs): Promise<void> {
  const dir = dirname(lock.path);
  const current = await readLock(dir, fs);
  if (current?.token === lock.info.token) return;
  throw new LoupeError(
    'WORKSPACE_LOCKED',
    current
      ? `The case ${dir} was taken over by ${describeHolder(current)}; this window no longer owns it.`
      : `The lock on case ${dir} was removed by someone else; this window no longer owns it.`,
    { hint: 'Use Save As to keep your changes in a new case folder.', details: current ?? undefined },
  );
}

/** Removes whatever lock is there. For the "Force unlock" action after a crash on another host. */
export async function forceUnlock(dir: string, fs: WorkspaceFs = nodeFs): Promise<LockInfo | null> {
  const previous = await readLock(dir, fs);
  await fs.unlink(join(dir, LOCK_FILE)).catch((error: unknown) => {
    if (errnoOf(error) !== 'ENOENT') throw writeError(error, join(dir, LOCK_FILE));
  });
  return previous;
}
