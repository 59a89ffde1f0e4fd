import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';

/**
 * A tiny hand-made case in an in-memory DuckDB: a few CloudTrail calls by known principals,
 * flows and DNS queries of one instance, and findings linked to their events. Small enough
 * that every count the tests assert can be checked by reading this file.
 */
export const ACCT = '111122223333';
export const OTHER_ACCT = '444455556666';
export const ALICE = `arn:aws:iam::${ACCT}:user/alice`;
export const ROOT = `arn:aws:iam::${ACCT}:root`;
export const WEB_ROLE = `arn:aws:iam::${ACCT}:role/web`;
export const ADMIN_ROLE = `arn:aws:iam::${ACCT}:role/admin`;
export const INSTANCE = 'i-0abc1234def567890';
export const C2_DOMAIN = 'guarddutyc2activityb.com';

type Value = string | number | boolean | null;

async function insert(db: Database, table: string, rows: Array<Record<string, Value>>): Promise<void> {
  for (const row of rows) {
    const cols = Object.keys(row);
    await db.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `$${c}`).join(', ')})`, row);
  }
}

let uid = 0;
function ct(time: string, fields: Record<string, Value>): Record<string, Value> {
  uid++;
  const row: Record<string, Value> = {
    event_uid: `ct-${uid}`,
    event_time: time,
    event_source: 'iam.amazonaws.com',
    aws_region: 'us-east-1',
    recipient_account_id: ACCT,
    account_id: ACCT,
    read_only: true,
    file_id: 1,
    position: uid,
    ...fields,
  };
  row['raw'] = JSON.stringify({ eventID: row['event_uid'], eventName: row['event_name'], eventTime: time });
  return row;
}

export interface FixtureCase {
  db: Database;
  counts: { cloudtrail: number; vpcflow: number; dns: number };
}

export async function openFixtureCase(): Promise<FixtureCase> {
  uid = 0;
  const db = await Database.open({ path: ':memory:', threads: 1 });
  await migrate(db);
  await insert(db, 'files', [
    { file_id: 1, path: 'AWSLogs/ct.json.gz', size: 10, type: 'cloudtrail', records: 12, status: 'loaded' },
    { file_id: 2, path: 'AWSLogs/flow.log.gz', size: 10, type: 'vpcflow', records: 8, status: 'loaded' },
    { file_id: 3, path: 'AWSLogs/dns.log.gz', size: 10, type: 'dns', records: 3, status: 'loaded' },
  ]);
  const alice = {
    principal_type: 'IAMUser',
    principal_arn: ALICE,
    principal_name: 'alice',
    access_key_id: 'AKIAALICE00000000001',
    source_ip: '198.51.100.7',
  };
  const cloudtrail = [
    ct('2026-03-01T10:00:00Z', { ...alice, event_name: 'ListBuckets', event_source: 's3.amazonaws.com' }),
    ct('2026-03-01T10:05:00Z', { ...alice, event_name: 'ListBuckets', event_source: 's3.amazonaws.com' }),
    ct('2026-03-01T10:10:00Z', { ...alice, event_name: 'ListBuckets', event_source: 's3.amazonaws.com' }),
    ct('2026-03-01T10:20:00Z', {
      ...alice,
      event_name: 'GetObject',
      event_source: 's3.amazonaws.com',
      bucket_name: 'finance-data',
      object_key: 'q1.csv',
    }),
    ct('2026-03-01T10:21:00Z', {
      ...alice,
      event_name: 'GetObject',
      event_source: 's3.amazonaws.com',
      bucket_name: 'finance-data',
      object_key: 'q2.csv',
    }),
    ct('2026-03-01T10:22:00Z', {
      ...alice,
      event_name: 'PutObject',
      event_source: 's3.amazonaws.com',
      bucket_name: 'finance-data',
      object_key: 'x.csv',
      read_only: false,
    }),
    ct('2026-03-01T12:00:00Z', {
      principal_type: 'Root',
      principal_arn: ROOT,
      principal_name: null,
      access_key_id: 'ASIAROOT000000000001',
      source_ip: '203.0.113.9',
      event_name: 'StopLogging',
      event_source: 'cloudtrail.amazonaws.com',
      read_only: false,
    }),
    ct('2026-03-01T13:00:00Z', {
      principal_type: 'AssumedRole',
      principal_arn: `arn:aws:sts::${ACCT}:assumed-role/web/${INSTANCE}`,
      session_issuer_arn: WEB_ROLE,
      session_name: INSTANCE,
      access_key_id: 'ASIAWEB0000000000001',
      source_ip: '54.240.1.2',
      event_name: 'DescribeInstances',
      event_source: 'ec2.amazonaws.com',
    }),
    ct('2026-03-01T13:30:00Z', {
      principal_type: 'IAMUser',
      principal_arn: `arn:aws:iam::${ACCT}:user/bob`,
      principal_name: 'bob',
      access_key_id: 'AKIABOB0000000000001',
      source_ip: '192.0.2.44',
      event_name: 'AssumeRole',
      event_source: 'sts.amazonaws.com',
      request_parameters: JSON.stringify({ roleArn: ADMIN_ROLE, roleSessionName: 'bob' }),
    }),
    ct('2026-03-02T09:00:00Z', {
      principal_type: 'IAMUser',
      principal_arn: `arn:aws:iam::${OTHER_ACCT}:user/carol`,
      principal_name: 'carol',
      recipient_account_id: OTHER_ACCT,
      account_id: OTHER_ACCT,
      source_ip: '198.51.100.200',
      aws_region: 'eu-west-1',
      event_name: 'ListUsers',
    }),
    ct('2026-03-02T09:01:00Z', {
      principal_type: 'IAMUser',
      principal_arn: `arn:aws:iam::${OTHER_ACCT}:user/carol`,
      principal_name: 'carol',
      recipient_account_id: OTHER_ACCT,
      account_id: OTHER_ACCT,
      source_ip: '198.51.100.200',
      aws_region: 'eu-west-1',
      event_name: 'ListRoles',
      error_code: 'AccessDenied',
    }),
    ct('2026-03-02T09:02:00Z', {
      principal_type: 'AWSService',
      invoked_by: 'cloudtrail.amazonaws.com',
      source_ip: 'cloudtrail.amazonaws.com',
      event_name: 'AssumeRole',
      event_source: 'sts.amazonaws.com',
    }),
  ];
  await insert(db, 'cloudtrail', cloudtrail);

  const flow = (i: number, fields: Record<string, Value>): Record<string, Value> => ({
    event_uid: `2:${i + 2}`,
    version: 2,
    account_id: ACCT,
    interface_id: 'eni-0aaa',
    instance_id: INSTANCE,
    protocol: 6,
    packets: 10,
    bytes: 1000,
    action: 'ACCEPT',
    log_status: 'OK',
    region: 'us-east-1',
    file_id: 2,
    position: i + 2,
    ...fields,
  });
  const vpcflow = [
    ...[0, 1, 2, 3, 4].map((i) =>
      flow(i, {
        srcaddr: '10.0.0.5',
        dstaddr: '203.0.113.50',
        srcport: 40000 + i,
        dstport: 443,
        start_time: `2026-03-01T14:0${i}:00Z`,
        end_time: `2026-03-01T14:0${i}:59Z`,
      }),
    ),
    ...[5, 6, 7].map((i) =>
      flow(i, {
        srcaddr: '198.51.100.99',
        dstaddr: '10.0.0.5',
        srcport: 50000 + i,
        dstport: 22,
        action: 'REJECT',
        start_time: `2026-03-01T15:0${i}:00Z`,
        end_time: `2026-03-01T15:0${i}:59Z`,
      }),
    ),
  ];
  await insert(db, 'vpcflow', vpcflow);

  const dnsRow = (i: number, name: string, time: string): Record<string, Value> => ({
    event_uid: `3:${i}`,
    query_time: time,
    account_id: ACCT,
    region: 'us-east-1',
    vpc_id: 'vpc-1',
    query_name: name,
    query_type: 'A',
    rcode: 'NOERROR',
    srcaddr: '10.0.0.5',
    instance_id: INSTANCE,
    raw: JSON.stringify({ query_name: name, query_timestamp: time }),
    file_id: 3,
    position: i,
  });
  const dns = [
    dnsRow(1, `${C2_DOMAIN}.`, '2026-03-01T16:00:00Z'),
    dnsRow(2, `${C2_DOMAIN}.`, '2026-03-01T16:30:00Z'),
    dnsRow(3, 'example.org.', '2026-03-01T16:45:00Z'),
  ];
  await insert(db, 'dns', dns);

  const finding = (f: {
    id: string;
    type: string;
    severity: number;
    account: string;
    resourceType: string;
    resourceId: string;
    first: string;
    last: string;
    count: number;
    archived?: boolean;
    json: Record<string, unknown>;
  }): Record<string, Value> => ({
    id: f.id,
    type: f.type,
    severity: f.severity,
    title: `${f.type} on ${f.resourceId}`,
    account_id: f.account,
    region: 'us-east-1',
    resource_type: f.resourceType,
    resource_id: f.resourceId,
    rule_id: 'test',
    count: f.count,
    first_seen: f.first,
    last_seen: f.last,
    created_at: f.first,
    updated_at: f.last,
    archived: f.archived ?? false,
    finding: JSON.stringify({
      schemaVersion: '2.0',
      id: f.id,
      type: f.type,
      severity: f.severity,
      accountId: f.account,
      ...f.json,
    }),
  });
  await insert(db, 'findings', [
    finding({
      id: 'f-stoplogging',
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      severity: 2,
      account: ACCT,
      resourceType: 'AccessKey',
      resourceId: 'ASIAROOT000000000001',
      first: '2026-03-01T12:00:00Z',
      last: '2026-03-01T12:00:00Z',
      count: 1,
      json: {
        resource: {
          resourceType: 'AccessKey',
          accessKeyDetails: { accessKeyId: 'ASIAROOT000000000001', userType: 'Root' },
        },
        service: {
          action: {
            actionType: 'AWS_API_CALL',
            awsApiCallAction: { api: 'StopLogging', remoteIpDetails: { ipAddressV4: '203.0.113.9' } },
          },
        },
      },
    }),
    finding({
      id: 'f-c2',
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      severity: 8,
      account: ACCT,
      resourceType: 'Instance',
      resourceId: INSTANCE,
      first: '2026-03-01T16:00:00Z',
      last: '2026-03-01T16:30:00Z',
      count: 2,
      json: {
        resource: { resourceType: 'Instance', instanceDetails: { instanceId: INSTANCE } },
        service: { action: { actionType: 'DNS_REQUEST', dnsRequestAction: { domain: C2_DOMAIN } } },
      },
    }),
    finding({
      id: 'f-bucket',
      type: 'Policy:S3/BucketBlockPublicAccessDisabled',
      severity: 2,
      account: ACCT,
      resourceType: 'S3Bucket',
      resourceId: 'finance-data',
      first: '2026-03-01T10:22:00Z',
      last: '2026-03-01T10:22:00Z',
      count: 1,
      json: {
        resource: { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'finance-data', type: 'Destination' }] },
      },
    }),
    finding({
      id: 'f-archived',
      type: 'Recon:IAMUser/MaliciousIPCaller.Custom',
      severity: 5,
      account: OTHER_ACCT,
      resourceType: 'AccessKey',
      resourceId: 'AKIACAROL',
      first: '2026-03-02T09:00:00Z',
      last: '2026-03-02T09:01:00Z',
      count: 2,
      archived: true,
      json: { resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIACAROL' } } },
    }),
  ]);
  await insert(db, 'finding_events', [
    { finding_id: 'f-stoplogging', source: 'cloudtrail', event_uid: 'ct-7' },
    { finding_id: 'f-c2', source: 'dns', event_uid: '3:1' },
    { finding_id: 'f-c2', source: 'dns', event_uid: '3:2' },
    { finding_id: 'f-bucket', source: 'cloudtrail', event_uid: 'ct-6' },
    { finding_id: 'f-archived', source: 'cloudtrail', event_uid: 'ct-10' },
    { finding_id: 'f-archived', source: 'cloudtrail', event_uid: 'ct-11' },
  ]);
  return { db, counts: { cloudtrail: cloudtrail.length, vpcflow: vpcflow.length, dns: dns.length } };
}
