import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientOptions } from './client';
import type { LogSource } from './layout';

export interface S3SourceOptions extends S3ClientOptions {
  /** Only these accounts (12 digits); otherwise every account found under AWSLogs/. */
  accounts?: string[];
  /** Only these regions (CloudTrail, VPC flow); DNS query log keys carry no region. */
  regions?: string[];
  /** ISO date or date-time, UTC; a date alone means the whole day. Matched against key dates. */
  from?: string;
  to?: string;
  /** Which AWSLogs services to fetch; default all three. */
  sources?: LogSource[];
  /** Where downloads are kept between runs (the case folder's cache, for example). */
  cacheDir: string;
  /** Parallel requests, default 8. */
  concurrency?: number;
  /** Use this client instead of building one from profile/region/endpoint; it is not destroyed. */
  client?: S3Client;
}

export interface S3FetchedFile {
  /** s3://bucket/key: what the files table should show. */
  uri: string;
  localPath: string;
  size: number;
  etag: string;
  fromCache: boolean;
}

export interface S3FetchFailure {
  uri: string;
  code: string;
  reason: string;
}

export interface S3FetchReport {
  /** Objects selected by the listing and the filters. */
  listed: number;
  downloaded: number;
  cached: number;
  /** Bytes downloaded by this fetch (cache hits excluded). */
  bytes: number;
  failures: S3FetchFailure[];
  /** Every selected object that is now on disk, in key order. */
  files: S3FetchedFile[];
  /** The prefixes that were listed in full: what the layout walk narrowed the location to. */
  prefixes: string[];
  /** ListObjectsV2 requests made, discovery included. */
  listRequests: number;
}
