import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * Decompresses a whole gzip file and throws the output away: null if the stream is complete
 * and intact, else what is wrong in plain words. Only run on files that already look damaged.
 */
export async function verifyGzip(localPath: string, signal: AbortSignal): Promise<string | null> {
  let out = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.length;
      done();
    },
  });
  try {
    await pipeline(createReadStream(localPath), createGunzip(), sink, { signal });
    return null;
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/unexpected end of file/i.test(message))
      return `truncated: the gzip stream ends early, after ${out.toLocaleString('en-US')} bytes of content`;
    if (/incorrect header check/i.test(message)) return 'the gzip header is damaged';
    return `the compressed data is damaged after ${out.toLocaleString('en-US')} bytes of content (${message})`;
  }
}
