import type { JobContext } from '../jobs/job-registry';

/**
 * One file the ingest path will read. `path` is what a person sees and what the `files` table
 * records (a local path, `archive.zip!/inner/path`, or `s3://bucket/key`); `localPath` is where
 * the bytes actually are (the same local path, a temp dir for archive members, an S3 cache).
 */
export interface LocatedFile {
  path: string;
  localPath: string;
  size: number;
  origin: 'local' | 'archive' | 's3';
}

/** An input, or a part of one, that could not be turned into files (missing, unreadable, bad archive). */
export interface LocateProblem {
  path: string;
  status: 'failed' | 'skipped';
  reason: string;
}

export type LocateItem = { kind: 'file'; file: LocatedFile } | { kind: 'problem'; problem: LocateProblem };

/**
 * A source of files. The local locator handles paths on disk; an S3 locator plugs in beside it
 * (accepts `s3://...`, downloads into its cache, yields `origin: 's3'` files). Locators yield
 * as they go so a long listing can report progress and be cancelled.
 */
export interface Locator {
  readonly name: string;
  accepts(input: string): boolean;
  locate(input: string, ctx: JobContext): AsyncIterable<LocateItem>;
}
