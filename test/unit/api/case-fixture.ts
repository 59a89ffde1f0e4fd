import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';

/**
 * A small case written straight into the tables (files, cloudtrail, findings, finding_events),
 * so the query layer is tested against real DuckDB without waiting on the loaders.
 */
export interface FindingSeed {
  id: string;
  type: string;
  severity: number;
  account?: string;
  region?: string;
  resourceType?: string;
  resourceId?: string;
  count?: number;
  firstSeen: string;
  lastSeen: string;
  archived?: boolean;
  title?: string;
  events?: string[];
}

export async function openCaseDb(): Promise<Database> {
  const db = await Database.open({ path: ':memory:', threads: 1, memoryLimit: '512MB' });
  await migrate(db);
  return db;
}

export async function addFile(
  db: Database,
  file: {
    id: number;
    path: string;
    status?: string;
    reason?: string | null;
    account?: string | null;
    records?: number;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO files (file_id, path, size, sha256, type, records, status, reason, account_id, region)
     VALUES ($id, $path, 100, 'abc', 'cloudtrail', $records, $status, $reason, $account, 'us-east-1')`,
    {
      id: file.id,
      path: file.path,
      records: file.records ?? 0,
      status: file.status ?? 'loaded',
      reason: file.reason ?? null,
      account: file.account ?? null,
    },
  );
}

export async function addCloudTrail(
  db: Database,
  e: {
    uid: string;
    time: string;
    name: string;
    fileId: number;
    position: number;
    ip?: string;
    error?: string;
    account?: string;
  },
): Promise<void> {
  const raw = JSON.stringify({ eventID: e.uid, eventName: e.name, eventTime: e.time });
  await db.run(
    `INSERT INTO cloudtrail (event_uid, event_time, event_source, event_name, source_ip, error_code, principal_arn,
                             recipient_account_id, raw, file_id, position)
     VALUES ($uid, CAST($time AS TIMESTAMPTZ), 'iam.amazonaws.com', $name, $ip, $error,
             'arn:aws:iam::111122223333:user/alice', $account, CAST($raw AS JSON), $file, $pos)`,
    {
      uid: e.uid,
      time: e.time,
      name: e.name,
      ip: e.ip ?? '198.51.100.7',
      error: e.error ?? null,
      account: e.account ?? '111122223333',
      raw,
      file: e.fileId,
      pos: e.position,
    },
  );
}

export async function addFinding(db: Database, f: FindingSeed): Promise<void> {
  const account = f.account ?? '111122223333';
  const region = f.region ?? 'us-east-1';
  const json = {
    schemaVersion: '2.0',
    id: f.id,
    type: f.type,
    severity: f.severity,
    accountId: account,
    region,
    title: f.title ?? `Finding ${f.id}`,
    description: `Description of ${f.id}`,
    service: { serviceName: 'guardduty', archived: false, count: f.count ?? 1 },
  };
  await db.run(
    `INSERT INTO findings (id, type, severity, title, account_id, region, resource_type, resource_id, rule_id, count,
                           first_seen, last_seen, created_at, updated_at, archived, finding)
     VALUES ($id, $type, $severity, $title, $account, $region, $rtype, $rid, 'rule', $count,
             CAST($first AS TIMESTAMPTZ), CAST($last AS TIMESTAMPTZ), now(), now(), $archived, CAST($json AS JSON))`,
    {
      id: f.id,
      type: f.type,
      severity: f.severity,
      title: json.title,
      account,
      region,
      rtype: f.resourceType ?? 'AccessKey',
      rid: f.resourceId ?? 'AKIAEXAMPLE',
      count: f.count ?? 1,
      first: f.firstSeen,
      last: f.lastSeen,
      archived: f.archived ?? false,
      json: JSON.stringify(json),
    },
  );
  for (const uid of f.events ?? []) {
    await db.run(`INSERT INTO finding_events VALUES ($id, 'cloudtrail', $uid)`, { id: f.id, uid });
  }
}

/** Five findings across severities, accounts and time, one archived. */
export async function seedFindings(db: Database): Promise<void> {
  await addFinding(db, {
    id: 'f-low',
    type: 'Recon:IAMUser/MaliciousIPCaller',
    severity: 2,
    count: 3,
    firstSeen: '2024-05-01T00:00:00Z',
    lastSeen: '2024-05-01T01:00:00Z',
  });
  await addFinding(db, {
    id: 'f-med',
    type: 'Discovery:S3/MaliciousIPCaller',
    severity: 5,
    count: 10,
    resourceType: 'S3Bucket',
    resourceId: 'logs_100%_bucket',
    firstSeen: '2024-05-02T00:00:00Z',
    lastSeen: '2024-05-02T05:00:00Z',
  });
  await addFinding(db, {
    id: 'f-high',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    severity: 8,
    count: 1,
    account: '444455556666',
    region: 'eu-west-1',
    firstSeen: '2024-05-03T00:00:00Z',
    lastSeen: '2024-05-03T02:00:00Z',
    title: 'Credentials used from outside AWS',
  });
  await addFinding(db, {
    id: 'f-crit',
    type: 'AttackSequence:IAM/CompromisedCredentials',
    severity: 9.5,
    count: 7,
    firstSeen: '2024-05-04T00:00:00Z',
    lastSeen: '2024-05-04T03:00:00Z',
  });
  await addFinding(db, {
    id: 'f-archived',
    type: 'Recon:IAMUser/MaliciousIPCaller',
    severity: 8,
    count: 2,
    archived: true,
    firstSeen: '2024-05-05T00:00:00Z',
    lastSeen: '2024-05-05T00:00:00Z',
  });
}

export async function addFlow(
  db: Database,
  e: { uid: string; time: string; fileId: number; line: number; src: string; dst: string; dstPort: number },
): Promise<void> {
  await db.run(
    `INSERT INTO vpcflow (event_uid, version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol,
                          packets, bytes, start_time, end_time, action, log_status, file_id, position)
     VALUES ($uid, 2, '111122223333', 'eni-0abc', $src, $dst, 49152, $port, 6, 3, 180,
             CAST($time AS TIMESTAMPTZ), CAST($time AS TIMESTAMPTZ) + INTERVAL 60 SECOND, 'REJECT', 'OK', $file, $line)`,
    { uid: e.uid, src: e.src, dst: e.dst, port: e.dstPort, time: e.time, file: e.fileId, line: e.line },
  );
}

export async function addDns(
  db: Database,
  e: { uid: string; time: string; fileId: number; line: number; name: string; instance?: string | null },
): Promise<void> {
  await db.run(
    `INSERT INTO dns (event_uid, query_time, version, account_id, region, vpc_id, query_name, query_type, query_class,
                      rcode, srcaddr, srcport, transport, instance_id, raw, file_id, position)
     VALUES ($uid, CAST($time AS TIMESTAMPTZ), '1.1', '111122223333', 'us-east-1', 'vpc-1', $name, 'A', 'IN',
             'NOERROR', '10.0.0.5', 53000, 'UDP', $instance, CAST($raw AS JSON), $file, $line)`,
    {
      uid: e.uid,
      time: e.time,
      name: e.name,
      instance: e.instance === undefined ? 'i-0123456789abcdef0' : e.instance,
      raw: JSON.stringify({ query_name: e.name }),
      file: e.fileId,
      line: e.line,
    },
  );
}
