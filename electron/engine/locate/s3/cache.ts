import { createHash } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Cache layout: <cacheDir>/<bucket>/<key folders>/<name>.<etag>.<ext>
 *
 * The ETag is part of the file name, so a file that exists under its final name with the listed
 * size is a complete copy of exactly that object version: downloads go to a `.part` temp name
 * and are renamed only when complete. The original extension (.json.gz, .log.gz) is kept last
 * because DuckDB picks gzip decompression from it.
 */

const PART_SUFFIX = '.part';
/** A `.part` file untouched for this long belongs to no live download (a live one writes constantly). */
export const STALE_PART_MS = 5 * 60 * 1000;
const MAX_SEGMENT = 120;

// Characters Windows refuses in file names, and control characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[<>:"\\|?*\x00-\x1f]/g;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** One key segment as a portable file name. Collisions only ever merge names, never content: the ETag differs. */
export function safeSegment(segment: string): string {
  let s = segment.replace(UNSAFE, '_');
  if (s === '' || s === '.' || s === '..') s = `_${s}`;
  if (/[. ]$/.test(s)) s = `${s}_`; // Windows drops trailing dots and spaces
  if (s.length > MAX_SEGMENT) s = `${s.slice(0, MAX_SEGMENT - 13)}~${shortHash(segment)}`;
  return s;
}

/** Splits `name.json.gz` into `name` and `.json.gz`: a compression suffix keeps the extension before it. */
export function splitExtension(name: string): { stem: string; ext: string } {
  const m = /^(.+?)((?:\.[A-Za-z0-9]{1,8})?\.(?:gz|bz2|zst|xz|snappy)|\.[A-Za-z0-9]{1,8})$/.exec(name);
  if (!m) return { stem: name, ext: '' };
  return { stem: m[1] ?? name, ext: m[2] ?? '' };
}

export function etagTag(etag: string): string {
  const clean = etag.replace(/[^A-Za-z0-9-]/g, '');
  return clean === '' ? 'noetag' : clean.slice(0, 16);
}

export function cachePathFor(cacheDir: string, bucket: string, key: string, etag: string): string {
  const parts = key.split('/');
  const name = parts.pop() ?? '';
  const { stem, ext } = splitExtension(name);
  const file = safeSegment(`${stem}.${etagTag(etag)}${ext}`);
  return join(cacheDir, safeSegment(bucket), ...parts.map(safeSegment), file);
}

/** A cache hit: the final file exists with the listed size. */
export async function cachedSize(path: string): Promise<number | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

export function tempPathFor(finalPath: string, nonce: string): string {
  return `${finalPath}.${nonce}${PART_SUFFIX}`;
}

/** Removes `.part` files left by a download that died with its process. */
export async function sweepStaleParts(dir: string, nowMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith(PART_SUFFIX)) continue;
    const path = join(dir, name);
    try {
      const s = await stat(path);
      if (nowMs - s.mtimeMs > STALE_PART_MS) {
        await rm(path, { force: true });
        removed++;
      }
    } catch {
      // Gone already: another sweep or its download finished.
    }
  }
  return removed;
}
