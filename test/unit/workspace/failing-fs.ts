import { nodeFs, type WorkspaceFs } from '../../../electron/engine/workspace/fs-seam';

/** An errno-carrying error like the ones node:fs throws. */
export function fsError(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${path}`), { code, path });
}

/**
 * A real file system whose writes start failing when `when(path)` says so: the first half of
 * the data reaches the disk, then the write throws `code` - what a full disk looks like.
 */
export function diskFullAfterHalf(when: (path: string) => boolean, code = 'ENOSPC'): WorkspaceFs {
  return {
    ...nodeFs,
    async createExclusive(path) {
      const sink = await nodeFs.createExclusive(path);
      if (!when(path)) return sink;
      return {
        ...sink,
        async write(data) {
          const bytes = typeof data === 'string' ? Buffer.from(data) : data;
          await sink.write(bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
          throw fsError(code, path);
        },
      };
    },
  };
}

/** A real file system on which creating, renaming or linking anything fails with `code`. */
export function readOnlyFs(code = 'EROFS'): WorkspaceFs {
  const refuse = (path: string) => Promise.reject(fsError(code, path));
  return {
    ...nodeFs,
    createExclusive: refuse,
    rename: (from) => refuse(from),
    link: (_existing, created) => refuse(created),
    unlink: refuse,
    copyFile: (_from, to) => refuse(to),
    mkdir: refuse,
  };
}
