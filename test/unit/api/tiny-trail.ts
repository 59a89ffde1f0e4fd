import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Writes small, real CloudTrail log files (gzip, AWS key layout) for shell tests that need a
 * case quickly: a few ordinary IAM-user calls plus, when asked, root credential use (which the
 * bundled rules turn into Policy:IAMUser/RootCredentialUsage).
 */
export const ACCOUNT = '111122223333';

export interface TrailOptions {
  root?: boolean;
  /** Distinguishes files (and event ids) when several are written into one folder. */
  tag?: string;
  events?: number;
}

export function trailRecord(i: number, tag: string, root: boolean): Record<string, unknown> {
  const time = new Date(Date.UTC(2024, 4, 1, 10, i % 60, i % 60)).toISOString().replace('.000', '');
  const identity = root
    ? {
        type: 'Root',
        principalId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:root`,
        accountId: ACCOUNT,
        accessKeyId: 'ASIAROOTEXAMPLE00001',
      }
    : {
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLE0000000001',
        arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIAEXAMPLE000000001',
        userName: 'alice',
      };
  return {
    eventVersion: '1.09',
    userIdentity: identity,
    eventTime: time,
    eventSource: root ? 's3.amazonaws.com' : 'iam.amazonaws.com',
    eventName: root ? 'ListBuckets' : 'ListUsers',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${tag}-${i}`,
    eventID: `0000000${i}-${tag}-4000-8000-000000000000`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

/** Returns the folder holding the AWSLogs tree and the file written. */
export function writeTrail(dir: string, options: TrailOptions = {}): { dir: string; file: string } {
  const tag = options.tag ?? 'a';
  const count = options.events ?? 5;
  const records = Array.from({ length: count }, (_, i) => trailRecord(i, tag, false));
  if (options.root) records.push(trailRecord(count, tag, true));
  const folder = join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2024', '05', '01');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${ACCOUNT}_CloudTrail_us-east-1_20240501T1000Z_${tag}.json.gz`);
  writeFileSync(file, gzipSync(JSON.stringify({ Records: records })));
  return { dir, file };
}
