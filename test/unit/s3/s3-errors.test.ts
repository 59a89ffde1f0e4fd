import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { bucketRegionOf, toS3Error } from '../../../electron/engine/locate/s3/s3-errors';
import { LoupeError } from '../../../shared/errors';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const service = (name: string, status: number, extra: Record<string, unknown> = {}): S3ServiceException =>
  Object.assign(
    new S3ServiceException({ name, $fault: 'client', message: `${name} happened`, ...meta(status) }),
    extra,
  );

const list = { bucket: 'logs-bkt', key: 'AWSLogs/', action: 'list' as const, region: 'us-east-1' };
const get = { bucket: 'logs-bkt', key: 'AWSLogs/x.json.gz', action: 'get' as const, region: 'us-east-1' };

describe('toS3Error', () => {
  it('maps the S3 error codes to Loupe codes naming the bucket or key', () => {
    const denied = toS3Error(service('AccessDenied', 403), get);
    expect(denied.code).toBe('S3_ACCESS_DENIED');
    expect(denied.message).toBe('Access denied reading s3://logs-bkt/AWSLogs/x.json.gz.');
    expect(denied.hint).toContain('s3:GetObject');
    expect(toS3Error(service('AccessDenied', 403), list).hint).toContain('s3:ListBucket');

    const missing = toS3Error(new NoSuchBucket({ message: 'The specified bucket does not exist', ...meta(404) }), list);
    expect(missing.code).toBe('S3_NO_SUCH_BUCKET');
    expect(missing.message).toContain('"logs-bkt"');

    expect(toS3Error(new NoSuchKey({ message: 'gone', ...meta(404) }), get).message).toContain('no longer exists');
    expect(toS3Error(service('PreconditionFailed', 412), get).message).toContain('replaced');
  });

  it('puts the bucket region in the hint of a redirect', () => {
    const redirect = service('PermanentRedirect', 301, {
      $response: { statusCode: 301, headers: { 'x-amz-bucket-region': 'ap-southeast-2' } },
    });
    const error = toS3Error(redirect, list);
    expect(error.code).toBe('S3_WRONG_REGION');
    expect(error.message).toContain('in region ap-southeast-2, not us-east-1');
    expect(error.hint).toContain('ap-southeast-2');

    const malformed = service('AuthorizationHeaderMalformed', 400, { Region: 'eu-north-1' });
    expect(toS3Error(malformed, list).hint).toContain('eu-north-1');
    expect(bucketRegionOf({ Endpoint: 'logs-bkt.s3.sa-east-1.amazonaws.com' })).toBe('sa-east-1');

    const unknown = toS3Error(service('PermanentRedirect', 301), list);
    expect(unknown.hint).toContain('get-bucket-location');
  });

  it('treats refused, expired and missing credentials alike', () => {
    for (const name of ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'CredentialsProviderError']) {
      const error = toS3Error(Object.assign(new Error('no'), { name }), list);
      expect(error.code).toBe('S3_CREDENTIALS');
      expect(error.message).toContain('s3://logs-bkt/AWSLogs/');
    }
  });

  it('maps aborts, network failures and unknown errors', () => {
    expect(toS3Error(Object.assign(new Error('aborted'), { name: 'AbortError' }), get).code).toBe('JOB_CANCELLED');
    const refused = toS3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), list);
    expect(refused.code).toBe('S3_ERROR');
    expect(refused.hint).toContain('endpoint');
    expect(toS3Error(new Error('Region is missing'), list).hint).toContain('region');
    const other = toS3Error(service('SlowDown', 503), get);
    expect(other.code).toBe('S3_ERROR');
    expect(other.message).toContain('SlowDown happened');
  });

  it('passes LoupeErrors through', () => {
    const original = new LoupeError('INVALID_INPUT', 'x');
    expect(toS3Error(original, get)).toBe(original);
  });
});
