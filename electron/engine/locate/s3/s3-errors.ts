import { LoupeError } from '../../../../shared/errors';
import type { ErrorCode } from '../../../../shared/errors';
import { formatS3Uri } from './uri';

export interface S3ErrorContext {
  bucket: string;
  /** The object key (get) or listing prefix (list). */
  key: string;
  action: 'list' | 'get';
  /** The region the client signed for, when known. */
  region?: string | undefined;
}

/** Errors that would fail every other request too: the whole fetch stops on them. */
export const FATAL_S3_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'S3_CREDENTIALS',
  'S3_NO_SUCH_BUCKET',
  'S3_WRONG_REGION',
  'JOB_CANCELLED',
]);

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenRefreshRequired',
  'InvalidToken',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
]);
const DENIED_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'Forbidden']);
const REDIRECT_CODES = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  Region?: unknown;
  Endpoint?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

function asRecord(error: unknown): SdkErrorLike {
  return typeof error === 'object' && error !== null ? (error as SdkErrorLike) : {};
}

/** Where S3 says the bucket lives: the redirect header, the error's Region field, or its Endpoint host. */
export function bucketRegionOf(error: unknown): string | undefined {
  const e = asRecord(error);
  const header = e.$response?.headers?.['x-amz-bucket-region'];
  if (typeof header === 'string' && header !== '') return header;
  if (typeof e.Region === 'string' && e.Region !== '') return e.Region;
  if (typeof e.Endpoint === 'string') {
    const m = /s3[.-]([a-z]{2}(?:-[a-z0-9]+)+-\d{1,2})\.amazonaws\.com/.exec(e.Endpoint);
    if (m) return m[1];
  }
  return undefined;
}

export function isAbortError(error: unknown): boolean {
  const name = asRecord(error).name;
  return name === 'AbortError' || (error instanceof LoupeError && error.code === 'JOB_CANCELLED');
}

/**
 * Turns whatever the SDK (or the network) threw into a LoupeError naming the bucket/key and the
 * way out. S3 error names are the S3 error codes (AccessDenied, NoSuchBucket...).
 */
export function toS3Error(error: unknown, ctx: S3ErrorContext): LoupeError {
  if (error instanceof LoupeError) return error;
  const e = asRecord(error);
  const name = typeof e.name === 'string' ? e.name : '';
  const sysCode = typeof e.code === 'string' ? e.code : '';
  const detail = typeof e.message === 'string' && e.message !== '' ? e.message : name || String(error);
  const status = e.$metadata?.httpStatusCode;
  const what = formatS3Uri(ctx.bucket, ctx.key);
  const doing = ctx.action === 'list' ? `listing ${what}` : `reading ${what}`;
  const options = { cause: error, details: { s3Code: name || sysCode || undefined, httpStatus: status } };

  if (isAbortError(error)) {
    return new LoupeError('JOB_CANCELLED', `Cancelled while ${doing}.`, options);
  }
  if (CREDENTIAL_CODES.has(name)) {
    return new LoupeError('S3_CREDENTIALS', `The AWS credentials were refused while ${doing}: ${detail}`, {
      ...options,
      hint:
        name === 'CredentialsProviderError'
          ? 'No credentials found: pick a profile that exists in ~/.aws/credentials or ~/.aws/config, run `aws sso login --profile <name>`, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.'
          : 'The keys are invalid or expired: refresh them (`aws sso login`, a new session token) or choose another profile.',
    });
  }
  if (name === 'NoSuchBucket') {
    return new LoupeError('S3_NO_SUCH_BUCKET', `Bucket "${ctx.bucket}" does not exist (while ${doing}).`, {
      ...options,
      hint: 'Check the bucket name, and the endpoint if you use an S3-compatible store.',
    });
  }
  if (REDIRECT_CODES.has(name) || status === 301) {
    const region = bucketRegionOf(error);
    const where = region ? `in region ${region}` : 'in another region';
    const signed = ctx.region && ctx.region !== region ? `, not ${ctx.region}` : '';
    return new LoupeError('S3_WRONG_REGION', `Bucket "${ctx.bucket}" is ${where}${signed} (while ${doing}).`, {
      ...options,
      hint: region
        ? `Open it again with region ${region}.`
        : `Find the bucket's region (aws s3api get-bucket-location --bucket ${ctx.bucket}) and open it again with that region.`,
    });
  }
  if (DENIED_CODES.has(name) || status === 403) {
    return new LoupeError('S3_ACCESS_DENIED', `Access denied ${doing}.`, {
      ...options,
      hint:
        ctx.action === 'list'
          ? `The credentials need s3:ListBucket on arn:aws:s3:::${ctx.bucket}; if only some prefixes are allowed, give the accounts and regions so only those are listed.`
          : `The credentials need s3:GetObject on arn:aws:s3:::${ctx.bucket}/${ctx.key} (and kms:Decrypt when the object is SSE-KMS encrypted).`,
    });
  }
  if (name === 'NoSuchKey' || status === 404) {
    return new LoupeError('S3_ERROR', `${what} no longer exists.`, {
      ...options,
      hint: 'It was deleted after the listing (lifecycle rule?); fetch again.',
    });
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new LoupeError('S3_ERROR', `${what} was replaced after it was listed.`, {
      ...options,
      hint: 'Fetch again to get the new version.',
    });
  }
  if (/region is missing/i.test(detail)) {
    return new LoupeError('S3_ERROR', `No AWS region is set for bucket "${ctx.bucket}".`, {
      ...options,
      hint: 'Give a region, or set one in the profile (region = ...) or AWS_REGION.',
    });
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET'].includes(sysCode)) {
    return new LoupeError('S3_ERROR', `Cannot reach S3 while ${doing}: ${detail}`, {
      ...options,
      hint: 'Check the network and, for S3-compatible stores, the endpoint URL.',
    });
  }
  return new LoupeError('S3_ERROR', `S3 error while ${doing}: ${detail}`, {
    ...options,
    hint: 'Try again; if it persists, check the bucket with the AWS CLI using the same profile.',
  });
}
