import { severityLabel } from '../../../shared/findings/catalog';
import type { GuardDutyFinding, IpDetails, PortDetails } from '../../../shared/findings/guardduty';
import type { CaseState } from '../workspace/case-state';
import { asffType } from './asff-types';
import { analystView, ASFF_WORKFLOW } from './case-context';
import { factsOf } from './finding-facts';

/**
 * GuardDuty finding -> AWS Security Finding Format (BatchImportFindings shape), following the
 * mapping GuardDuty itself uses when it sends findings to Security Hub (guardduty.md 5.4):
 * Id = finding ARN, GeneratorId = detector ARN, Types with the namespace mapping, Severity
 * {Product, Label, Normalized}, ProductFields as `aws/guardduty/service/...` keys, Resources,
 * Action, Network, Workflow, RecordState. ASFF limits (title 256, description 1024, 50
 * product fields, 32 resources, note 512) are enforced here, not left to the importer.
 */
export type AsffProduct = 'guardduty' | 'account-default';

export interface AsffOptions {
  /**
   * 'guardduty' mirrors GuardDuty's own ProductArn (what an analyst expects to see); only AWS
   * may import with it. 'account-default' uses the account's default product ARN, which
   * `aws securityhub batch-import-findings` accepts from the account itself.
   */
  product?: AsffProduct;
  caseState?: CaseState;
}

export type AsffFinding = Record<string, unknown> & {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Product: number; Label: string; Normalized: number };
  Title: string;
  Description: string;
  Resources: Array<Record<string, unknown>>;
};

export const ASFF_BATCH_SIZE = 100;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function asffLabel(severity: number): 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL' {
  return severityLabel(severity).toUpperCase() as 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
}

function detectorArn(f: GuardDutyFinding): string {
  const cut = f.arn?.indexOf('/finding/') ?? -1;
  if (cut > 0) return f.arn.slice(0, cut);
  return `arn:${f.partition || 'aws'}:guardduty:${f.region}:${f.accountId}:detector/${f.service?.detectorId ?? 'unknown'}`;
}

function ipDetails(d: IpDetails | undefined): Record<string, unknown> | undefined {
  if (!d) return undefined;
  const out: Record<string, unknown> = {};
  if (d.ipAddressV4) out['IpAddressV4'] = d.ipAddressV4;
  if (d.organization) {
    const asn = Number(d.organization.asn);
    out['Organization'] = {
      ...(Number.isInteger(asn) ? { Asn: asn } : {}),
      ...(d.organization.asnOrg ? { AsnOrg: d.organization.asnOrg } : {}),
      ...(d.organization.isp ? { Isp: d.organization.isp } : {}),
      ...(d.organization.org ? { Org: d.organization.org } : {}),
    };
  }
  if (d.country) out['Country'] = { CountryCode: d.country.countryCode, CountryName: d.country.countryName };
  if (d.city?.cityName) out['City'] = { CityName: d.city.cityName };
  if (d.geoLocation) out['GeoLocation'] = { Lat: d.geoLocation.lat, Lon: d.geoLocation.lon };
  return out;
}

function portDetails(p: PortDetails | undefined): Record<string, unknown> | undefined {
  return p ? { Port: p.port, PortName: p.portName } : undefined;
}

function action(f: GuardDutyFinding): Record<string, unknown> | undefined {
  const a = f.service?.action;
  if (!a) return undefined;
  if (a.awsApiCallAction) {
    const c = a.awsApiCallAction;
    return {
      ActionType: 'AWS_API_CALL',
      AwsApiCallAction: {
        Api: c.api,
        ServiceName: c.serviceName,
        CallerType: c.callerType,
        RemoteIpDetails: ipDetails(c.remoteIpDetails),
        DomainDetails: c.domainDetails ? { Domain: c.domainDetails.domain } : undefined,
        AffectedResources: c.affectedResources,
        FirstSeen: f.service.eventFirstSeen,
        LastSeen: f.service.eventLastSeen,
      },
    };
  }
  if (a.networkConnectionAction) {
    const n = a.networkConnectionAction;
    return {
      ActionType: 'NETWORK_CONNECTION',
      NetworkConnectionAction: {
        ConnectionDirection: n.connectionDirection,
        RemoteIpDetails: ipDetails(n.remoteIpDetails),
        RemotePortDetails: portDetails(n.remotePortDetails),
        LocalPortDetails: portDetails(n.localPortDetails),
        Protocol: n.protocol,
        Blocked: n.blocked,
      },
    };
  }
  if (a.portProbeAction) {
    return {
      ActionType: 'PORT_PROBE',
      PortProbeAction: {
        Blocked: a.portProbeAction.blocked,
        PortProbeDetails: a.portProbeAction.portProbeDetails.slice(0, 50).map((d) => ({
          LocalPortDetails: portDetails(d.localPortDetails),
          LocalIpDetails: d.localIpDetails?.ipAddressV4 ? { IpAddressV4: d.localIpDetails.ipAddressV4 } : undefined,
          RemoteIpDetails: ipDetails(d.remoteIpDetails),
        })),
      },
    };
  }
  if (a.dnsRequestAction) {
    const d = a.dnsRequestAction;
    return {
      ActionType: 'DNS_REQUEST',
      DnsRequestAction: { Domain: d.domain, Protocol: d.protocol, Blocked: d.blocked },
    };
  }
  return undefined;
}

