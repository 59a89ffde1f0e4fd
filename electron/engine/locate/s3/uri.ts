import { LoupeError } from '../../../../shared/errors';

export interface S3Location {
  bucket: string;
  /** Raw key prefix, '' for the whole bucket. Not URL-decoded: S3 keys may contain '%'. */
  prefix: string;
}

// Lower-case DNS-style names, plus the upper case and '_' that old us-east-1 buckets may still have.
const BUCKET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

/** `s3://bucket/prefix` → { bucket, prefix }. */
export function parseS3Uri(uri: string): S3Location {
  const text = uri.trim();
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(text);
  if (!m) {
    throw new LoupeError('INVALID_INPUT', `"${uri}" is not an S3 location.`, {
      hint: 'Write it as s3://bucket or s3://bucket/prefix/.',
    });
  }
  const bucket = m[1] ?? '';
  if (!BUCKET_RE.test(bucket) || bucket.includes('..')) {
    throw new LoupeError('INVALID_INPUT', `"${bucket}" in ${uri} is not a valid S3 bucket name.`, {
      hint: 'Bucket names are 3-63 characters: lower-case letters, digits, dots and hyphens.',
    });
  }
  return { bucket, prefix: m[2] ?? '' };
}

export function formatS3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
