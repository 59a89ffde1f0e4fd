import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { JobContext } from '../jobs/job-registry';
import type { LocateItem, Locator } from './types';

/**
 * Files and folders on disk. Folders are walked recursively in a stable (sorted) order; hidden
 * entries (dot files such as .DS_Store) are left out; symbolic links to folders are not
 * followed (a link loop would never end), links to files are read. Nothing is ever written.
 */
export const localLocator: Locator = {
  name: 'local',
  accepts: (input) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(input),
  locate: (input, ctx) => walkInput(input, ctx),
};

async function* walkInput(input: string, ctx: JobContext): AsyncIterable<LocateItem> {
  const path = resolve(input);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    yield { kind: 'problem', problem: { path, status: 'failed', reason: describeFsError(error) } };
    return;
  }
  if (info.isFile()) {
    yield { kind: 'file', file: { path, localPath: path, size: info.size, origin: 'local' } };
    return;
  }
  if (!info.isDirectory()) {
    yield { kind: 'problem', problem: { path, status: 'skipped', reason: 'not a regular file or folder' } };
    return;
  }
  const seen = new Set<string>([await realpath(path)]);
  yield* walkFolder(path, ctx, seen);
}

async function* walkFolder(folder: string, ctx: JobContext, seen: Set<string>): AsyncIterable<LocateItem> {
  let names: string[];
  try {
    const dir = await opendir(folder);
    names = [];
    for await (const entry of dir) names.push(entry.name);
  } catch (error) {
    yield { kind: 'problem', problem: { path: folder, status: 'failed', reason: describeFsError(error) } };
    return;
  }
  names.sort();
  for (const name of names) {
    if (ctx.signal.aborted) return;
    if (name.startsWith('.')) continue;
    const path = join(folder, name);
    let info;
    try {
      const link = await lstat(path);
      if (link.isSymbolicLink()) {
        info = await stat(path);
        if (info.isDirectory()) continue;
      } else {
        info = link;
      }
    } catch (error) {
      yield { kind: 'problem', problem: { path, status: 'failed', reason: describeFsError(error) } };
      continue;
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (seen.has(real)) continue;
      seen.add(real);
      yield* walkFolder(path, ctx, seen);
    } else if (info.isFile()) {
      yield { kind: 'file', file: { path, localPath: path, size: info.size, origin: 'local' } };
    }
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return 'is a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
