import type { Database } from '../../../electron/engine/db/database';
import { LOUPE_DETECTOR_ID, type GuardDutyFinding } from '../../../shared/findings/guardduty';

/**
 * Findings shaped like the detection engine writes them, one per action kind, plus one whose
 * every free-text field is hostile (markup, quotes, newlines, shell and spreadsheet syntax).
 */
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export const HOSTILE = `<script>alert("x")</script> '; rm -rf / #\n=HYPERLINK("http://evil")$(touch pwned)\`id\``;

interface Base {
  id: string;
  type: string;
  severity: number;
  title?: string;
  first?: string;
  last?: string;
  count?: number;
}

function base(
  b: Base,
  resource: GuardDutyFinding['resource'],
  service: Partial<GuardDutyFinding['service']>,
): GuardDutyFinding {
  const first = b.first ?? '2025-02-01T10:00:00.000Z';
  const last = b.last ?? '2025-02-01T12:30:00.000Z';
  return {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    id: b.id,
    arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${LOUPE_DETECTOR_ID}/finding/${b.id}`,
    type: b.type,
    title: b.title ?? `${b.type} on a resource`,
    description: `Description of ${b.type}.`,
    severity: b.severity,
    createdAt: first,
    updatedAt: last,
    resource,
    service: {
      serviceName: 'guardduty',
      detectorId: LOUPE_DETECTOR_ID,
      resourceRole: 'TARGET',
      archived: false,
      count: b.count ?? 3,
      eventFirstSeen: first,
      eventLastSeen: last,
      ...service,
    },
  };
}

const instance = (id: string): GuardDutyFinding['resource'] => ({
  resourceType: 'Instance',
  instanceDetails: {
    instanceId: id,
    iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web-profile`, id: 'AIPAEXAMPLE' },
    networkInterfaces: [
      {
        networkInterfaceId: 'eni-0abc',
        privateIpAddress: '10.0.1.5',
        vpcId: 'vpc-0123',
        subnetId: 'subnet-0456',
        publicIp: '203.0.113.10',
        securityGroups: [{ groupId: 'sg-0aa', groupName: 'web' }],
      } as never,
    ],
  },
});

export function sshBruteForce(id = 'f-ssh'): GuardDutyFinding {
  return base({ id, type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 2, count: 74 }, instance('i-0ssh'), {
    action: {
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: {
        connectionDirection: 'INBOUND',
        protocol: 'TCP',
        blocked: false,
        localPortDetails: { port: 22, portName: 'SSH' },
        remotePortDetails: { port: 46717, portName: 'Unknown' },
        localIpDetails: { ipAddressV4: '10.0.1.5' },
        remoteIpDetails: {
          ipAddressV4: '198.51.100.7',
          organization: { asn: '64496', asnOrg: 'EXAMPLE-NET', isp: 'Example', org: 'Example' },
          country: { countryCode: 'NL', countryName: 'Netherlands' },
        },
      },
    },
  });
}

export function torCallerRole(id = 'f-tor'): GuardDutyFinding {
  return base(
    { id, type: 'UnauthorizedAccess:IAMUser/TorIPCaller', severity: 5 },
    {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'ASIAEXAMPLE0001',
        principalId: 'AROAEXAMPLE:sess',
        userName: 'deploy-role',
        userType: 'AssumedRole',
      },
    },
    {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'ListBuckets',
          serviceName: 's3.amazonaws.com',
          callerType: 'Remote IP',
          userAgent: 'aws-cli/2.15',
          remoteIpDetails: { ipAddressV4: '192.0.2.66', country: { countryName: 'Unknown' } },
        },
      },
      evidence: { threatIntelligenceDetails: [{ threatListName: 'Loupe Tor exits', threatNames: ['TorExitNode'] }] },
    },
  );
}

export function maliciousIpUserKey(id = 'f-key'): GuardDutyFinding {
  return base(
    { id, type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', severity: 5 },
    {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'AKIAEXAMPLE00001',
        principalId: 'AIDAEXAMPLE',
        userName: 'alice',
        userType: 'IAMUser',
      },
    },
    {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'GetCallerIdentity',
          serviceName: 'sts.amazonaws.com',
          remoteIpDetails: { ipAddressV4: '203.0.113.99' },
        },
      },
    },
  );
}

export function bucketPublic(id = 'f-s3'): GuardDutyFinding {
  return base(
    { id, type: 'Policy:S3/BucketBlockPublicAccessDisabled', severity: 2 },
    {
      resourceType: 'S3Bucket',
      accessKeyDetails: {
        accessKeyId: 'AKIAEXAMPLE00002',
        principalId: 'AIDAEXAMPLE2',
        userName: 'bob',
        userType: 'IAMUser',
      },
      s3BucketDetails: [
        {
          arn: 'arn:aws:s3:::acme-data',
          name: 'acme-data',
          type: 'Destination',
          publicAccess: { effectivePermission: 'PUBLIC' },
        },
      ],
    },
    {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: { api: 'DeletePublicAccessBlock', serviceName: 's3.amazonaws.com' },
      },
    },
  );
}

