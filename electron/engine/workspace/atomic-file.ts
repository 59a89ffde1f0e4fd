import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { LoupeError } from '../../../shared/errors';
import { errnoOf, nodeFs, type FileSink, type WorkspaceFs } from './fs-seam';

/**
 * Crash-safe file replacement: the bytes go to a temp file in the same folder, are fsynced,
 * and only then renamed over the target (rename is atomic within one file system), so a reader
 * sees either the old file or the new one, never half of either. A failed write removes its
 * temp file and leaves the target exactly as it was.
 */
export interface AtomicWriter {
  readonly path: string;
  write(chunk: string | Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly bytes: number;
  /** fsync, rename over the target, fsync the folder. */
  commit(): Promise<void>;
  /** Drops the temp file; the target is untouched. Safe to call after a failed write. */
  abort(): Promise<void>;
}

export function tempPathFor(path: string): string {
  return join(dirname(path), `${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function openAtomic(path: string, fs: WorkspaceFs = nodeFs): Promise<AtomicWriter> {
  const temp = tempPathFor(path);
  let sink: FileSink;
  try {
    sink = await fs.createExclusive(temp);
  } catch (error) {
    throw writeError(error, path);
  }
  let bytes = 0;
  let closed = false;
  const closeSink = async () => {
    if (closed) return;
    closed = true;
    await sink.close();
  };
  return {
    path,
    get bytes() {
      return bytes;
    },
    async write(chunk) {
      try {
        await sink.write(chunk);
      } catch (error) {
        throw writeError(error, path);
      }
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    },
    async commit() {
      try {
        await sink.sync();
        await closeSink();
        await fs.rename(temp, path);
      } catch (error) {
        await closeSink().catch(() => undefined);
        await fs.unlink(temp).catch(() => undefined);
        throw writeError(error, path);
      }
      await fs.syncDir(dirname(path));
    },
    async abort() {
      await closeSink().catch(() => undefined);
      await fs.unlink(temp).catch(() => undefined);
    },
  };
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  fs: WorkspaceFs = nodeFs,
): Promise<void> {
  const writer = await openAtomic(path, fs);
  try {
    await writer.write(data);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Turns a failed write into a LoupeError naming the file. Permission problems say how to get
 * out (open read-only, Save As elsewhere); a full disk says nothing already saved was lost.
 */
export function writeError(error: unknown, path: string): LoupeError {
  if (error instanceof LoupeError) return error;
  const errno = errnoOf(error);
  const reason = error instanceof Error ? error.message : String(error);
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new LoupeError(
        'FILE_UNWRITABLE',
        `Cannot write ${path}: the folder is read-only or you lack permission (${errno}).`,
        {
          hint: 'Open the case read-only, or use Save As to copy it to a folder you can write to.',
          details: { errno },
          cause: error,
        },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new LoupeError('DISK_FULL', `Cannot write ${path}: the disk is full (${errno}).`, {
        hint: 'Free some disk space and save again. The previously saved file is unchanged.',
        details: { errno },
        cause: error,
      });
    case 'ENOENT':
      return new LoupeError('FILE_NOT_FOUND', `Cannot write ${path}: its folder no longer exists.`, {
        details: { errno },
        cause: error,
      });
    default:
      return new LoupeError('INTERNAL', `Cannot write ${path}: ${reason}`, { details: { errno }, cause: error });
  }
}
