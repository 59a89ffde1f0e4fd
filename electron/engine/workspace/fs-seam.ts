import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';

/**
 * The few file operations the workspace and export writers use, behind one interface so tests
 * can make a write fail part-way (a full disk, a folder that turned read-only) without root,
 * mounts or timing tricks. Production code always uses `nodeFs`.
 */
export interface FileSink {
  write(data: string | Uint8Array): Promise<void>;
  /** fsync: the bytes are on disk before the rename that publishes them. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface WorkspaceFs {
  /** Creates a new file; fails with EEXIST if it is already there. */
  createExclusive(path: string): Promise<FileSink>;
  readFile(path: string): Promise<Buffer>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Hard link; the lock uses it because it publishes a complete file atomically. */
  link(existing: string, created: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rm(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<Stats>;
  /** fsync of a directory so a rename survives a power cut; a no-op where the OS refuses it. */
  syncDir(path: string): Promise<void>;
}

export const nodeFs: WorkspaceFs = {
  async createExclusive(path) {
    const handle = await fsp.open(path, 'wx');
    return {
      write: async (data) => {
        await handle.writeFile(data);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  readFile: (path) => fsp.readFile(path),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  link: (existing, created) => fsp.link(existing, created),
  copyFile: (from, to) => fsp.copyFile(from, to, constants.COPYFILE_EXCL),
  mkdir: async (path) => {
    await fsp.mkdir(path, { recursive: true });
  },
  rm: (path) => fsp.rm(path, { recursive: true, force: true }),
  readdir: (path) => fsp.readdir(path),
  stat: (path) => fsp.stat(path),
  async syncDir(path) {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(path, 'r');
      await handle.sync();
    } catch {
      // Windows cannot open or fsync a directory; NTFS journals the rename itself.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  },
};

export function errnoOf(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
