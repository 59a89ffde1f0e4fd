import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import yauzl from 'yauzl';
import type { LocatedFile, LocateProblem } from './types';

/**
 * Archives (.zip, .tar, .tar.gz/.tgz, a .gz wrapping a zip) are opened into a scratch folder
 * under the OS temp dir, never next to the user's files. Members are written under flat,
 * numbered names (the inner path only ever appears in the display path `archive.zip!/inner`),
 * so no member name can escape the scratch folder. Only regular files are extracted: links,
 * devices and folders are ignored. The scratch folder is removed by `dispose()`, which callers
 * run in a `finally` (errors and cancel included).
 */
export type ArchiveKind = 'zip' | 'tar' | 'gzip-wrapped';

/** Nested archives deeper than this are reported, not opened (an archive bomb guard). */
export const MAX_ARCHIVE_DEPTH = 4;
/** Stops one ingest from filling the disk with an archive bomb. */
export const MAX_EXPANDED_BYTES = 64 * 1024 ** 3;

export interface ExpandResult {
  files: LocatedFile[];
  problems: LocateProblem[];
}

export class ArchiveScratch {
  private dir: string | null = null;
  private creating: Promise<string> | null = null;
  private counter = 0;
  private expandedBytes = 0;

  /** Depth of a display path: how many archives it sits inside. */
  static depth(path: string): number {
    return path.split('!/').length - 1;
  }

  async expand(file: LocatedFile, kind: ArchiveKind, signal: AbortSignal): Promise<ExpandResult> {
    if (ArchiveScratch.depth(file.path) >= MAX_ARCHIVE_DEPTH) {
      return {
        files: [],
        problems: [
          {
            path: file.path,
            status: 'skipped',
            reason: `archive nested more than ${MAX_ARCHIVE_DEPTH} levels deep; not opened`,
          },
        ],
      };
    }
    const dir = await this.folder();
    const result: ExpandResult = { files: [], problems: [] };
    try {
      if (kind === 'zip') await this.expandZip(file, dir, result, signal);
      else if (kind === 'tar') await this.expandTar(file, dir, result, signal);
      else await this.expandGzipWrapped(file, dir, result, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      const extracted = result.files.length;
      result.problems.push({
        path: file.path,
        status: 'failed',
        reason: `${kindLabel(kind)} is corrupt or truncated (${plain(error)})${extracted > 0 ? `; the ${extracted} members before the damage were extracted` : ''}`,
      });
    }
    return result;
  }

  async dispose(): Promise<void> {
    const dir = this.dir ?? (this.creating ? await this.creating.catch(() => null) : null);
    this.dir = null;
    this.creating = null;
    if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** The scratch folder, if one was created (tests check it is gone after dispose). */
  get folderPath(): string | null {
    return this.dir;
  }

  private async folder(): Promise<string> {
    // Several files are sniffed at once: all of them must share one folder (one promise).
    this.creating ??= mkdtemp(join(tmpdir(), 'loupe-archive-')).then((dir) => (this.dir = dir));
    return this.creating;
  }

  private target(dir: string, innerName: string): string {
    this.counter += 1;
    const safe =
      basename(innerName)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .slice(-120) || 'member';
    return join(dir, `${this.counter}-${safe}`);
  }

  private async writeMember(
    source: Readable | AsyncIterable<Buffer>,
    file: LocatedFile,
    innerPath: string,
    dir: string,
    result: ExpandResult,
    signal: AbortSignal,
  ): Promise<void> {
    const localPath = this.target(dir, innerPath);
    let size = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        size += chunk.length;
        this.expandedBytes += chunk.length;
        if (this.expandedBytes > MAX_EXPANDED_BYTES)
          done(new Error(`archives expand to more than ${MAX_EXPANDED_BYTES / 1024 ** 3} GiB`));
        else done(null, chunk);
      },
    });
    await pipeline(source, counter, createWriteStream(localPath), { signal });
    result.files.push({ path: `${file.path}!/${innerPath.replace(/^\/+/, '')}`, localPath, size, origin: 'archive' });
  }

  private async expandZip(file: LocatedFile, dir: string, result: ExpandResult, signal: AbortSignal): Promise<void> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file.localPath, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, z) =>
        err || !z ? reject(err ?? new Error('unreadable zip')) : resolve(z),
      ),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason ?? new Error('cancelled'));
        signal.addEventListener('abort', onAbort, { once: true });
        zip.on('error', reject);
        zip.on('end', () => resolve());
        zip.on('entry', (entry: yauzl.Entry) => {
          if (entry.fileName.endsWith('/')) return zip.readEntry();
          if (entry.isEncrypted()) {
            result.problems.push({
              path: `${file.path}!/${entry.fileName}`,
              status: 'skipped',
              reason: 'encrypted zip member; cannot be read without the password',
            });
            return zip.readEntry();
          }
          zip.openReadStream(entry, (err, stream) => {
            if (err || !stream) {
              result.problems.push({
                path: `${file.path}!/${entry.fileName}`,
                status: 'failed',
                reason: `zip member cannot be read (${plain(err)})`,
              });
              return zip.readEntry();
            }
            this.writeMember(stream, file, entry.fileName, dir, result, signal).then(
              () => zip.readEntry(),
              (e: unknown) => {
                if (signal.aborted) return reject(e);
                result.problems.push({
                  path: `${file.path}!/${entry.fileName}`,
                  status: 'failed',
                  reason: `zip member is corrupt (${plain(e)})`,
                });
                zip.readEntry();
              },
            );
          });
        });
        zip.readEntry();
      });
    } finally {
      zip.close();
    }
  }

  private async expandTar(file: LocatedFile, dir: string, result: ExpandResult, signal: AbortSignal): Promise<void> {
    const writes: Array<Promise<void>> = [];
    const warnings: string[] = [];
    // tar's Parser detects gzip itself, so .tar and .tar.gz/.tgz take the same path.
    const parser = new Parser({
      strict: false,
      onwarn: (_code: string, message: string) => warnings.push(message),
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
          entry.resume();
          return;
        }
        const inner = entry.path;
        writes.push(
          this.writeMember(entry, file, inner, dir, result, signal).catch((e: unknown) => {
            if (signal.aborted) throw e;
            result.problems.push({
              path: `${file.path}!/${inner}`,
              status: 'failed',
              reason: `tar member cannot be read (${plain(e)})`,
            });
          }),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      const input = createReadStream(file.localPath);
      const onAbort = () => {
        input.destroy();
        reject(signal.reason ?? new Error('cancelled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      input.on('error', reject);
      parser.on('error', reject);
      parser.on('close', () => resolve());
      parser.on('end', () => resolve());
      input.pipe(parser);
    });
    await Promise.all(writes);
    const bad = warnings.find((w) => /truncat|invalid|unexpected end|incorrect header|bad archive/i.test(w));
    if (bad) throw new Error(bad);
  }

  /** A .gz around an archive (a renamed .tar.gz is handled by expandTar): unpack it, then the caller sniffs the result again. */
  private async expandGzipWrapped(
    file: LocatedFile,
    dir: string,
    result: ExpandResult,
    signal: AbortSignal,
  ): Promise<void> {
    const inner = basename(file.path).replace(/\.(gz|gzip)$/i, '') || 'content';
    await this.writeMember(createReadStream(file.localPath).pipe(createGunzip()), file, inner, dir, result, signal);
  }
}

function kindLabel(kind: ArchiveKind): string {
  return kind === 'zip' ? 'zip archive' : kind === 'tar' ? 'tar archive' : 'gzip archive';
}

function plain(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.message;
  return String(error);
}
