import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main';
import { parseExportArgs, parseScanArgs, parseServeArgs } from '../../../electron/cli/args';
import { formatScanSummary } from '../../../electron/cli/summary';
import type { CaseLoadReport } from '../../../electron/engine/case/load';

/** The CLI's own logic in-process: dispatch, argument checks, exit codes, the summary text. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-cli-unit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('loupe dispatch', () => {
  it('prints help for each command and overall', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('Usage: loupe <command>') });
    expect(await run([])).toMatchObject({ code: 2 });
    expect(await run(['scan', '-h'])).toMatchObject({ code: 0, out: expect.stringContaining('--threat-list FILE') });
    expect(await run(['serve', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('--port N') });
  });

  it('refuses unknown commands, reserved ones and bad options with exit 2', async () => {
    expect(await run(['frob'])).toMatchObject({ code: 2, err: expect.stringContaining("unknown command 'frob'") });
    expect(await run(['ingest'])).toMatchObject({ code: 2, err: expect.stringContaining('not available yet') });
    expect(await run(['export'])).toMatchObject({ code: 2, err: expect.stringContaining('needs the case folder') });
    expect(await run(['export', dir])).toMatchObject({ code: 2, err: expect.stringContaining('needs --out') });
    expect(await run(['export', dir, '--out', '-', '--format', 'guardduty-s3'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('cannot go to stdout'),
    });
    expect(await run(['scan'])).toMatchObject({ code: 2, err: expect.stringContaining('at least one path') });
    expect(await run(['scan', dir, '--format', 'xml'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--format must be one of json, jsonl, guardduty-s3'),
    });
    expect(await run(['scan', dir, '--nope'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("'loupe scan --help'"),
    });
    expect(await run(['serve', '--port', '70000'])).toMatchObject({ code: 2, err: expect.stringContaining('--port') });
    expect(await run(['serve', '--port', '-1'])).toMatchObject({ code: 2 });
  });

  it('names missing paths and lists with exit 1 before loading anything', async () => {
    const missing = join(dir, 'absent');
    const scan = await run(['scan', dir, '--threat-list', missing]);
    expect(scan).toMatchObject({ code: 1, err: `loupe scan: no such file or folder: ${missing}` });
    expect(await run(['serve', missing])).toMatchObject({ code: 1 });
    expect(await run(['scan', dir, '--suppress', missing])).toMatchObject({
      code: 1,
      err: expect.stringContaining(missing),
    });
  });

  it('refuses a folder that is not a case for export, with a hint', async () => {
    const result = await run(['export', dir, '--out', join(dir, 'x.json')]);
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining('is not a Loupe case') });
    expect(result.err).toContain('hint:');
  });

  it('refuses S3 options without an s3:// path, and bad S3 option values, with exit 2', async () => {
    expect(await run(['scan', dir, '--profile', 'x'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--profile only applies to s3:// paths'),
    });
    expect(await run(['scan', 's3://b/p', '--account', '123'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--account: a 12-digit AWS account id'),
    });
    expect(await run(['scan', 's3://b/p', '--from', 'yesterday'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--from: not a date'),
    });
  });
});

describe('argument parsing', () => {
  it('collects repeated lists and infers jsonl from the output name', () => {
    expect(parseScanArgs(['a', 'b', '--threat-list', 't1', '--threat-list', 't2', '--out', 'x.jsonl'])).toMatchObject({
      paths: ['a', 'b'],
      threatLists: ['t1', 't2'],
      trustedLists: [],
      format: 'guardduty-jsonl',
      includeArchived: false,
    });
    expect(parseScanArgs(['a', '--out', '-'])).toMatchObject({ format: 'guardduty-json', out: '-' });
    expect(parseScanArgs(['a', '--out', 'r.html'])).toMatchObject({ format: 'html' });
    expect(parseScanArgs(['a', '--out', 'r.csv', '--format', 'ocsf', '--include-archived'])).toMatchObject({
      format: 'ocsf',
      includeArchived: true,
    });
    expect(parseExportArgs(['c.loupe', '--out', 'p.sh', '--finding', 'f1', '--finding', 'f2'])).toMatchObject({
      caseDir: 'c.loupe',
      format: 'playbook',
      findingIds: ['f1', 'f2'],
      overwrite: false,
    });
    expect(parseServeArgs(['case', '--port', '8123'])).toMatchObject({ paths: ['case'], port: 8123, open: false });
    expect(parseServeArgs([])).toMatchObject({ paths: [], port: 0 });
  });

  it('takes a learning period in whole days and refuses anything else', () => {
    expect(parseScanArgs(['a'])?.learningDays).toBeUndefined();
    expect(parseScanArgs(['a', '--learning-days', '3'])?.learningDays).toBe(3);
    expect(parseScanArgs(['a', '--learning-days', '0'])?.learningDays).toBe(0);
    expect(() => parseScanArgs(['a', '--learning-days', 'two'])).toThrow(/--learning-days/);
    expect(() => parseScanArgs(['a', '--learning-days', '-1'])).toThrow(/--learning-days/);
  });

  it('splits s3:// paths from local ones and gives each the S3 options', () => {
    const args = parseScanArgs([
      'logs',
      's3://trail/AWSLogs/',
      '--profile',
      'ir',
      '--endpoint',
      'http://127.0.0.1:9000',
      '--account',
      '111122223333',
      '--from',
      '2024-02-01',
      '--log-region',
      'eu-west-1',
    ]);
    expect(args?.paths).toEqual(['logs']);
    expect(args?.s3).toEqual([
      {
        uri: 's3://trail/AWSLogs/',
        profile: 'ir',
        endpoint: 'http://127.0.0.1:9000',
        accounts: ['111122223333'],
        regions: ['eu-west-1'],
        from: '2024-02-01',
      },
    ]);
  });
});

describe('scan summary', () => {
  const report: CaseLoadReport = {
    ingest: {
      filesSeen: 5,
      filesLoaded: 2,
      filesSkipped: 2,
      filesFailed: 1,
      filesDuplicate: 0,
      events: { cloudtrail: 40, vpcflow: 2, dns: 0 },
      failures: [
        { path: '/l/d1.json.gz', status: 'skipped', reason: 'CloudTrail digest file' },
        { path: '/l/d2.json.gz', status: 'skipped', reason: 'CloudTrail digest file' },
        { path: '/l/bad.json.gz', status: 'failed', reason: 'gzip: unexpected end of file' },
      ],
      elapsedMs: 10,
    },
    s3: [
      {
        uri: 's3://trail/AWSLogs/',
        listed: 3,
        downloaded: 2,
        cached: 0,
        bytes: 100,
        failures: [
          { uri: 's3://trail/AWSLogs/x.json.gz', code: 'S3_ACCESS_DENIED', message: 'Access denied to x.json.gz.' },
        ],
        error: null,
      },
      {
        uri: 's3://locked/',
        listed: 0,
        downloaded: 0,
        cached: 0,
        bytes: 0,
        failures: [],
        error: { code: 'S3_CREDENTIALS', message: 'The credentials were refused.', hint: 'Check the profile.' },
      },
    ],
    intel: [],
    intelFailures: [{ path: '/l/list.txt', kind: 'threat', error: { code: 'INTEL_INVALID', message: 'no entries' } }],
    detect: {
      rules: 3,
      rulesFailed: [{ ruleId: 'r1', file: 'r1.yml', error: 'boom' }],
      findings: 3,
      byType: { 'Recon:IAMUser/MaliciousIPCaller': 1, 'Policy:IAMUser/RootCredentialUsage': 2 },
      bySeverity: { Low: 2, Medium: 1, High: 0, Critical: 0 },
      elapsedMs: 5,
      rulesSkipped: [{ ruleId: 'r2', reason: 'no dns' }],
      suppressedByTrustedList: 0,
      findingsRemoved: 0,
      warnings: ['enrichment data unavailable'],
      // Only what the summary reads; the detect report grows fields the CLI does not print.
    } satisfies Partial<CaseLoadReport['detect']> as unknown as CaseLoadReport['detect'],
    detectedAt: '2024-05-01T00:00:00.000Z',
    suppression: { archived: 2, unarchived: 0 },
    notifications: [
      {
        ruleId: 'n1',
        name: 'pager',
        target: 'webhook http://127.0.0.1/hook',
        matched: 3,
        sent: 2,
        failed: 1,
        skipped: 0,
        errors: ['f-1: The webhook http://127.0.0.1/hook answered 500 Internal Server Error.'],
      },
    ],
    elapsedMs: 1234,
  };

  it('states files, events, failures, S3, rules, findings by severity and type, suppression, notifications, time', () => {
    expect(formatScanSummary(report)).toEqual([
      'Files: 5 seen, 2 loaded, 2 skipped, 1 failed, 0 duplicate',
      'Events: 42 loaded (CloudTrail 40, VPC flow 2, DNS 0)',
      '  Skipped 2 files: CloudTrail digest file (e.g. /l/d1.json.gz)',
      '  Failed: /l/bad.json.gz: gzip: unexpected end of file',
      'S3: s3://trail/AWSLogs/: 3 objects, 2 downloaded, 0 from cache, 1 failed',
      '  Failed: s3://trail/AWSLogs/x.json.gz: S3_ACCESS_DENIED: Access denied to x.json.gz.',
      'S3: s3://locked/: not fetched: S3_CREDENTIALS: The credentials were refused.',
      '  hint: Check the profile.',
      'Intel: threat list /l/list.txt not loaded: no entries',
      'Detections: 3 rules, 1 failed, 1 skipped (no matching logs)',
      '  Rule failed: r1 (r1.yml): boom',
      '  Warning: enrichment data unavailable',
      'Findings: 3 (Critical 0, High 0, Medium 1, Low 2)',
      '      2  Policy:IAMUser/RootCredentialUsage',
      '      1  Recon:IAMUser/MaliciousIPCaller',
      'Suppressed: 2 findings archived by suppression rules',
      'Notify: pager (webhook http://127.0.0.1/hook): sent 2 of 3 findings, 1 failed',
      '  Failed: f-1: The webhook http://127.0.0.1/hook answered 500 Internal Server Error.',
      'Elapsed: 1.2 s',
    ]);
  });
});