function network(f: GuardDutyFinding): Record<string, unknown> | undefined {
  const n = f.service?.action?.networkConnectionAction;
  if (!n) return undefined;
  const inbound = n.connectionDirection === 'INBOUND';
  const remote = n.remoteIpDetails?.ipAddressV4;
  const local = n.localIpDetails?.ipAddressV4;
  const [src, dst] = inbound ? [remote, local] : [local, remote];
  const [srcPort, dstPort] = inbound
    ? [n.remotePortDetails?.port, n.localPortDetails?.port]
    : [n.localPortDetails?.port, n.remotePortDetails?.port];
  return {
    Direction: inbound ? 'IN' : 'OUT',
    Protocol: n.protocol,
    SourceIpV4: src,
    SourcePort: srcPort,
    DestinationIpV4: dst,
    DestinationPort: dstPort,
  };
}

function resources(f: GuardDutyFinding): Array<Record<string, unknown>> {
  const partition = f.partition || 'aws';
  const base = { Partition: partition, Region: f.region };
  const facts = factsOf(f);
  const out: Array<Record<string, unknown>> = [];
  const inst = f.resource?.instanceDetails;
  if (inst?.instanceId) {
    const raw = inst as unknown as Record<string, unknown>;
    const tags = Array.isArray(raw['tags']) ? (raw['tags'] as Array<{ key?: unknown; value?: unknown }>) : [];
    out.push({
      Type: 'AwsEc2Instance',
      Id: `arn:${partition}:ec2:${f.region}:${f.accountId}:instance/${inst.instanceId}`,
      ...base,
      ...(tags.length
        ? {
            Tags: Object.fromEntries(
              tags
                .slice(0, 50)
                .filter((t) => typeof t.key === 'string')
                .map((t) => [t.key, String(t.value ?? '')]),
            ),
          }
        : {}),
      Details: {
        AwsEc2Instance: {
          Type: typeof raw['instanceType'] === 'string' ? raw['instanceType'] : undefined,
          ImageId: typeof raw['imageId'] === 'string' ? raw['imageId'] : undefined,
          IpV4Addresses: [facts.publicIp, facts.privateIp].filter((ip): ip is string => ip !== null),
          VpcId: facts.vpcId ?? undefined,
          SubnetId: facts.subnetId ?? undefined,
          IamInstanceProfileArn: facts.instanceProfileArn ?? undefined,
          LaunchedAt: typeof raw['launchTime'] === 'string' ? raw['launchTime'] : undefined,
        },
      },
    });
  }
  for (const bucket of f.resource?.s3BucketDetails ?? []) {
    out.push({
      Type: 'AwsS3Bucket',
      Id: bucket.arn || `arn:${partition}:s3:::${bucket.name}`,
      ...base,
      Details: { AwsS3Bucket: {} },
    });
  }
  const key = f.resource?.accessKeyDetails;
  if (key && (key.accessKeyId || key.userName)) {
    out.push({
      Type: 'AwsIamAccessKey',
      Id: `AWS::IAM::AccessKey:${key.accessKeyId ?? key.userName}`,
      ...base,
      Details: {
        AwsIamAccessKey: { PrincipalId: key.principalId, PrincipalType: key.userType, PrincipalName: key.userName },
      },
    });
  }
  if (out.length === 0) out.push({ Type: 'Other', Id: f.arn || f.id, ...base });
  return out.slice(0, 32);
}

