import type { GuardDutyFinding, IpDetails } from '../../../shared/findings/guardduty';
import { severityLabel } from '../../../shared/findings/catalog';

/**
 * The handful of values every export format and playbook needs, pulled once out of a GuardDuty
 * finding whatever its action type. Tolerant of partial JSON: anything absent is null, never
 * a crash, because findings may come from older Loupe versions or hand-imported files.
 */
export interface FindingFacts {
  severityLabel: 'Low' | 'Medium' | 'High' | 'Critical';
  resourceType: string;
  /** Instance id, access key id (or user name), or the bucket names joined by ','. */
  resourceId: string;
  resourceRole: string | null;
  actionType: string | null;
  remoteIp: string | null;
  remotePort: number | null;
  remoteCountry: string | null;
  remoteOrg: string | null;
  remoteAsn: string | null;
  localIp: string | null;
  localPort: number | null;
  protocol: string | null;
  direction: string | null;
  domain: string | null;
  api: string | null;
  serviceName: string | null;
  userAgent: string | null;
  errorCode: string | null;
  accessKeyId: string | null;
  principalId: string | null;
  userName: string | null;
  userType: string | null;
  instanceId: string | null;
  vpcId: string | null;
  subnetId: string | null;
  publicIp: string | null;
  privateIp: string | null;
  networkInterfaceId: string | null;
  instanceProfileArn: string | null;
  securityGroupIds: string[];
  buckets: string[];
  affectedResources: Record<string, string>;
  threatListNames: string[];
  threatNames: string[];
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function ipOf(
  details: IpDetails | undefined,
): Pick<FindingFacts, 'remoteIp' | 'remoteCountry' | 'remoteOrg' | 'remoteAsn'> {
  return {
    remoteIp: str(details?.ipAddressV4) ?? str(details?.ipAddressV6),
    remoteCountry: str(details?.country?.countryName) ?? str(details?.country?.countryCode),
    remoteOrg: str(details?.organization?.asnOrg) ?? str(details?.organization?.org),
    remoteAsn: str(details?.organization?.asn),
  };
}

export function factsOf(f: GuardDutyFinding): FindingFacts {
  const action = f.service?.action;
  const api = action?.awsApiCallAction;
  const net = action?.networkConnectionAction;
  const probe = action?.portProbeAction?.portProbeDetails?.[0];
  const dns = action?.dnsRequestAction;
  const key = f.resource?.accessKeyDetails;
  const inst = f.resource?.instanceDetails;
  const eni = inst?.networkInterfaces?.[0] as (Record<string, unknown> & { securityGroups?: unknown }) | undefined;
  const buckets = (f.resource?.s3BucketDetails ?? [])
    .map((b) => b.name)
    .filter((n): n is string => typeof n === 'string' && n.length > 0);
  const intel = f.service?.evidence?.threatIntelligenceDetails ?? [];
  const groups = Array.isArray(eni?.securityGroups) ? (eni.securityGroups as Array<{ groupId?: unknown }>) : [];
  const remote = ipOf(api?.remoteIpDetails ?? net?.remoteIpDetails ?? probe?.remoteIpDetails);

  const resourceType = str(f.resource?.resourceType) ?? 'Unknown';
  const resourceId =
    resourceType === 'Instance'
      ? (str(inst?.instanceId) ?? 'unknown-instance')
      : resourceType === 'S3Bucket'
        ? buckets.join(',') || 'unknown-bucket'
        : (str(key?.accessKeyId) ?? str(key?.userName) ?? str(key?.principalId) ?? 'unknown-principal');

  return {
    severityLabel: severityLabel(typeof f.severity === 'number' ? f.severity : 0),
    resourceType,
    resourceId,
    resourceRole: str(f.service?.resourceRole),
    actionType: str(action?.actionType),
    ...remote,
    localIp: str(net?.localIpDetails?.ipAddressV4) ?? str(probe?.localIpDetails?.ipAddressV4),
    localPort: num(net?.localPortDetails?.port) ?? num(probe?.localPortDetails?.port),
    remotePort: num(net?.remotePortDetails?.port),
    protocol: str(net?.protocol) ?? str(dns?.protocol),
    direction: str(net?.connectionDirection),
    domain: str(dns?.domain) ?? str(api?.domainDetails?.domain),
    api: str(api?.api),
    serviceName: str(api?.serviceName),
    userAgent: str(api?.userAgent),
    errorCode: str(api?.errorCode),
    accessKeyId: str(key?.accessKeyId),
    principalId: str(key?.principalId),
    userName: str(key?.userName),
    userType: str(key?.userType),
    instanceId: str(inst?.instanceId),
    vpcId: str(eni?.['vpcId']),
    subnetId: str(eni?.['subnetId']),
    publicIp: str(eni?.['publicIp']),
    privateIp: str(eni?.['privateIpAddress']),
    networkInterfaceId: str(eni?.['networkInterfaceId']) ?? str(net?.localNetworkInterface),
    instanceProfileArn: str(inst?.iamInstanceProfile?.arn),
    securityGroupIds: groups.map((g) => str(g.groupId)).filter((g): g is string => g !== null),
    buckets,
    affectedResources: api?.affectedResources && typeof api.affectedResources === 'object' ? api.affectedResources : {},
    threatListNames: intel.map((t) => t.threatListName).filter((n): n is string => typeof n === 'string'),
    threatNames: intel.flatMap((t) => (Array.isArray(t.threatNames) ? t.threatNames : [])),
  };
}

/** "Backdoor:EC2/C&CActivity.B!DNS" -> "Backdoor". */
export function threatPurpose(type: string): string {
  return /^([A-Za-z]+):/.exec(type)?.[1] ?? '';
}
