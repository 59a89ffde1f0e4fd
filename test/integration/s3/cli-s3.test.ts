import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import { createEngine, invokeChannel } from '../../../electron/engine/api';
import { runCli } from '../shells/run-cli';
import { trailRecord, writeTrail } from '../../unit/api/tiny-trail';
import { adminClient, createBucket, putObject, startS3Front, startS3rver, useAwsProfiles } from './harness';
import type { Loopback } from './harness';

/**
 * `loupe scan s3://...` end to end: the real CLI (a child process) and the real AWS SDK against
 * s3rver on 127.0.0.1, through the harness's front proxy that adds the faults s3rver cannot
 * make (AccessDenied on one object, a bucket that refuses everything).
 */
const A = '111122223333';
const B = '222222222222';
const ROOT_TYPE = 'Policy:IAMUser/RootCredentialUsage';
let root: string;
let s3: Loopback;
let front: Loopback;
let admin: S3Client;
let restoreEnv: () => void;

const key = (account: string, day: string, name: string) =>
  `AWSLogs/${account}/CloudTrail/us-east-1/${day.replaceAll('-', '/')}/${account}_CloudTrail_us-east-1_${day.replaceAll('-', '')}T1000Z_${name}.json.gz`;

function trailGz(tag: string, withRoot: boolean): Buffer {
  const records = Array.from({ length: 3 }, (_, i) => trailRecord(i, tag, false));
  if (withRoot) records.push(trailRecord(3, tag, true));
  return gzipSync(JSON.stringify({ Records: records }));
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-cli-s3-'));
  restoreEnv = useAwsProfiles(root, { 'loupe-test': { key: 'S3RVER', secret: 'S3RVER' } });
  s3 = await startS3rver(path.join(root, 's3rver'));
  front = await startS3Front(s3.endpoint, ({ method, bucket, key: k }) => {
    if (bucket === 'locked-bucket') return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    if (method === 'GET' && k.includes('denied'))
      return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    return null;
  });
  admin = adminClient(s3.endpoint);
  await createBucket(admin, 'trail-bucket');
  await createBucket(admin, 'locked-bucket');
  await putObject(admin, 'trail-bucket', key(A, '2024-05-01', 'root'), trailGz('root', true));
  await putObject(admin, 'trail-bucket', key(A, '2024-05-01', 'denied'), trailGz('denied', false));
  await putObject(admin, 'trail-bucket', key(A, '2024-06-15', 'later'), trailGz('later', true));
  await putObject(admin, 'trail-bucket', key(B, '2024-05-01', 'other'), trailGz('other', true));
});
afterAll(async () => {
  admin.destroy();
  await front.close();
  await s3.close();
  restoreEnv();
  fs.rmSync(root, { recursive: true, force: true });
});

const s3Options = () => ['--profile', 'loupe-test', '--endpoint', front.endpoint];
const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix)) ?? '';

describe('loupe scan s3://', () => {
  it('fetches what the filters select, lists a denied object as a failure with its code, loads the rest', async () => {
    const ws = path.join(root, 'case');
    const out = path.join(root, 'findings.json');
    const args = [
      'scan',
      's3://trail-bucket/',
      ...s3Options(),
      '--from',
      '2024-05-01',
      '--to',
      '2024-05-01',
      '--account',
      A,
      '--workspace',
      ws,
      '--out',
      out,
    ];
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(0);
    expect(line(result.stdout, 'S3:')).toBe('S3: s3://trail-bucket/: 2 objects, 1 downloaded, 0 from cache, 1 failed');
    expect(result.stdout).toMatch(
      /^ {2}Failed: s3:\/\/trail-bucket\/AWSLogs\/.*_denied\.json\.gz: S3_ACCESS_DENIED: /m,
    );
    expect(line(result.stdout, 'Files:')).toMatch(/^Files: 2 seen, 1 loaded, 0 skipped, 1 failed, 0 duplicate$/);
    expect(result.stderr).toContain('[listing]');
    const findings = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{ type: string; accountId: string }>;
    expect(findings.map((f) => f.type)).toContain(ROOT_TYPE);
    expect(new Set(findings.map((f) => f.accountId))).toEqual(new Set([A]));

    // The case records the s3:// URI of every object, the cached copy it was read from, and
    // the failure with its code and hint.
    const caseDir = `${ws}.loupe`;
    const engine = await createEngine({ shell: 'cli', workspaceDir: caseDir, configDir: path.join(root, 'config') });
    try {
      const reply = await invokeChannel(engine.handlers, 'custody:list', {});
      expect(reply.ok).toBe(true);
      const custody = contract['custody:list'].output.parse(reply.ok ? reply.value : null);
      const loaded = custody.rows.find((r) => r.status === 'loaded');
      expect(loaded).toMatchObject({ path: `s3://trail-bucket/${key(A, '2024-05-01', 'root')}`, origin: 's3' });
      expect(loaded?.localPath?.startsWith(path.join(caseDir, 's3-cache'))).toBe(true);
      const failed = custody.rows.find((r) => r.status === 'failed');
      expect(failed?.path).toBe(`s3://trail-bucket/${key(A, '2024-05-01', 'denied')}`);
      expect(failed?.reason).toMatch(/^S3_ACCESS_DENIED: .*\(.*s3:GetObject/);
    } finally {
      await engine.close();
    }

    // Again: the object comes from the case's cache and is already loaded.
    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(line(again.stdout, 'S3:')).toBe('S3: s3://trail-bucket/: 2 objects, 0 downloaded, 1 from cache, 1 failed');
    expect(line(again.stdout, 'Files:')).toMatch(/1 duplicate$/);
  });

  it('goes on with the local evidence when a whole S3 source is refused, naming its code and hint', async () => {
    const logs = writeTrail(path.join(root, 'local'), { root: true }).dir;
    const result = await runCli(['scan', 's3://locked-bucket/', logs, ...s3Options()]);
    expect(result.code, result.stderr).toBe(0);
    expect(line(result.stdout, 'S3:')).toMatch(/^S3: s3:\/\/locked-bucket\/: not fetched: S3_ACCESS_DENIED: /);
    expect(result.stdout).toMatch(/^ {2}hint: /m);
    expect(line(result.stdout, 'Files:')).toMatch(/ 1 loaded, /);
    expect(result.stdout).toContain(ROOT_TYPE);

    // Nothing else to load: the S3 error is the error, exit 1.
    const only = await runCli(['scan', 's3://locked-bucket/', ...s3Options()]);
    expect(only.code).toBe(1);
    expect(only.stderr).toMatch(/loupe scan: .*locked-bucket/);
    expect(only.stderr).toContain('hint:');
  });

  it('cancels an S3 load through the job', async () => {
    const engine = await createEngine({ shell: 'cli', configDir: path.join(root, 'config') });
    try {
      const started = engine.openCase({
        paths: [],
        s3: [{ uri: 's3://trail-bucket/', profile: 'loupe-test', endpoint: front.endpoint }],
      });
      const off = engine.onEvent((event, payload) => {
        if (event === 'jobs:progress' && 'phase' in payload && payload.phase === 'listing')
          engine.jobs.cancel(started.jobId);
      });
      await expect(started.done).rejects.toBeDefined();
      off();
      expect(engine.jobs.get(started.jobId).status).toBe('cancelled');
    } finally {
      await engine.close();
    }
  });
});
