import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, fetchS3 } from '../../../electron/engine/locate/s3';
import type { S3FetchReport, S3SourceOptions } from '../../../electron/engine/locate/s3';
import type { JobContext, Progress } from '../../../electron/engine/jobs/job-registry';
import { LoupeError } from '../../../shared/errors';
import {
  adminClient,
  cloudTrailGz,
  cloudTrailKey,
  createBucket,
  dnsGz,
  dnsKey,
  flowLogGz,
  flowLogKey,
  hiveFlowLogKey,
  listFiles,
  putObject,
  recordCalls,
  startS3Front,
  startS3rver,
  useAwsProfiles,
} from './harness';
import type { Loopback, RecordedCall } from './harness';

const A = '111111111111';
const B = '222222222222';
const ORG = 'o-abcdefghij';
const ORG_MEMBER = '333333333333';
const VPC = 'vpc-0abc1234def567890';
const BIG_FILES = 6;

let root: string;
let s3: Loopback;
let front: Loopback;
let admin: S3Client;
let restoreEnv: () => void;
let cacheCount = 0;

/** Keys uploaded to trail-bucket, by role in the tests. */
const keys = {
  febUsEast: [] as string[], // 2024-02 in us-east-1, inside the month
  edgeIn: [] as string[], // neighbouring days, within the one-hour slack
  edgeOut: [] as string[], // neighbouring days, outside it
  otherMonths: [] as string[],
  euWest: '',
  accountB: '',
  digest: '',
  flow: '',
  dns: '',
  org: '',
  hive: '',
  plain: [] as string[],
  mixedOk: [] as string[],
  mixedDenied: '',
};
const bigKeys: string[] = [];
const wideKeys: string[] = [];
const WIDE_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-northeast-1',
  'sa-east-1',
];

function newCacheDir(): string {
  return path.join(root, `cache-${++cacheCount}`);
}

function context(onReport?: (p: Progress) => void): {
  ctx: JobContext;
  controller: AbortController;
  reports: Progress[];
} {
  const controller = new AbortController();
  const reports: Progress[] = [];
  const ctx: JobContext = {
    signal: controller.signal,
    report: (p) => {
      reports.push(p);
      onReport?.(p);
    },
  };
  return { ctx, controller, reports };
}

/** A client built the way the app builds one (profile + endpoint), with a request recorder. */
function recordedClient(): { client: S3Client; calls: RecordedCall[] } {
  const client = createS3Client({ profile: 'loupe-test', endpoint: front.endpoint, forcePathStyle: true });
  return { client, calls: recordCalls(client) };
}

async function fetchWith(
  uri: string,
  options: Partial<S3SourceOptions>,
): Promise<{ report: S3FetchReport; calls: RecordedCall[] }> {
  const { client, calls } = recordedClient();
  try {
    const report = await fetchS3(uri, { cacheDir: newCacheDir(), client, ...options }, context().ctx);
    return { report, calls };
  } finally {
    client.destroy();
  }
}

const lists = (calls: RecordedCall[]): RecordedCall[] => calls.filter((c) => c.command === 'ListObjectsV2Command');
const fullListings = (calls: RecordedCall[]): string[] =>
  lists(calls)
    .filter((c) => c.input.Delimiter === undefined && c.input.MaxKeys === undefined)
    .map((c) => c.input.Prefix ?? '')
    .sort();
const keysOf = (report: S3FetchReport): string[] => report.files.map((f) => f.uri.replace('s3://trail-bucket/', ''));

