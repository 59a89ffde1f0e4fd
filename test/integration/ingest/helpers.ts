import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import type { JobContext, Progress } from '../../../electron/engine/jobs/job-registry';

/** Test fixtures for ingest: real files (gzip, zip) in AWS's key layout inside a temp dir. */
export interface Lab {
  dir: string;
  db: Database;
  write(rel: string, content: string | Buffer, gzip?: boolean): string;
  close(): void;
}

export async function openLab(): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-ingest-test-'));
  const db = await Database.open({ path: join(dir, 'case.duckdb'), threads: 2 });
  await migrate(db);
  return {
    dir,
    db,
    write(rel, content, gzip = rel.endsWith('.gz')) {
      const path = join(dir, 'in', rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzip ? gzipSync(content) : content);
      return path;
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function jobContext(signal: AbortSignal = new AbortController().signal): JobContext & { progress: Progress[] } {
  const progress: Progress[] = [];
  return { signal, progress, report: (p) => progress.push(p) };
}

export const ACCOUNT = '111122223333';

export function ctEvent(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE:session-${i % 3}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/session-${i % 3}`,
      accountId: ACCOUNT,
      accessKeyId: `ASIAEXAMPLE${i % 5}`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLE',
          arn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
          accountId: ACCOUNT,
          userName: 'Admin',
        },
        attributes: { creationDate: '2026-03-01T00:00:00Z', mfaAuthenticated: 'true' },
      },
    },
    eventTime: new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString().replace('.000Z', 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { maxResults: 5 },
    responseElements: null,
    requestID: `req-${i}`,
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

export function ctKey(region: string, name: string, account = ACCOUNT): string {
  return `AWSLogs/${account}/CloudTrail/${region}/2026/03/01/${account}_CloudTrail_${region}_20260301T0005Z_${name}.json.gz`;
}

export function records(from: number, to: number, extra: Record<string, unknown> = {}): string {
  const list = [];
  for (let i = from; i < to; i++) list.push(ctEvent(i, extra));
  return JSON.stringify({ Records: list });
}

/** A minimal zip (stored members, no compression): enough to test archive handling without a zip library. */
export function zipOf(members: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const crc = crc32(m.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(m.data.length, 20);
    central.writeUInt32LE(m.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, m.data);
    centrals.push(central, name);
    offset += 30 + name.length + m.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export async function fileRows(db: Database): Promise<
  Array<{
    path: string;
    type: string;
    status: string;
    reason: string | null;
    records: number;
    account_id: string | null;
    region: string | null;
    sha256: string | null;
  }>
> {
  return db.all(
    `SELECT path, type, status, reason, records::INTEGER AS records, account_id, region, sha256 FROM files ORDER BY file_id`,
  );
}

export function byName<T extends { path: string }>(rows: T[], suffix: string): T {
  const row = rows.find((r) => r.path.endsWith(suffix));
  if (!row) throw new Error(`no files row ending in ${suffix}; have ${rows.map((r) => r.path).join(', ')}`);
  return row;
}
