import { findingTypeInfo } from '../../../shared/findings/catalog';
import {
  LOUPE_DETECTOR_ID,
  type FindingAction,
  type FindingResource,
  type GuardDutyFinding,
  type IpDetails,
  type S3BucketDetail,
  type ThreatIntelligenceDetail,
} from '../../../shared/findings/guardduty';
import { registrableDomain } from '../enrich/domain';
import type { IpInfo } from '../enrich/ip-data';
import { portName } from '../enrich/ports';
import type { AggregatedFinding } from './aggregate';
import { fillTemplate } from './rules';
import type { Rule } from './rule-schema';

/**
 * Builds one GuardDuty finding (schemaVersion 2.0) from one aggregated row: per finding, never
 * per event. Field names and nesting follow the API model (shared/findings/guardduty.ts).
 */
export interface BuildContext {
  now: string;
  ipInfo: Map<string, IpInfo>;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:]+$/i;

function remoteIpDetails(ip: string | null, info: Map<string, IpInfo>): IpDetails | undefined {
  if (!ip) return undefined;
  const details: IpDetails = {};
  if (IPV4.test(ip)) details.ipAddressV4 = ip;
  else if (IPV6.test(ip) && ip.includes(':')) details.ipAddressV6 = ip;
  else return undefined;
  const found = info.get(ip);
  if (found?.asn || found?.asnOrg) {
    const org = found.asnOrg ?? undefined;
    details.organization = { ...(found.asn ? { asn: found.asn } : {}), ...(org ? { asnOrg: org, isp: org, org } : {}) };
  }
  if (found?.countryCode)
    details.country = {
      countryCode: found.countryCode,
      ...(found.countryName ? { countryName: found.countryName } : {}),
    };
  return details;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function defined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as Array<keyof T>)
    if (obj[key] === undefined || obj[key] === null) delete obj[key];
  return obj;
}

function callerType(row: AggregatedFinding): string | undefined {
  if (row.caller_type) return row.caller_type;
  if (!row.remote_ip) return undefined;
  if (IPV4.test(row.remote_ip) || (IPV6.test(row.remote_ip) && row.remote_ip.includes(':'))) return 'Remote IP';
  if (/\.amazonaws\.com$/.test(row.remote_ip)) return 'AWS Service';
  return 'Domain';
}

function buildResource(row: AggregatedFinding, resourceType: FindingResource['resourceType']): FindingResource {
  const resource: FindingResource = { resourceType };
  const accessKey = defined({
    accessKeyId: row.access_key_id ?? undefined,
    principalId: row.principal_id ?? undefined,
    userName: row.user_name ?? undefined,
    userType: row.user_type ?? undefined,
  });
  if (Object.keys(accessKey).length > 0) resource.accessKeyDetails = accessKey;
  if (row.instance_id) {
    const nic = defined({
      networkInterfaceId: row.eni_id ?? undefined,
      privateIpAddress: row.local_ip ?? undefined,
      vpcId: row.vpc_id ?? undefined,
      subnetId: row.subnet_id ?? undefined,
    });
    resource.instanceDetails = {
      instanceId: row.instance_id,
      ...(Object.keys(nic).length > 0 ? { networkInterfaces: [nic] } : {}),
    };
  }
  if (resourceType === 'S3Bucket') {
    const names = row.buckets && row.buckets.length > 0 ? row.buckets : row.bucket_name ? [row.bucket_name] : [];
    const partition = partitionOf(row.region);
    resource.s3BucketDetails = names.map((name): S3BucketDetail => {
      const detail: S3BucketDetail = { arn: `arn:${partition}:s3:::${name}`, name, type: 'Destination' };
      if (row.effective_permission && name === row.bucket_name) {
        const permission = row.effective_permission as 'PUBLIC' | 'NOT_PUBLIC' | 'UNKNOWN';
        const configuration = parseJson(row.permission_configuration);
        detail.publicAccess = {
          effectivePermission: permission,
          ...(configuration && typeof configuration === 'object'
            ? { permissionConfiguration: configuration as Record<string, unknown> }
            : {}),
        };
      }
      if (row.object_key && name === row.bucket_name)
        detail.s3ObjectDetails = [
          { objectArn: `arn:${partition}:s3:::${name}/${row.object_key}`, key: row.object_key },
        ];
      return detail;
    });
  }
  return resource;
}

