import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { LoupeError } from '../../../../shared/errors';
import { tempPathFor } from './cache';
import type { ListedObject } from './list';
import { toS3Error } from './s3-errors';
import { formatS3Uri } from './uri';

export interface DownloadTarget {
  client: S3Client;
  bucket: string;
  region: string | undefined;
  signal: AbortSignal;
}

const diskErrors = new WeakSet<LoupeError>();
const DISK_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'EDQUOT', 'EMFILE', 'ENAMETOOLONG']);

/**
 * Streams one object to `finalPath` through a temp file, renamed only once every byte is there.
 * `onBytes` is called for every chunk (and negatively if the file is abandoned), so progress can
 * count partial files.
 */
export async function downloadObject(
  target: DownloadTarget,
  object: ListedObject,
  finalPath: string,
  onBytes: (delta: number) => void,
): Promise<void> {
  const { client, bucket, signal } = target;
  const uri = formatS3Uri(bucket, object.key);
  const tmp = tempPathFor(finalPath, randomBytes(6).toString('hex'));
  let written = 0;
  try {
    try {
      await mkdir(dirname(finalPath), { recursive: true });
    } catch (error) {
      throw diskOrS3Error(error, uri, dirname(finalPath), {
        bucket,
        key: object.key,
        action: 'get',
        region: target.region,
      });
    }
    let body: unknown;
    try {
      // If-Match: the cache file is named after this ETag, so it must hold exactly this version.
      const res = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: object.key,
          IfMatch: object.etag ? `"${object.etag}"` : undefined,
        }),
        { abortSignal: signal },
      );
      body = res.Body;
    } catch (error) {
      throw toS3Error(error, { bucket, key: object.key, action: 'get', region: target.region });
    }
    if (!(body instanceof Readable)) {
      throw new LoupeError('S3_ERROR', `${uri}: the response had no readable body.`);
    }
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        onBytes(chunk.length);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx' }), { signal });
    } catch (error) {
      throw diskOrS3Error(error, uri, tmp, { bucket, key: object.key, action: 'get', region: target.region });
    }
    if (written !== object.size) {
      throw new LoupeError('S3_ERROR', `${uri}: received ${written} bytes, the listing said ${object.size}.`, {
        hint: 'The object changed or the connection dropped; fetch again.',
      });
    }
    try {
      await rename(tmp, finalPath);
    } catch (error) {
      throw diskOrS3Error(error, uri, finalPath, { bucket, key: object.key, action: 'get', region: target.region });
    }
  } catch (error) {
    if (written > 0) onBytes(-written);
    await rm(tmp, { force: true });
    throw error;
  }
}

function diskOrS3Error(error: unknown, uri: string, path: string, ctx: Parameters<typeof toS3Error>[1]): LoupeError {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DISK_CODES.has(code)) {
    const diskError = new LoupeError('S3_ERROR', `Cannot write ${path} (cache copy of ${uri}): ${code}.`, {
      hint: 'Free disk space or choose a writable cache folder.',
      cause: error,
    });
    diskErrors.add(diskError);
    return diskError;
  }
  return toS3Error(error, ctx);
}

/** Local disk trouble fails every other file too, so it stops the fetch like a credentials error. */
export function isDiskError(error: unknown): boolean {
  return error instanceof LoupeError && diskErrors.has(error);
}
