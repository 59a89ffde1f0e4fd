/**
 * What the AWSLogs key layout says about a file: account, region, log service, VPC id.
 * Pure; works on local paths, archive member paths and S3 keys alike (any separator).
 *
 *   AWSLogs/[o-org/]<account>/CloudTrail[-Digest|-Insight]/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_...
 *   AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<flow-log-id>_...
 *   AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/YYYY/MM/DD/<account>_vpcdnsquerylogs_<vpc-id>_...
 *   AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=.../...
 */
export type LayoutService = 'cloudtrail' | 'cloudtrail-digest' | 'cloudtrail-insight' | 'vpcflow' | 'dns';

export interface KeyLayout {
  accountId: string | null;
  region: string | null;
  service: LayoutService | null;
  vpcId: string | null;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$/;
const SERVICE_DIRS: Record<string, LayoutService> = {
  cloudtrail: 'cloudtrail',
  'cloudtrail-digest': 'cloudtrail-digest',
  'cloudtrail-insight': 'cloudtrail-insight',
  vpcflowlogs: 'vpcflow',
  vpcdnsquerylogs: 'dns',
};

export function parseKeyLayout(path: string): KeyLayout {
  const parts = path.split(/[\\/]+|!\//).filter((p) => p !== '');
  const out: KeyLayout = { accountId: null, region: null, service: null, vpcId: null };
  const at = parts.lastIndexOf('AWSLogs');
  if (at >= 0) fromFolders(parts.slice(at + 1), out);
  fromFileName(parts[parts.length - 1] ?? '', out);
  return out;
}

function fromFolders(rest: string[], out: KeyLayout): void {
  // Hive-style partitions (Parquet / per-hour flow log delivery).
  const hive = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) hive.set(p.slice(0, eq), p.slice(eq + 1));
  }
  if (hive.size > 0) {
    const account = hive.get('aws-account-id');
    if (account && ACCOUNT.test(account)) out.accountId = account;
    const region = hive.get('aws-region');
    if (region && REGION.test(region)) out.region = region;
    const service = SERVICE_DIRS[(hive.get('aws-service') ?? '').toLowerCase()];
    if (service) out.service = service;
    return;
  }
  let i = 0;
  if (rest[i]?.startsWith('o-')) i++; // organization trail: AWSLogs/o-xxxx/<account>/...
  const account = rest[i];
  if (!account || !ACCOUNT.test(account)) return;
  out.accountId = account;
  const service = SERVICE_DIRS[(rest[i + 1] ?? '').toLowerCase()];
  if (!service) return;
  out.service = service;
  const next = rest[i + 2] ?? '';
  if (service === 'dns') {
    if (next.startsWith('vpc-')) out.vpcId = next;
  } else if (REGION.test(next)) {
    out.region = next;
  }
}

function fromFileName(name: string, out: KeyLayout): void {
  const fields = name.split('_');
  const [account, service, third] = fields;
  if (!account || !ACCOUNT.test(account) || !service) return;
  const kind = SERVICE_DIRS[service.toLowerCase()];
  if (!kind) return;
  out.accountId ??= account;
  out.service ??= kind;
  if (!third) return;
  if (kind === 'dns' && third.startsWith('vpc-')) out.vpcId ??= third;
  else if (REGION.test(third)) out.region ??= third;
}