export function dnsC2(id = 'f-dns'): GuardDutyFinding {
  return base({ id, type: 'Backdoor:EC2/C&CActivity.B!DNS', severity: 8 }, instance('i-0dns'), {
    resourceRole: 'ACTOR',
    action: {
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'c2.guarddutyc2activityb.com', protocol: 'UDP', blocked: false },
    },
  });
}

export function trailStopped(id = 'f-trail'): GuardDutyFinding {
  return base(
    { id, type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', severity: 2 },
    {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'AKIAEXAMPLE00003',
        principalId: 'AIDA3',
        userName: 'mallory',
        userType: 'IAMUser',
      },
    },
    {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'StopLogging',
          serviceName: 'cloudtrail.amazonaws.com',
          affectedResources: { 'AWS::CloudTrail::Trail': `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-trail` },
        },
      },
    },
  );
}

export function portProbe(id = 'f-probe'): GuardDutyFinding {
  return base({ id, type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 2 }, instance('i-0probe'), {
    action: {
      actionType: 'PORT_PROBE',
      portProbeAction: {
        blocked: false,
        portProbeDetails: [
          {
            localPortDetails: { port: 3389, portName: 'RDP' },
            localIpDetails: { ipAddressV4: '10.0.1.5' },
            remoteIpDetails: { ipAddressV4: '198.51.100.200' },
          },
        ],
      },
    },
  });
}

/** Free text everywhere a log can put it. */
export function hostile(id = 'f-hostile'): GuardDutyFinding {
  const f = base(
    { id, type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', severity: 9.5, title: HOSTILE },
    {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'AKIAHOSTILE00001',
        principalId: HOSTILE,
        userName: HOSTILE,
        userType: 'IAMUser',
      },
    },
    {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: HOSTILE,
          serviceName: 'iam.amazonaws.com',
          userAgent: HOSTILE,
          remoteIpDetails: { ipAddressV4: '198.51.100.1' },
        },
      },
    },
  );
  return { ...f, description: HOSTILE };
}

export const ALL = (): GuardDutyFinding[] => [
  sshBruteForce(),
  torCallerRole(),
  maliciousIpUserKey(),
  bucketPublic(),
  dnsC2(),
  trailStopped(),
  portProbe(),
  hostile(),
];

/** Inserts findings the way the detection engine stores them (flattened columns + JSON), in one statement. */
export async function insertFindings(
  db: Database,
  findings: readonly GuardDutyFinding[],
  archived: readonly string[] = [],
): Promise<void> {
  const docs = findings.map((f) => ({ ...f, service: { ...f.service, archived: archived.includes(f.id) } }));
  await db.run(
    `INSERT INTO findings
     SELECT j->>'id', j->>'type', (j->>'severity')::DOUBLE, j->>'title', j->>'accountId', j->>'region',
            j->'resource'->>'resourceType',
            coalesce(j->'resource'->'instanceDetails'->>'instanceId', j->'resource'->'accessKeyDetails'->>'accessKeyId', 'x'),
            'test-rule', (j->'service'->>'count')::BIGINT,
            (j->'service'->>'eventFirstSeen')::TIMESTAMPTZ, (j->'service'->>'eventLastSeen')::TIMESTAMPTZ,
            (j->>'createdAt')::TIMESTAMPTZ, (j->>'updatedAt')::TIMESTAMPTZ, (j->'service'->>'archived')::BOOLEAN, j
       FROM (SELECT unnest(from_json($docs, '["JSON"]')) AS j)`,
    { docs: JSON.stringify(docs) },
  );
}

/** CloudTrail events behind a finding, in a loaded file, linked through finding_events. */
export async function insertCloudTrailEvidence(
  db: Database,
  findingId: string,
  events: number,
  fileId = 1,
): Promise<void> {
  await db.run(
    `INSERT OR IGNORE INTO files (file_id, path, size, sha256, type, records, status, account_id, region)
     VALUES ($file_id, $path, 100, NULL, 'cloudtrail', $n, 'loaded', $account, $region)`,
    {
      file_id: fileId,
      path: `/evidence/AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/file-${fileId}.json.gz`,
      n: events,
      account: ACCOUNT,
      region: REGION,
    },
  );
  await db.run(
    `INSERT INTO cloudtrail (event_uid, event_time, event_source, event_name, aws_region, source_ip, principal_arn, user_agent, file_id, position)
     SELECT $finding || '-ev-' || i, TIMESTAMPTZ '2025-02-01 10:00:00+00' + to_minutes(i::BIGINT), 'iam.amazonaws.com', 'ListUsers', $region,
            '192.0.2.66', 'arn:aws:iam::' || $account || ':user/alice', 'aws-cli/2', $file_id, i::INTEGER
       FROM range($n) t(i)`,
    { finding: findingId, n: events, region: REGION, account: ACCOUNT, file_id: fileId },
  );
  await db.run(
    `INSERT INTO finding_events SELECT $finding, 'cloudtrail', $finding || '-ev-' || i FROM range($n) t(i)`,
    { finding: findingId, n: events },
  );
}
