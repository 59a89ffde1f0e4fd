import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { LoupeError } from '../../../../shared/errors';

export interface S3ClientOptions {
  /** A named profile from ~/.aws/config or ~/.aws/credentials; otherwise the default chain. */
  profile?: string | undefined;
  region?: string | undefined;
  /** An S3-compatible store (MinIO, Ceph, s3rver...). */
  endpoint?: string | undefined;
  forcePathStyle?: boolean | undefined;
}

/**
 * One client per fetch. Credentials come from the SDK's standard chain; a profile given here
 * takes precedence over AWS_PROFILE and over static keys in the environment, as the AWS CLI does.
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const config: S3ClientConfig = { maxAttempts: 3 };
  if (options.profile) config.profile = options.profile;
  if (options.region) config.region = options.region;
  if (options.endpoint) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      url = new URL('invalid:');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new LoupeError('INVALID_INPUT', `S3 endpoint "${options.endpoint}" is not an http(s) URL.`, {
        hint: 'Write it like https://minio.example.com:9000.',
      });
    }
    config.endpoint = options.endpoint;
    // S3-compatible stores ignore the region but SigV4 still needs one; us-east-1 is their convention.
    if (!options.region) config.region = 'us-east-1';
  }
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  return new S3Client(config);
}

/** The region the client signs for, or undefined when none could be resolved. */
export async function clientRegion(client: S3Client): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}