function buildAction(
  row: AggregatedFinding,
  actionType: string,
  ipInfo: Map<string, IpInfo>,
): FindingAction | undefined {
  const remote = remoteIpDetails(row.remote_ip, ipInfo);
  if (actionType === 'AWS_API_CALL') {
    const affected: Record<string, string> = {};
    if (row.bucket_name) affected['AWS::S3::Bucket'] = row.bucket_name;
    if (row.instance_id) affected['AWS::EC2::Instance'] = row.instance_id;
    const caller = callerType(row);
    return {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: defined({
        api: row.api ?? 'unknown',
        serviceName: row.service_name ?? 'unknown',
        callerType: caller,
        errorCode: row.error_code ?? undefined,
        userAgent: row.user_agent ?? undefined,
        remoteIpDetails: remote,
        remoteAccountDetails: row.remote_account_id
          ? { accountId: row.remote_account_id, affiliated: row.remote_account_affiliated ?? false }
          : undefined,
        domainDetails: caller === 'Domain' && row.remote_ip ? { domain: row.remote_ip } : undefined,
        affectedResources: Object.keys(affected).length > 0 ? affected : undefined,
      }),
    };
  }
  if (actionType === 'NETWORK_CONNECTION') {
    const direction: 'INBOUND' | 'OUTBOUND' | 'UNKNOWN' =
      row.direction === 'INBOUND' || row.direction === 'OUTBOUND' ? row.direction : 'UNKNOWN';
    return {
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: defined({
        connectionDirection: direction,
        protocol: row.protocol ?? 'Unknown',
        blocked: row.blocked ?? false,
        localPortDetails:
          row.local_port != null ? { port: row.local_port, portName: portName(row.local_port) } : undefined,
        remotePortDetails:
          row.remote_port != null ? { port: row.remote_port, portName: portName(row.remote_port) } : undefined,
        localIpDetails: row.local_ip ? { ipAddressV4: row.local_ip } : undefined,
        localNetworkInterface: row.eni_id ?? undefined,
        remoteIpDetails: remote,
      }),
    };
  }
  if (actionType === 'PORT_PROBE') {
    return {
      actionType: 'PORT_PROBE',
      portProbeAction: {
        blocked: row.blocked ?? false,
        portProbeDetails: [
          defined({
            localPortDetails: { port: row.local_port ?? 0, portName: portName(row.local_port) },
            localIpDetails: row.local_ip ? { ipAddressV4: row.local_ip } : undefined,
            remoteIpDetails: remote,
          }),
        ],
      },
    };
  }
  if (actionType === 'DNS_REQUEST' && row.domain) {
    const domain = row.domain.replace(/\.$/, '');
    return {
      actionType: 'DNS_REQUEST',
      dnsRequestAction: defined({
        domain,
        domainWithSuffix: registrableDomain(domain) ?? undefined,
        protocol: row.dns_protocol ?? undefined,
        blocked: row.blocked ?? false,
        vpcOwnerAccountId: row.account_id,
      }),
    };
  }
  return undefined;
}

/** Rounds to one decimal inside GuardDuty's 1.0-10.0 scale. */
export function clampSeverity(value: number): number {
  return Math.round(Math.min(10, Math.max(1, value)) * 10) / 10;
}

export interface BuiltFinding {
  finding: GuardDutyFinding;
  changed: boolean;
}

export function buildFinding(row: AggregatedFinding, rule: Rule, ctx: BuildContext): BuiltFinding {
  const info = findingTypeInfo(row.type);
  const resourceType = info?.resourceType ?? 'AccessKey';
  const actionType = info?.actionType ?? 'NONE';
  const severity = clampSeverity(row.severity ?? rule.defaultSeverity);
  const changed =
    row.prev_count === null ||
    row.prev_count !== row.count ||
    row.prev_last_seen !== row.last_seen ||
    row.prev_first_seen !== row.first_seen;
  const createdAt = row.prev_created_at ?? ctx.now;
  const updatedAt = changed ? ctx.now : (row.prev_updated_at ?? ctx.now);
  const evidence = parseJson(row.evidence);
  // Analyzers explain themselves in GuardDuty's own places: service.detection.anomaly / .sequence.
  const evidenceObject = evidence && typeof evidence === 'object' ? (evidence as Record<string, unknown>) : undefined;
  const { anomaly, sequence, ...otherEvidence } = evidenceObject ?? {};
  const detection = defined({
    anomaly: anomaly && typeof anomaly === 'object' ? anomaly : undefined,
    sequence: sequence && typeof sequence === 'object' ? sequence : undefined,
  });
  const values: Record<string, unknown> = {
    ...row,
    ...(evidence && typeof evidence === 'object' ? (evidence as Record<string, unknown>) : {}),
  };
  const partition = partitionOf(row.region);

  const intel: ThreatIntelligenceDetail[] = (row.intel ?? []).map((m) =>
    defined({
      threatListName: m.list,
      threatNames: m.name ? [m.name] : m.entry ? [m.entry] : [],
      threatFileSha256: m.sha ?? undefined,
    }),
  );
  // Built after `values` so the runbook names this finding's principal, address and bucket.
  const additional: Record<string, unknown> = defined({
    threatListName: row.threat_list_name ?? undefined,
    threatName: row.threat_name ?? undefined,
    threatEntry: row.threat_entry ?? undefined,
    ruleId: rule.id,
    mitre: rule.mitre,
    runbook: rule.runbook.map((step) => fillTemplate(step, values)),
    evidence: evidenceObject && Object.keys(otherEvidence).length > 0 ? otherEvidence : undefined,
  });

  const action = buildAction(row, actionType, ctx.ipInfo);
  const finding: GuardDutyFinding = {
    schemaVersion: '2.0',
    accountId: row.account_id,
    region: row.region,
    partition,
    id: row.id,
    arn: `arn:${partition}:guardduty:${row.region}:${row.account_id}:detector/${LOUPE_DETECTOR_ID}/finding/${row.id}`,
    type: row.type,
    title: fillTemplate(rule.title, values),
    description: fillTemplate(rule.description.trim(), values),
    severity,
    createdAt,
    updatedAt,
    resource: buildResource(row, resourceType),
    service: {
      serviceName: 'guardduty',
      detectorId: LOUPE_DETECTOR_ID,
      resourceRole: row.resource_role === 'ACTOR' ? 'ACTOR' : 'TARGET',
      archived: row.prev_archived ?? false,
      count: row.count,
      eventFirstSeen: row.first_seen,
      eventLastSeen: row.last_seen,
      ...(action ? { action } : {}),
      ...(intel.length > 0 ? { evidence: { threatIntelligenceDetails: intel } } : {}),
      ...(Object.keys(detection).length > 0
        ? { detection: detection as NonNullable<GuardDutyFinding['service']['detection']> }
        : {}),
      additionalInfo: { value: JSON.stringify(additional), type: 'default', ...additional },
    },
  };
  return { finding, changed };
}