async function expectLoupeError(promise: Promise<unknown>): Promise<LoupeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoupeError);
  return error as LoupeError;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-s3-'));
  restoreEnv = useAwsProfiles(root, {
    'loupe-test': { key: 'S3RVER', secret: 'S3RVER' },
    'loupe-unknown-key': { key: 'AKIAUNKNOWNKEY000000', secret: 'not-a-secret' },
  });
  s3 = await startS3rver(path.join(root, 's3rver'));
  front = await startS3Front(s3.endpoint, ({ method, bucket, key }) => {
    if (bucket === 'moved-bucket') {
      return {
        status: 301,
        code: 'PermanentRedirect',
        message: 'The bucket you are attempting to access must be addressed using the specified endpoint.',
        headers: { 'x-amz-bucket-region': 'eu-west-1' },
      };
    }
    if (bucket === 'locked-bucket') return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    if (bucket === 'expired-bucket')
      return { status: 400, code: 'ExpiredToken', message: 'The provided token has expired.' };
    if (method === 'GET' && key.includes('denied'))
      return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    return null;
  });
  admin = adminClient(s3.endpoint);
  await createBucket(admin, 'trail-bucket');
  await createBucket(admin, 'big-bucket');

  const put = async (key: string, body: Buffer): Promise<string> => {
    await putObject(admin, 'trail-bucket', key, body);
    return key;
  };
  const ct = (account: string, region: string, iso: string, rootPrefix?: string): Promise<string> =>
    put(cloudTrailKey(account, region, iso, rootPrefix), cloudTrailGz(account, region, iso));

  for (const iso of ['2024-02-01T00:05:00Z', '2024-02-14T12:00:00Z', '2024-02-29T23:55:00Z']) {
    keys.febUsEast.push(await ct(A, 'us-east-1', iso));
  }
  keys.edgeIn.push(await ct(A, 'us-east-1', '2024-01-31T23:30:00Z'), await ct(A, 'us-east-1', '2024-03-01T00:20:00Z'));
  keys.edgeOut.push(await ct(A, 'us-east-1', '2024-01-31T10:00:00Z'), await ct(A, 'us-east-1', '2024-03-01T12:00:00Z'));
  keys.otherMonths.push(
    await ct(A, 'us-east-1', '2023-12-15T10:00:00Z'),
    await ct(A, 'us-east-1', '2024-04-10T08:00:00Z'),
  );
  keys.euWest = await ct(A, 'eu-west-1', '2024-02-10T10:00:00Z');
  keys.accountB = await ct(B, 'us-east-1', '2024-02-15T09:00:00Z');
  keys.digest = await put(
    `AWSLogs/${A}/CloudTrail-Digest/us-east-1/2024/02/10/${A}_CloudTrail-Digest_us-east-1_main_us-east-1_20240210T100000Z.json.gz`,
    cloudTrailGz(A, 'us-east-1', '2024-02-10T10:00:00Z', 1),
  );
  keys.flow = await put(flowLogKey(A, 'us-east-1', '2024-02-10T10:05:00Z'), flowLogGz(A, '2024-02-10T10:05:00Z'));
  keys.dns = await put(dnsKey(A, VPC, '2024-02-10T10:10:00Z'), dnsGz(A, VPC, '2024-02-10T10:10:00Z'));
  keys.org = await ct(ORG_MEMBER, 'us-west-2', '2024-02-12T08:00:00Z', `org-trail/AWSLogs/${ORG}/`);
  keys.hive = await put(
    hiveFlowLogKey(A, 'us-east-1', '2024-02-10T10:05:00Z', 'hive/AWSLogs/'),
    flowLogGz(A, '2024-02-10T10:05:00Z'),
  );
  await put(
    hiveFlowLogKey(A, 'us-east-1', '2024-05-10T10:05:00Z', 'hive/AWSLogs/'),
    flowLogGz(A, '2024-05-10T10:05:00Z'),
  );
  keys.plain.push(
    await put('exports/incident-42/cloudtrail-export.json.gz', cloudTrailGz(A, 'us-east-1', '2024-02-10T10:00:00Z')),
    await put('exports/incident-42/flows.log.gz', flowLogGz(A, '2024-02-10T10:00:00Z')),
  );
  keys.mixedOk.push(
    await put('mixed/ok-1.json.gz', cloudTrailGz(A, 'us-east-1', '2024-02-10T10:00:00Z')),
    await put('mixed/ok-3.json.gz', cloudTrailGz(A, 'us-east-1', '2024-02-10T11:00:00Z')),
  );
  keys.mixedDenied = await put('mixed/denied-2.json.gz', cloudTrailGz(A, 'us-east-1', '2024-02-10T10:30:00Z'));

  // More regions and files than one listing page of the front (5 entries) holds.
  await createBucket(admin, 'wide-bucket');
  for (const region of WIDE_REGIONS) {
    const key = cloudTrailKey(A, region, '2024-02-10T10:00:00Z');
    await putObject(admin, 'wide-bucket', key, cloudTrailGz(A, region, '2024-02-10T10:00:00Z', 1));
    wideKeys.push(key);
  }
  for (let minute = 10; minute < 18; minute++) {
    const key = cloudTrailKey(A, 'us-east-1', `2024-02-10T10:${minute}:00Z`);
    await putObject(admin, 'wide-bucket', key, cloudTrailGz(A, 'us-east-1', `2024-02-10T10:${minute}:00Z`, 1));
    wideKeys.push(key);
  }
  wideKeys.sort();

  // About 1 MB each of incompressible records, so a download spans many chunks.
  for (let i = 1; i <= BIG_FILES; i++) {
    const iso = `2024-02-0${i}T12:00:00Z`;
    const key = cloudTrailKey(A, 'us-east-1', iso);
    await putObject(admin, 'big-bucket', key, cloudTrailGz(A, 'us-east-1', iso, 64, 16_000));
    bigKeys.push(key);
  }
  bigKeys.sort();
});

