import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { CaseState } from '../workspace/case-state';
import { analystView, OCSF_STATUS } from './case-context';
import { factsOf, threatPurpose, type FindingFacts } from './finding-facts';

/**
 * GuardDuty finding -> OCSF Detection Finding (class_uid 2004, category Findings), schema
 * 1.3.0, with the cloud profile. The finding's own id stays `finding_info.uid`; its GuardDuty
 * type is `finding_info.types[0]` and the analytic name, so a SIEM can key on either.
 */
export const OCSF_VERSION = '1.3.0';

export interface OcsfOptions {
  caseState?: CaseState;
  /** Loupe's version for metadata.product.version. */
  productVersion?: string;
}

const SEVERITY_ID = { Low: 2, Medium: 3, High: 4, Critical: 5 } as const;

/** MITRE ATT&CK tactic for each GuardDuty threat purpose that names one. */
const TACTICS: Record<string, { uid: string; name: string }> = {
  Recon: { uid: 'TA0043', name: 'Reconnaissance' },
  Discovery: { uid: 'TA0007', name: 'Discovery' },
  InitialAccess: { uid: 'TA0001', name: 'Initial Access' },
  UnauthorizedAccess: { uid: 'TA0001', name: 'Initial Access' },
  Persistence: { uid: 'TA0003', name: 'Persistence' },
  PrivilegeEscalation: { uid: 'TA0004', name: 'Privilege Escalation' },
  DefenseEvasion: { uid: 'TA0005', name: 'Defense Evasion' },
  Stealth: { uid: 'TA0005', name: 'Defense Evasion' },
  CredentialAccess: { uid: 'TA0006', name: 'Credential Access' },
  Exfiltration: { uid: 'TA0010', name: 'Exfiltration' },
  Impact: { uid: 'TA0040', name: 'Impact' },
  Backdoor: { uid: 'TA0011', name: 'Command and Control' },
  Trojan: { uid: 'TA0011', name: 'Command and Control' },
  CryptoCurrency: { uid: 'TA0011', name: 'Command and Control' },
};

/** OCSF observable type ids used here (dictionary types). */
const OBS = { hostname: 1, ip: 2, userName: 4, resourceUid: 10, credentialUid: 19 } as const;

