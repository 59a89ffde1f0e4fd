import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../../electron/engine/sources/ingest';
import { ACCOUNT, byName, ctEvent, ctKey, fileRows, jobContext, openLab, records, type Lab } from './helpers';

let lab: Lab;
beforeEach(async () => {
  lab = await openLab();
});
afterEach(() => lab.close());

describe('CloudTrail ingest', () => {
  it('loads S3-delivered files, hand exports and JSON lines, with derived columns and traceable positions', async () => {
    lab.write(ctKey('us-east-1', 'AAAA'), records(0, 5));
    lab.write(ctKey('eu-west-1', 'BBBB'), records(5, 8, { awsRegion: 'eu-west-1' }));
    lab.write('exports/pretty.json', JSON.stringify({ Records: [ctEvent(20), ctEvent(21)] }, null, 2));
    lab.write('exports/array.json', JSON.stringify([ctEvent(30), ctEvent(31), ctEvent(32)], null, 4));
    lab.write('exports/single.json', JSON.stringify(ctEvent(40), null, 2));
    lab.write('exports/events.jsonl', [ctEvent(50), ctEvent(51)].map((e) => JSON.stringify(e)).join('\n') + '\n');
    lab.write(
      'exports/lookup.json',
      JSON.stringify(
        { Events: [{ EventId: 'x', EventName: 'GetObject', CloudTrailEvent: JSON.stringify(ctEvent(60)) }] },
        null,
        2,
      ),
    );
    const ctx = jobContext();
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], ctx);

    expect(report.failures).toEqual([]);
    expect(report.filesLoaded).toBe(7);
    expect(report.events.cloudtrail).toBe(5 + 3 + 2 + 3 + 1 + 2 + 1);
    const files = await fileRows(lab.db);
    const delivered = byName(files, 'BBBB.json.gz');
    expect(delivered).toMatchObject({
      type: 'cloudtrail',
      status: 'loaded',
      records: 3,
      account_id: ACCOUNT,
      region: 'eu-west-1',
    });
    expect(delivered.sha256).toMatch(/^[0-9a-f]{64}$/);

    const row = await lab.db.one<Record<string, unknown>>(
      `SELECT c.*, iso_ts(event_time) AS t, iso_ts(session_creation_date) AS created, f.path
       FROM cloudtrail c JOIN files f USING (file_id) WHERE event_uid = '00000000-0000-4000-8000-000000000007'`,
    );
    expect(row).toMatchObject({
      t: '2026-03-01T00:00:07.000Z',
      principal_type: 'AssumedRole',
      principal_name: 'Admin',
      session_name: 'session-1',
      access_key_id: 'ASIAEXAMPLE2',
      session_issuer_arn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
      mfa_authenticated: true,
      account_id: ACCOUNT,
      aws_region: 'eu-west-1',
      read_only: true,
      position: 2,
      created: '2026-03-01T00:00:00.000Z',
    });
    expect(String(row?.['path'])).toMatch(/BBBB\.json\.gz$/);
    // The raw record is kept whole, so a field we do not flatten is still there.
    const raw = await lab.db.one<{ v: string }>(
      `SELECT (raw ->> '$.eventCategory') AS v FROM cloudtrail WHERE event_uid LIKE '%000000000031'`,
    );
    expect(raw?.v).toBe('Management');
    const positions = await lab.db.all<{ p: number }>(
      `SELECT position AS p FROM cloudtrail JOIN files USING (file_id) WHERE path LIKE '%array.json' ORDER BY position`,
    );
    expect(positions.map((p) => p.p)).toEqual([0, 1, 2]);
    expect(ctx.progress.some((p) => p.phase === 'load')).toBe(true);
  });

  it('fills S3 data event columns and keeps invalid IPs and invented regions', async () => {
    const get = ctEvent(1, {
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      eventCategory: 'Data',
      managementEvent: false,
      awsRegion: 'apiso-centralnorth-2r',
      sourceIPAddress: 'not-an-ip',
      requestParameters: { bucketName: 'evidence-bucket', key: 'secrets/db.sql', Host: 'x' },
      resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::evidence-bucket/secrets/db.sql' }],
    });
    const root = ctEvent(2, {
      userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
    });
    const user = ctEvent(3, {
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        accountId: ACCOUNT,
        userName: 'alice',
        accessKeyId: 'AKIAEXAMPLE',
      },
    });
    lab.write(ctKey('us-east-1', 'DATA'), JSON.stringify({ Records: [get, root, user] }));
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.events.cloudtrail).toBe(3);
    const rows = await lab.db.all<Record<string, unknown>>(
      `SELECT principal_type, principal_name, bucket_name, object_key, source_ip, aws_region, event_category FROM cloudtrail ORDER BY position`,
    );
    expect(rows).toEqual([
      {
        principal_type: 'AssumedRole',
        principal_name: 'Admin',
        bucket_name: 'evidence-bucket',
        object_key: 'secrets/db.sql',
        source_ip: 'not-an-ip',
        aws_region: 'apiso-centralnorth-2r',
        event_category: 'Data',
      },
      {
        principal_type: 'Root',
        principal_name: 'Root',
        bucket_name: null,
        object_key: null,
        source_ip: '198.51.100.7',
        aws_region: 'us-east-1',
        event_category: 'Management',
      },
      {
        principal_type: 'IAMUser',
        principal_name: 'alice',
        bucket_name: null,
        object_key: null,
        source_ip: '198.51.100.7',
        aws_region: 'us-east-1',
        event_category: 'Management',
      },
    ]);
  });

  it('dedupes on eventID within a batch and across loads, and skips files already loaded by SHA-256', async () => {
    lab.write(ctKey('us-east-1', 'ONE'), records(0, 10));
    lab.write('overlap/export.json', records(5, 15)); // overlaps events 5-9
    const first = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(first.events.cloudtrail).toBe(15);
    const overlap = byName(await fileRows(lab.db), 'export.json');
    expect(overlap.reason).toMatch(/5 of 10 events were already loaded/);

    lab.write('later/more.json', records(12, 20));
    const second = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(second.filesDuplicate).toBe(2);
    expect(second.filesLoaded).toBe(1);
    expect(second.events.cloudtrail).toBe(5);
    const n = await lab.db.one<{ n: number; d: number }>(
      `SELECT count(*)::INTEGER AS n, count(DISTINCT event_uid)::INTEGER AS d FROM cloudtrail`,
    );
    expect(n).toEqual({ n: 20, d: 20 });
    const dup = (await fileRows(lab.db)).filter((r) => r.status === 'duplicate');
    expect(dup.map((r) => r.reason)).toEqual([
      'same SHA-256 as a file already loaded into this case',
      'same SHA-256 as a file already loaded into this case',
    ]);
  });

  it('records digests as skipped and CSV exports as CloudTrail', async () => {
    lab.write(
      `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2026/03/01/${ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260301T010000Z.json.gz`,
      JSON.stringify({
        awsAccountId: ACCOUNT,
        digestStartTime: '2026-03-01T00:00:00Z',
        digestEndTime: '2026-03-01T01:00:00Z',
        digestPublicKeyFingerprint: 'ab',
        logFiles: [],
      }),
    );
    const event = ctEvent(70);
    const csv = [
      'Event ID,Event time,User name,Event name,Event source,AWS region,Source IP address,CloudTrail event',
      `x,2026-03-01T00:01:10Z,Admin,DescribeInstances,ec2.amazonaws.com,us-east-1,198.51.100.7,"${JSON.stringify(event).replace(/"/g, '""')}"`,
      'y,2026-03-01T00:02:00Z,bob,ListBuckets,s3.amazonaws.com,us-east-1,203.0.113.9,',
    ].join('\n');
    lab.write('console/event_history.csv', csv);
    const report = await ingestPaths(lab.db, [`${lab.dir}/in`], jobContext());
    expect(report.filesSkipped).toBe(1);
    expect(report.failures[0]?.reason).toMatch(/digest/i);
    expect(byName(await fileRows(lab.db), '.json.gz').type).toBe('cloudtrail-digest');
    const rows = await lab.db.all<{
      event_uid: string;
      event_name: string;
      principal_name: string;
      user_identity_type: string | null;
    }>(
      `SELECT event_uid, event_name, principal_name, (user_identity ->> 'type') AS user_identity_type FROM cloudtrail ORDER BY position`,
    );
    expect(rows).toEqual([
      {
        event_uid: String(event['eventID']),
        event_name: 'DescribeInstances',
        principal_name: 'Admin',
        user_identity_type: 'AssumedRole',
      },
      { event_uid: 'y', event_name: 'ListBuckets', principal_name: 'bob', user_identity_type: null },
    ]);
  });
});
