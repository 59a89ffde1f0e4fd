/**
 * Opens s3://bucket/prefix locations: lists them by the AWSLogs key layout, downloads the
 * selected objects into a local cache, and hands back local paths with their s3:// URIs.
 */
export { fetchS3 } from './fetch';
export { parseS3Uri, formatS3Uri } from './uri';
export type { S3Location } from './uri';
export { createS3Client } from './client';
export type { S3ClientOptions } from './client';
export { LOG_SOURCES } from './layout';
export type { LogSource } from './layout';
export type { S3FetchFailure, S3FetchReport, S3FetchedFile, S3SourceOptions } from './types';