function ms(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function resourcesOf(f: GuardDutyFinding, facts: FindingFacts): Array<Record<string, unknown>> {
  const base = { region: f.region, cloud_partition: f.partition || 'aws' };
  const out: Array<Record<string, unknown>> = [];
  if (facts.instanceId) {
    out.push({
      uid: facts.instanceId,
      name: facts.instanceId,
      type: 'AWS::EC2::Instance',
      ...base,
      data: {
        vpcId: facts.vpcId,
        subnetId: facts.subnetId,
        publicIp: facts.publicIp,
        privateIp: facts.privateIp,
        iamInstanceProfile: facts.instanceProfileArn,
      },
    });
  }
  for (const bucket of f.resource?.s3BucketDetails ?? []) {
    out.push({
      uid: bucket.arn || bucket.name,
      name: bucket.name,
      type: 'AWS::S3::Bucket',
      ...base,
      data: { role: bucket.type },
    });
  }
  if (facts.accessKeyId || facts.userName) {
    out.push({
      uid: facts.accessKeyId ?? facts.principalId ?? facts.userName,
      name: facts.userName ?? facts.accessKeyId,
      type: 'AWS::IAM::AccessKey',
      ...base,
      data: { principalId: facts.principalId, userType: facts.userType },
    });
  }
  return out;
}

function evidencesOf(f: GuardDutyFinding, facts: FindingFacts): Array<Record<string, unknown>> {
  const a = f.service?.action;
  const actor =
    facts.userName || facts.accessKeyId
      ? {
          user: {
            name: facts.userName,
            uid: facts.principalId,
            type: facts.userType,
            credential_uid: facts.accessKeyId,
          },
        }
      : undefined;
  if (a?.awsApiCallAction) {
    return [
      {
        api: {
          operation: facts.api,
          service: { name: facts.serviceName },
          response: facts.errorCode ? { error: facts.errorCode } : undefined,
        },
        actor,
        src_endpoint: facts.remoteIp
          ? { ip: facts.remoteIp, location: facts.remoteCountry ? { country: facts.remoteCountry } : undefined }
          : undefined,
      },
    ];
  }
  if (a?.networkConnectionAction) {
    const inbound = facts.direction === 'INBOUND';
    const local = {
      ip: facts.localIp,
      port: facts.localPort,
      instance_uid: facts.instanceId,
      interface_uid: facts.networkInterfaceId,
    };
    const remote = { ip: facts.remoteIp, port: facts.remotePort };
    return [
      {
        src_endpoint: inbound ? remote : local,
        dst_endpoint: inbound ? local : remote,
        connection_info: {
          direction: inbound ? 'Inbound' : facts.direction === 'OUTBOUND' ? 'Outbound' : 'Unknown',
          direction_id: inbound ? 1 : facts.direction === 'OUTBOUND' ? 2 : 0,
          protocol_name: facts.protocol?.toLowerCase(),
        },
      },
    ];
  }
  if (a?.portProbeAction) {
    return a.portProbeAction.portProbeDetails.slice(0, 20).map((d) => ({
      src_endpoint: { ip: d.remoteIpDetails?.ipAddressV4 },
      dst_endpoint: {
        ip: d.localIpDetails?.ipAddressV4,
        port: d.localPortDetails?.port,
        instance_uid: facts.instanceId,
      },
    }));
  }
  if (a?.dnsRequestAction) {
    return [
      { query: { hostname: facts.domain }, src_endpoint: { ip: facts.privateIp, instance_uid: facts.instanceId } },
    ];
  }
  return [];
}

function observablesOf(
  f: GuardDutyFinding,
  facts: FindingFacts,
): Array<{ name: string; type_id: number; type: string; value: string }> {
  const out: Array<{ name: string; type_id: number; type: string; value: string }> = [];
  const add = (name: string, typeId: number, type: string, value: string | null) => {
    if (value) out.push({ name, type_id: typeId, type, value });
  };
  const a = f.service?.action;
  const remoteAt = a?.networkConnectionAction
    ? facts.direction === 'INBOUND'
      ? 'evidences.src_endpoint.ip'
      : 'evidences.dst_endpoint.ip'
    : 'evidences.src_endpoint.ip';
  add(remoteAt, OBS.ip, 'IP Address', facts.remoteIp);
  add('evidences.query.hostname', OBS.hostname, 'Hostname', facts.domain);
  add('evidences.actor.user.name', OBS.userName, 'User Name', facts.userName);
  add('evidences.actor.user.credential_uid', OBS.credentialUid, 'User Credential ID', facts.accessKeyId);
  add('resources.uid', OBS.resourceUid, 'Resource UID', facts.instanceId);
  for (const bucket of facts.buckets) add('resources.name', OBS.resourceUid, 'Resource UID', bucket);
  return out;
}

export function toOcsf(f: GuardDutyFinding, options: OcsfOptions = {}): Record<string, unknown> {
  const facts = factsOf(f);
  const view = analystView(options.caseState, f.id);
  const created = ms(f.createdAt);
  const updated = ms(f.updatedAt);
  const activity =
    created !== undefined && updated !== undefined && updated > created
      ? { id: 2, name: 'Update' }
      : { id: 1, name: 'Create' };
  const status = f.service?.archived && view.status === 'new' ? OCSF_STATUS.benign : OCSF_STATUS[view.status];
  const tactic = TACTICS[threatPurpose(f.type)];
  const event: Record<string, unknown> = {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 2004 * 100 + activity.id,
    type_name: `Detection Finding: ${activity.name}`,
    severity_id: SEVERITY_ID[facts.severityLabel],
    severity: facts.severityLabel,
    status_id: status.id,
    status: status.name,
    time: updated ?? created ?? 0,
    start_time: ms(f.service?.eventFirstSeen),
    end_time: ms(f.service?.eventLastSeen),
    count: f.service?.count,
    message: f.title,
    metadata: {
      version: OCSF_VERSION,
      uid: f.id,
      product: {
        name: 'Loupe',
        vendor_name: 'Loupe',
        version: options.productVersion,
        feature: { name: 'GuardDuty-compatible detections' },
      },
      labels: ['guardduty', ...view.tags],
    },
    cloud: { provider: 'AWS', region: f.region, account: { uid: f.accountId, type_id: 10, type: 'AWS Account' } },
    finding_info: {
      uid: f.id,
      product_uid: f.arn,
      title: f.title,
      desc: f.description,
      types: [f.type],
      created_time: created,
      modified_time: updated,
      first_seen_time: ms(f.service?.eventFirstSeen),
      last_seen_time: ms(f.service?.eventLastSeen),
      analytic: { name: f.type, type_id: 1, type: 'Rule' },
      attacks: tactic ? [{ tactic, version: 'v15' }] : undefined,
      related_events_count: f.service?.count,
    },
    resources: resourcesOf(f, facts),
    observables: observablesOf(f, facts),
    evidences: evidencesOf(f, facts),
    unmapped: {
      resourceRole: facts.resourceRole,
      threatListNames: facts.threatListNames.length ? facts.threatListNames : undefined,
    },
  };
  if (view.comments.length) {
    event['comment'] = view.comments.at(-1)?.text;
  }
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>; // drops undefined members
}
