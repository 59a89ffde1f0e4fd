import type { EntityRef } from '../../../../shared/api/investigate';

/**
 * The entities a GuardDuty finding names, for the "all activity of ..." pivots. Read from the
 * finding JSON as exported (shape in shared/findings/guardduty.ts); anything missing is skipped.
 */
type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function path(root: unknown, ...keys: string[]): unknown {
  let cur: unknown = root;
  for (const k of keys) cur = obj(cur)?.[k];
  return cur;
}

export interface NamedEntity extends EntityRef {
  label: string;
}

export function findingEntities(finding: Json): NamedEntity[] {
  const out: NamedEntity[] = [];
  const add = (kind: EntityRef['kind'], value: string | undefined, label: string) => {
    if (value && !out.some((e) => e.kind === kind && e.value === value)) out.push({ kind, value, label });
  };
  const resource = obj(finding['resource']);
  const key = obj(resource?.['accessKeyDetails']);
  add('principal', str(key?.['userName']) ?? str(key?.['principalId']), 'Principal');
  add('accessKey', str(key?.['accessKeyId']), 'Access key');
  add('instance', str(path(resource, 'instanceDetails', 'instanceId')), 'Instance');
  for (const b of arr(resource?.['s3BucketDetails'])) add('bucket', str(obj(b)?.['name']), 'Bucket');
  const action = obj(path(finding, 'service', 'action'));
  add('ip', str(path(action, 'awsApiCallAction', 'remoteIpDetails', 'ipAddressV4')), 'Remote IP');
  add('ip', str(path(action, 'networkConnectionAction', 'remoteIpDetails', 'ipAddressV4')), 'Remote IP');
  for (const p of arr(path(action, 'portProbeAction', 'portProbeDetails')))
    add('ip', str(path(p, 'remoteIpDetails', 'ipAddressV4')), 'Remote IP');
  add('ip', str(path(action, 'networkConnectionAction', 'localIpDetails', 'ipAddressV4')), 'Local IP');
  add('domain', str(path(action, 'dnsRequestAction', 'domain')), 'Domain');
  add('account', str(finding['accountId']), 'Account');
  return out;
}