afterAll(async () => {
  admin?.destroy();
  await front?.close();
  await s3?.close();
  restoreEnv?.();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('layout-aware listing', () => {
  it('fetches one month of one region by listing only its date folders', async () => {
    const { report, calls } = await fetchWith('s3://trail-bucket/', {
      accounts: [A],
      regions: ['us-east-1'],
      sources: ['cloudtrail'],
      from: '2024-02-01',
      to: '2024-02-29',
    });
    const base = `AWSLogs/${A}/CloudTrail/us-east-1/`;
    // The day before and after are listed only for the delivery slack; the month is one prefix.
    expect(fullListings(calls)).toEqual([`${base}2024/01/31/`, `${base}2024/02/`, `${base}2024/03/01/`]);
    expect(report.prefixes).toEqual(fullListings(calls));
    // Besides those, one delimiter listing of AWSLogs/: it finds the layout and any organisation folder.
    expect(
      lists(calls)
        .filter((c) => c.input.Delimiter === '/')
        .map((c) => c.input.Prefix),
    ).toEqual(['AWSLogs/']);
    expect(report.listRequests).toBe(4);
    expect(lists(calls)).toHaveLength(4);
    expect(keysOf(report)).toEqual([...keys.febUsEast, ...keys.edgeIn].sort());
    expect(report.downloaded).toBe(5);
    expect(report.failures).toEqual([]);
    for (const file of report.files) {
      expect(file.uri.startsWith('s3://trail-bucket/AWSLogs/')).toBe(true);
      expect(file.localPath.endsWith('.json.gz')).toBe(true);
      const doc = JSON.parse(gunzipSync(fs.readFileSync(file.localPath)).toString('utf8')) as { Records: unknown[] };
      expect(doc.Records).toHaveLength(3);
      expect(fs.statSync(file.localPath).size).toBe(file.size);
    }
  });

  it('discovers accounts, regions and VPC ids with delimiter listings when none are given', async () => {
    const { report, calls } = await fetchWith('s3://trail-bucket/AWSLogs/', { from: '2024-02-10', to: '2024-02-10' });
    expect(keysOf(report)).toEqual([keys.euWest, keys.flow, keys.dns].sort());
    const discovered = lists(calls)
      .filter((c) => c.input.Delimiter === '/')
      .map((c) => c.input.Prefix)
      .sort();
    expect(discovered).toEqual(
      [
        'AWSLogs/',
        `AWSLogs/${A}/CloudTrail/`,
        `AWSLogs/${A}/vpcflowlogs/`,
        `AWSLogs/${A}/vpcdnsquerylogs/`,
        `AWSLogs/${B}/CloudTrail/`,
        `AWSLogs/${B}/vpcflowlogs/`,
        `AWSLogs/${B}/vpcdnsquerylogs/`,
      ].sort(),
    );
    const listed = fullListings(calls);
    expect(listed.length).toBeGreaterThan(0);
    for (const prefix of listed) expect(prefix).toMatch(/\/2024\/02\/(09|10|11)\/$/);
    expect(listed.some((p) => p.includes('CloudTrail-Digest'))).toBe(false);
  });

  it('applies the account and source filters', async () => {
    const onlyDns = await fetchWith('s3://trail-bucket/AWSLogs/', { sources: ['dns'] });
    expect(keysOf(onlyDns.report)).toEqual([keys.dns]);
    expect(fullListings(onlyDns.calls)).toEqual([`AWSLogs/${A}/vpcdnsquerylogs/${VPC}/`]);

    const onlyB = await fetchWith('s3://trail-bucket/', { accounts: [B] });
    expect(keysOf(onlyB.report)).toEqual([keys.accountB]);
    expect(fullListings(onlyB.calls).every((p) => p.startsWith(`AWSLogs/${B}/`))).toBe(true);
  });

  it('finds organisation trails below a trail prefix', async () => {
    const { report, calls } = await fetchWith('s3://trail-bucket/org-trail', { accounts: [ORG_MEMBER] });
    expect(keysOf(report)).toEqual([keys.org]);
    expect(fullListings(calls)).toEqual([`org-trail/AWSLogs/${ORG}/${ORG_MEMBER}/CloudTrail/us-west-2/`]);
  });

  it('narrows Hive-style flow log folders too', async () => {
    const { report, calls } = await fetchWith('s3://trail-bucket/hive/', {
      regions: ['us-east-1'],
      from: '2024-02-10T09:00:00Z',
      to: '2024-02-10T12:00:00Z',
    });
    expect(keysOf(report)).toEqual([keys.hive]);
    expect(fullListings(calls)).toEqual([
      `hive/AWSLogs/aws-account-id=${A}/aws-service=vpcflowlogs/aws-region=us-east-1/year=2024/month=02/day=10/`,
    ]);
  });

  it('takes the levels a deep URI already names without discovery requests', async () => {
    const { report, calls } = await fetchWith(`s3://trail-bucket/AWSLogs/${A}/CloudTrail/us-east-1/2024/02/`, {});
    expect(lists(calls).map((c) => c.input.Prefix)).toEqual([`AWSLogs/${A}/CloudTrail/us-east-1/2024/02/`]);
    expect(keysOf(report)).toEqual([...keys.febUsEast].sort());
  });

  it('follows continuation tokens through discovery and object listings', async () => {
    const { client, calls } = recordedClient();
    const report = await fetchS3(
      's3://wide-bucket/',
      { cacheDir: newCacheDir(), client, sources: ['cloudtrail'], from: '2024-02-10', to: '2024-02-10' },
      context().ctx,
    );
    client.destroy();
    expect(report.files.map((f) => f.uri.replace('s3://wide-bucket/', ''))).toEqual(wideKeys);
    const pagesOf = (prefix: string, delimiter?: string): number =>
      lists(calls).filter((c) => c.input.Prefix === prefix && c.input.Delimiter === delimiter).length;
    expect(pagesOf(`AWSLogs/${A}/CloudTrail/`, '/')).toBe(3);
    expect(pagesOf(`AWSLogs/${A}/CloudTrail/us-east-1/2024/02/10/`)).toBe(2);
    expect(report.prefixes).toHaveLength(WIDE_REGIONS.length * 3);
  });

  it('lists a prefix without the AWSLogs layout as given', async () => {
    const { report, calls } = await fetchWith('s3://trail-bucket/exports/', { from: '2024-02-01', to: '2024-02-29' });
    expect(keysOf(report)).toEqual([...keys.plain].sort());
    expect(fullListings(calls)).toEqual(['exports/']);
  });
});

describe('cache', () => {
  it('reuses complete files on the second fetch without a GetObject', async () => {
    const cacheDir = newCacheDir();
    const first = recordedClient();
    const progress = context();
    const one = await fetchS3('s3://big-bucket/', { cacheDir, client: first.client, concurrency: 3 }, progress.ctx);
    first.client.destroy();
    expect(one.downloaded).toBe(BIG_FILES);
    expect(one.cached).toBe(0);
    expect(one.bytes).toBeGreaterThan(BIG_FILES * 900_000);
    expect(first.calls.filter((c) => c.command === 'GetObjectCommand')).toHaveLength(BIG_FILES);
    const messages = progress.reports.map((r) => r.message ?? '');
    expect(messages.some((m) => /\d+\/6 files, .* of .*, .*\/s, ETA /.test(m))).toBe(true);
    expect(progress.reports.some((r) => r.phase === 'listing')).toBe(true);

    const second = recordedClient();
    const two = await fetchS3('s3://big-bucket/', { cacheDir, client: second.client }, context().ctx);
    second.client.destroy();
    expect(second.calls.filter((c) => c.command === 'GetObjectCommand')).toHaveLength(0);
    expect(two.downloaded).toBe(0);
    expect(two.cached).toBe(BIG_FILES);
    expect(two.bytes).toBe(0);
    expect(two.files.map((f) => f.localPath)).toEqual(one.files.map((f) => f.localPath));
    expect(two.files.every((f) => f.fromCache)).toBe(true);
  });

  it('downloads an object again when its ETag changed', async () => {
    await createBucket(admin, 'etag-bucket');
    const key = cloudTrailKey(A, 'us-east-1', '2024-02-03T10:00:00Z');
    await putObject(admin, 'etag-bucket', key, cloudTrailGz(A, 'us-east-1', '2024-02-03T10:00:00Z', 2));
    const cacheDir = newCacheDir();
    const options = { cacheDir, profile: 'loupe-test', endpoint: front.endpoint, forcePathStyle: true };
    const one = await fetchS3('s3://etag-bucket/', options, context().ctx);
    await putObject(admin, 'etag-bucket', key, cloudTrailGz(A, 'us-east-1', '2024-02-03T10:00:00Z', 5));
    const two = await fetchS3('s3://etag-bucket/', options, context().ctx);
    expect(two.downloaded).toBe(1);
    expect(two.files[0]?.etag).not.toBe(one.files[0]?.etag);
    expect(two.files[0]?.localPath).not.toBe(one.files[0]?.localPath);
    const doc = JSON.parse(gunzipSync(fs.readFileSync(two.files[0]?.localPath ?? '')).toString('utf8')) as {
      Records: unknown[];
    };
    expect(doc.Records).toHaveLength(5);
  });

  it('cancels mid-download, leaves no partial file behind, and resumes', async () => {
    const cacheDir = newCacheDir();
    const first = recordedClient();
    let firstFileBytes = 0;
    const { ctx, controller } = context((p) => {
      // Abort on the first chunk of the second file (one download at a time).
      if (firstFileBytes === 0 && /1\/6 files/.test(p.message ?? '')) firstFileBytes = p.done ?? 0;
      if (firstFileBytes > 0 && (p.done ?? 0) > firstFileBytes && !controller.signal.aborted) controller.abort();
    });
    const error = await expectLoupeError(
      fetchS3('s3://big-bucket/', { cacheDir, client: first.client, concurrency: 1 }, ctx),
    );
    first.client.destroy();
    expect(error.code).toBe('JOB_CANCELLED');
    expect(error.message).toContain('s3://big-bucket/');
    expect(first.calls.filter((c) => c.command === 'GetObjectCommand')).toHaveLength(2);

    const onDisk = listFiles(cacheDir);
    expect(onDisk.filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(onDisk).toHaveLength(1);
    expect(onDisk[0]).toContain(path.posix.basename(bigKeys[0] ?? '').split('.')[0]);

    const second = recordedClient();
    const resumed = await fetchS3(
      's3://big-bucket/',
      { cacheDir, client: second.client, concurrency: 2 },
      context().ctx,
    );
    second.client.destroy();
    expect(resumed.cached).toBe(1);
    expect(resumed.downloaded).toBe(BIG_FILES - 1);
    expect(second.calls.filter((c) => c.command === 'GetObjectCommand').map((c) => c.input.Key)).toEqual(
      expect.arrayContaining(bigKeys.slice(1)),
    );
    expect(second.calls.filter((c) => c.command === 'GetObjectCommand')).toHaveLength(BIG_FILES - 1);
    for (const f of resumed.files) expect(fs.statSync(f.localPath).size).toBe(f.size);
    expect(listFiles(cacheDir)).toHaveLength(BIG_FILES);
  });
});

describe('errors', () => {
  it('reports an object it may not read and fetches the rest', async () => {
    const { report } = await fetchWith('s3://trail-bucket/mixed/', {});
    expect(keysOf(report)).toEqual([...keys.mixedOk].sort());
    expect(report.failures).toEqual([
      {
        uri: `s3://trail-bucket/${keys.mixedDenied}`,
        code: 'S3_ACCESS_DENIED',
        reason: `Access denied reading s3://trail-bucket/${keys.mixedDenied}.`,
      },
    ]);
  });

  it('fails clearly when the listing is denied', async () => {
    const error = await expectLoupeError(fetchWith('s3://locked-bucket/AWSLogs/', {}));
    expect(error.code).toBe('S3_ACCESS_DENIED');
    expect(error.message).toContain('s3://locked-bucket/AWSLogs/');
    expect(error.hint).toContain('s3:ListBucket');
  });

  it('names a bucket that does not exist', async () => {
    const error = await expectLoupeError(
      fetchS3(
        's3://no-such-bucket-here/AWSLogs/',
        { cacheDir: newCacheDir(), profile: 'loupe-test', endpoint: front.endpoint, forcePathStyle: true },
        context().ctx,
      ),
    );
    expect(error.code).toBe('S3_NO_SUCH_BUCKET');
    expect(error.message).toContain('"no-such-bucket-here"');
  });

  it('gives the bucket region when it lives elsewhere', async () => {
    const error = await expectLoupeError(fetchWith('s3://moved-bucket/', {}));
    expect(error.code).toBe('S3_WRONG_REGION');
    expect(error.message).toContain('"moved-bucket" is in region eu-west-1, not us-east-1');
    expect(error.hint).toContain('eu-west-1');
  });

  it('explains refused, expired and missing credentials', async () => {
    const base = { cacheDir: newCacheDir(), endpoint: front.endpoint, forcePathStyle: true };
    const unknownKey = await expectLoupeError(
      fetchS3('s3://trail-bucket/exports/', { ...base, profile: 'loupe-unknown-key' }, context().ctx),
    );
    expect(unknownKey.code).toBe('S3_CREDENTIALS');
    expect(unknownKey.message).toContain('s3://trail-bucket/exports/');

    const expired = await expectLoupeError(fetchWith('s3://expired-bucket/', {}));
    expect(expired.code).toBe('S3_CREDENTIALS');
    expect(expired.hint).toMatch(/expired/);

    const missing = await expectLoupeError(
      fetchS3('s3://trail-bucket/exports/', { ...base, profile: 'no-such-profile' }, context().ctx),
    );
    expect(missing.code).toBe('S3_CREDENTIALS');
    expect(missing.hint).toContain('profile');
  });
});
