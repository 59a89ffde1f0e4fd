import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { isGzip, type Compression, type SniffInput } from './detect';

/**
 * Format detection reads only a file's first bytes (raw and, for gzip, decompressed); the
 * SHA-256 of every byte is a separate streaming pass (`hashFile`) that the ingest runs
 * alongside the DuckDB load. The file is only ever opened for reading.
 */
const RAW_HEAD_BYTES = 256 * 1024;
const GZIP_PROBE_BYTES = 64 * 1024;
export const HEAD_BYTES = 64 * 1024;

export async function sniffHead(path: string, localPath: string, signal: AbortSignal): Promise<SniffInput> {
  signal.throwIfAborted();
  const handle = await open(localPath, 'r');
  let raw: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const buf = Buffer.alloc(Math.min(size, RAW_HEAD_BYTES));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    raw = buf.subarray(0, got);
  } finally {
    await handle.close();
  }
  const whole = size === raw.length;
  const compression: Compression = isGzip(raw) ? 'gzip' : 'none';
  let head: Buffer = raw.subarray(0, HEAD_BYTES);
  let headComplete = whole && raw.length <= HEAD_BYTES;
  let gzipError: string | null = null;
  if (compression === 'gzip') {
    ({ head, headComplete, gzipError } = gunzipHead(raw, whole));
  }
  return { path, size, raw, compression, head, headComplete, gzipError };
}

export async function hashFile(localPath: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(localPath, {
    highWaterMark: 1024 * 1024,
    signal,
  }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
  }
  return hash.digest('hex');
}

/**
 * Decompresses the start of a gzip stream. A small file that is all in `raw` is checked whole,
 * so a truncated small gzip is caught here; a large one is caught by DuckDB while loading.
 */
export function gunzipHead(
  raw: Buffer,
  whole: boolean,
): { head: Buffer; headComplete: boolean; gzipError: string | null } {
  if (whole && raw.length <= GZIP_PROBE_BYTES) {
    try {
      const all = gunzipSync(raw);
      return { head: all.subarray(0, HEAD_BYTES), headComplete: all.length <= HEAD_BYTES, gzipError: null };
    } catch (error) {
      const message = zlibMessage(error);
      if (!/unexpected end of file/i.test(message))
        return { head: Buffer.alloc(0), headComplete: false, gzipError: message };
      const partial = probe(raw);
      return {
        head: partial.head,
        headComplete: false,
        gzipError: `truncated: the gzip stream ends early${partial.head.length > 0 ? ` after ${partial.total} bytes of content` : ''}`,
      };
    }
  }
  const partial = probe(raw);
  return { head: partial.head, headComplete: false, gzipError: partial.error };
}

function probe(raw: Buffer): { head: Buffer; total: number; error: string | null } {
  // A sync flush returns what decompresses from an incomplete stream instead of failing on it.
  // Start small: logs compress 5-20x, so 16 KiB usually yields the whole head (decompressing
  // 64 KiB of input for every file was most of the sniffing time on a large case).
  for (const bytes of [16 * 1024, GZIP_PROBE_BYTES, RAW_HEAD_BYTES]) {
    try {
      const out = gunzipSync(raw.subarray(0, bytes), { finishFlush: constants.Z_SYNC_FLUSH });
      if (out.length >= HEAD_BYTES || bytes >= raw.length || bytes === RAW_HEAD_BYTES)
        return { head: out.subarray(0, HEAD_BYTES), total: out.length, error: null };
    } catch (error) {
      return { head: Buffer.alloc(0), total: 0, error: zlibMessage(error) };
    }
  }
  return { head: Buffer.alloc(0), total: 0, error: null };
}

function zlibMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/incorrect header check|unknown compression method/i.test(message)) return 'the gzip header is damaged';
  if (/invalid (block type|distance|stored block|code)|too many length|invalid literal/i.test(message))
    return `the compressed data is damaged (${message})`;
  return message;
}