/** `service` flattened to `aws/guardduty/service/<path>` string pairs, action first, at most 50. */
function productFields(f: GuardDutyFinding): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  const put = (key: string, value: string) => {
    if (count >= 50 || key.length > 128) return;
    out[key] = value.length > 2048 ? value.slice(0, 2048) : value;
    count++;
  };
  const walk = (prefix: string, value: unknown, depth: number) => {
    if (count >= 50) return;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object') return put(prefix, String(value));
    if (depth > 8) return put(prefix, JSON.stringify(value));
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) return put(prefix, '');
    for (const [k, v] of entries) walk(`${prefix}/${k}`, v, depth + 1);
  };
  const service = (f.service ?? {}) as unknown as Record<string, unknown>;
  const order = [
    'action',
    'resourceRole',
    'count',
    'archived',
    'eventFirstSeen',
    'eventLastSeen',
    'evidence',
    'additionalInfo',
    'serviceName',
    'detectorId',
    'featureName',
  ];
  for (const key of order) {
    // additionalInfo.value repeats the other additionalInfo keys as a JSON string.
    const value =
      key === 'additionalInfo' && service[key] ? { ...(service[key] as object), value: undefined } : service[key];
    walk(`aws/guardduty/service/${key}`, value, 0);
  }
  return out;
}

export function toAsff(f: GuardDutyFinding, options: AsffOptions = {}): AsffFinding {
  const partition = f.partition || 'aws';
  const product = options.product ?? 'guardduty';
  const view = analystView(options.caseState, f.id);
  const severity = typeof f.severity === 'number' ? f.severity : 0;
  const label = asffLabel(severity);
  const type = asffType(f.type);
  const last = view.comments.at(-1);
  const finding: AsffFinding = {
    SchemaVersion: '2018-10-08',
    Id: f.arn || f.id,
    ProductArn:
      product === 'guardduty'
        ? `arn:${partition}:securityhub:${f.region}::product/aws/guardduty`
        : `arn:${partition}:securityhub:${f.region}:${f.accountId}:product/${f.accountId}/default`,
    ProductName: product === 'guardduty' ? 'GuardDuty' : 'Loupe',
    CompanyName: product === 'guardduty' ? 'Amazon' : 'Loupe',
    Region: f.region,
    GeneratorId: detectorArn(f),
    AwsAccountId: f.accountId,
    Types: [type],
    FirstObservedAt: f.service?.eventFirstSeen,
    LastObservedAt: f.service?.eventLastSeen,
    CreatedAt: f.createdAt,
    UpdatedAt: f.updatedAt,
    Severity: { Product: severity, Label: label, Normalized: Math.max(1, Math.min(100, Math.round(severity * 10))) },
    FindingProviderFields: { Severity: { Label: label, Original: String(severity) }, Types: [type] },
    Title: clip(f.title ?? f.type, 256),
    Description: clip(f.description || f.title || f.type, 1024),
    ProductFields: productFields(f),
    Resources: resources(f),
    Workflow: { Status: ASFF_WORKFLOW[view.status] },
    RecordState: f.service?.archived ? 'ARCHIVED' : 'ACTIVE',
  };
  const act = action(f);
  if (act) finding['Action'] = act;
  const net = network(f);
  if (net) finding['Network'] = net;
  if (last)
    finding['Note'] = {
      Text: clip(last.text, 512),
      UpdatedBy: clip(last.author ?? 'loupe', 512),
      UpdatedAt: last.updatedAt ?? last.createdAt,
    };
  if (view.tags.length) finding['UserDefinedFields'] = { 'loupe/tags': clip(view.tags.join(','), 1024) };
  if (f.service?.additionalInfo?.['sample'] === true) finding['Sample'] = true;
  return JSON.parse(JSON.stringify(finding)) as AsffFinding; // drops undefined members
}

/** BatchImportFindings takes at most 100 findings per call: one `{ Findings }` object per call. */
export function asffBatches(
  findings: readonly GuardDutyFinding[],
  options: AsffOptions = {},
): Array<{ Findings: AsffFinding[] }> {
  const batches: Array<{ Findings: AsffFinding[] }> = [];
  for (let i = 0; i < findings.length; i += ASFF_BATCH_SIZE) {
    batches.push({ Findings: findings.slice(i, i + ASFF_BATCH_SIZE).map((f) => toAsff(f, options)) });
  }
  return batches;
}
