import { createHash } from 'node:crypto';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import { factsOf, threatPurpose, type FindingFacts } from './finding-facts';
import { renderCommand, shellComment, type ShellArg } from './shell';

/**
 * Remediation playbooks per finding type: concrete steps and AWS CLI commands filled in with
 * the finding's own resources. Loupe never runs them; they are shown in the report and
 * exported as a shell script (playbook-script.ts) that a person reviews and runs. Structured
 * arguments are built as JSON (JSON.stringify), never by pasting values into CLI shorthand,
 * and every value is shell-quoted when rendered.
 */
export interface PlaybookCommand {
  argv: ShellArg[];
  /** Stores the command's output in this shell variable for later steps. */
  captureAs?: string;
  /** Written commented out: destructive, or needs a decision first. */
  commented?: boolean;
  /** Why it is commented out, or what to check before running it. */
  note?: string;
}

export interface PlaybookStep {
  title: string;
  detail: string;
  commands: PlaybookCommand[];
}

export interface Playbook {
  findingId: string;
  type: string;
  title: string;
  severity: number;
  severityLabel: string;
  accountId: string;
  region: string;
  summary: string;
  steps: PlaybookStep[];
}

const ACCESS_BLOCK = 'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true';
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+$/;

function cmd(argv: ShellArg[], extra: Omit<PlaybookCommand, 'argv'> = {}): PlaybookCommand {
  return { argv, ...extra };
}

/** `printf` template for a JSON document with `%s` holes: literal % doubled first. */
function jsonTemplate(doc: unknown, holes: Record<string, string>): string {
  let text = JSON.stringify(doc).replace(/%/g, '%%');
  for (const token of Object.keys(holes)) text = text.replace(JSON.stringify(token), '"%s"');
  return text;
}

/** Deny everything for credentials issued before the moment the step runs (IAM "revoke sessions"). */
function revokeSessionsCommands(kind: 'role' | 'user', name: ShellArg): PlaybookCommand[] {
  const template = jsonTemplate(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '@T@' } },
        },
      ],
    },
    { '@T@': '' },
  );
  return [
    cmd(['date', '-u', '+%Y-%m-%dT%H:%M:%SZ'], { captureAs: 'REVOKE_BEFORE' }),
    cmd(['printf', template, { var: 'REVOKE_BEFORE' }], { captureAs: 'REVOKE_POLICY' }),
    cmd([
      'aws',
      'iam',
      kind === 'role' ? 'put-role-policy' : 'put-user-policy',
      kind === 'role' ? '--role-name' : '--user-name',
      name,
      '--policy-name',
      'AWSRevokeOlderSessions',
      '--policy-document',
      { var: 'REVOKE_POLICY' },
    ]),
  ];
}

function cidrOf(ip: string | null): { flag: '--cidr-block' | '--ipv6-cidr-block'; cidr: string } | null {
  if (!ip) return null;
  if (IPV4.test(ip)) return { flag: '--cidr-block', cidr: `${ip}/32` };
  if (IPV6.test(ip) && ip.split(':').length >= 3) return { flag: '--ipv6-cidr-block', cidr: `${ip}/128` };
  return null;
}

/** NACL rule numbers must be unique per direction; derive one from the address (1-99). */
function ruleNumber(cidr: string): string {
  return String((createHash('sha256').update(cidr).digest().readUInt16BE(0) % 99) + 1);
}

function evidenceStep(f: GuardDutyFinding, x: FindingFacts): PlaybookStep {
  const region = f.region;
  const commands: PlaybookCommand[] = [];
  if (x.accessKeyId) {
    commands.push(
      cmd([
        'aws',
        'cloudtrail',
        'lookup-events',
        '--region',
        region,
        '--lookup-attributes',
        JSON.stringify([{ AttributeKey: 'AccessKeyId', AttributeValue: x.accessKeyId }]),
        '--max-results',
        '50',
      ]),
    );
  } else if (x.userName) {
    commands.push(
      cmd([
        'aws',
        'cloudtrail',
        'lookup-events',
        '--region',
        region,
        '--lookup-attributes',
        JSON.stringify([{ AttributeKey: 'Username', AttributeValue: x.userName }]),
        '--max-results',
        '50',
      ]),
    );
  }
  if (x.instanceId) {
    commands.push(cmd(['aws', 'ec2', 'describe-instances', '--region', region, '--instance-ids', x.instanceId]));
    commands.push(
      cmd([
        'aws',
        'ec2',
        'create-snapshots',
        '--region',
        region,
        '--instance-specification',
        JSON.stringify({ InstanceId: x.instanceId }),
        '--description',
        `Loupe evidence for finding ${f.id}`,
        '--copy-tags-from-source',
        'volume',
      ]),
    );
  }
  for (const bucket of x.buckets) {
    commands.push(
      cmd(['aws', 's3api', 'get-bucket-policy', '--bucket', bucket], {
        note: 'An error here means the bucket has no policy.',
      }),
    );
    commands.push(cmd(['aws', 's3api', 'get-bucket-acl', '--bucket', bucket]));
  }
  return {
    title: 'Preserve evidence',
    detail:
      'Record the current state before changing anything: recent API activity, instance details and disk snapshots, bucket policies and ACLs.',
    commands,
  };
}

function credentialSteps(f: GuardDutyFinding, x: FindingFacts): PlaybookStep[] {
  const steps: PlaybookStep[] = [];
  const user = x.userName;
  const key = x.accessKeyId;
  if (x.userType === 'Root') {
    steps.push({
      title: 'Secure the root user',
      detail:
        'Root access keys can only be deleted while signed in as root. Enable MFA on the root user, change its password, and delete any root access keys.',
      commands: [
        cmd(['aws', 'iam', 'get-account-summary', '--query', 'SummaryMap.AccountAccessKeysPresent']),
        ...(key
          ? [
              cmd(['aws', 'iam', 'delete-access-key', '--access-key-id', key], {
                commented: true,
                note: 'Run signed in as root.',
              }),
            ]
          : []),
      ],
    });
    return steps;
  }
  if (x.userType === 'AssumedRole' && user) {
    steps.push({
      title: `Revoke the active sessions of role ${user}`,
      detail:
        'Attaches a deny-all policy for every session issued before now (what the IAM console\'s "Revoke active sessions" does). New sessions still work, so also fix whatever handed the role out.',
      commands: revokeSessionsCommands('role', user),
    });
    return steps;
  }
  if (user && key?.startsWith('AKIA')) {
    steps.push({
      title: `Disable access key ${key}`,
      detail: 'An inactive key stops working at once and can be re-enabled if this turns out to be benign.',
      commands: [
        cmd(['aws', 'iam', 'update-access-key', '--user-name', user, '--access-key-id', key, '--status', 'Inactive']),
      ],
    });
    steps.push({
      title: 'Rotate the key',
      detail: 'Issue a new key only if the user still needs one, move its applications over, then delete the old key.',
      commands: [
        cmd(['aws', 'iam', 'create-access-key', '--user-name', user], {
          commented: true,
          note: 'Only if the user still needs programmatic access.',
        }),
        cmd(['aws', 'iam', 'delete-access-key', '--user-name', user, '--access-key-id', key], {
          commented: true,
          note: 'Once nothing uses the old key any more.',
        }),
      ],
    });
  } else if (user && key?.startsWith('ASIA')) {
    steps.push({
      title: `Revoke temporary credentials of user ${user}`,
      detail:
        'The key is a session key (ASIA...): deny every session issued before now, then disable the long-term keys that minted it.',
      commands: [...revokeSessionsCommands('user', user), cmd(['aws', 'iam', 'list-access-keys', '--user-name', user])],
    });
  }
  if (user && x.userType === 'IAMUser') {
    steps.push({
      title: `Review what ${user} can do`,
      detail: 'Look for policies, keys or login profiles the attacker may have added for persistence.',
      commands: [
        cmd(['aws', 'iam', 'list-attached-user-policies', '--user-name', user]),
        cmd(['aws', 'iam', 'list-user-policies', '--user-name', user]),
        cmd(['aws', 'iam', 'list-access-keys', '--user-name', user]),
        cmd(['aws', 'iam', 'list-mfa-devices', '--user-name', user]),
      ],
    });
  }
  const cidr = cidrOf(x.remoteIp);
  if (
    cidr &&
    user &&
    (x.userType === 'IAMUser' || x.userType === 'AssumedRole') &&
    /MaliciousIPCaller|TorIPCaller/.test(f.type)
  ) {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LoupeDenyCallerIp',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { IpAddress: { 'aws:SourceIp': [cidr.cidr] } },
        },
      ],
    });
    const role = x.userType === 'AssumedRole';
    steps.push({
      title: `Deny calls from ${x.remoteIp}`,
      detail:
        "An identity policy that refuses every request from the caller's address, whatever credentials it uses next.",
      commands: [
        cmd([
          'aws',
          'iam',
          role ? 'put-role-policy' : 'put-user-policy',
          role ? '--role-name' : '--user-name',
          user,
          '--policy-name',
          'LoupeDenyCallerIp',
          '--policy-document',
          policy,
        ]),
      ],
    });
  }
  return steps;
}

function instanceSteps(f: GuardDutyFinding, x: FindingFacts): PlaybookStep[] {
  const region = f.region;
  const steps: PlaybookStep[] = [];
  const id = x.instanceId;
  if (!id) return steps;
  if (x.vpcId) {
    steps.push({
      title: `Isolate ${id} with a quarantine security group`,
      detail:
        "A new group with no inbound and no outbound rules replaces all of the instance's groups. Connections already tracked may continue until they close; stop the instance if that is not acceptable.",
      commands: [
        cmd(
          [
            'aws',
            'ec2',
            'create-security-group',
            '--region',
            region,
            '--group-name',
            `loupe-quarantine-${id}`,
            '--description',
            `Loupe quarantine for ${id}: no inbound or outbound traffic`,
            '--vpc-id',
            x.vpcId,
            '--query',
            'GroupId',
            '--output',
            'text',
          ],
          { captureAs: 'QUARANTINE_SG' },
        ),
        cmd([
          'aws',
          'ec2',
          'revoke-security-group-egress',
          '--region',
          region,
          '--group-id',
          { var: 'QUARANTINE_SG' },
          '--ip-permissions',
          JSON.stringify([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]),
        ]),
        cmd([
          'aws',
          'ec2',
          'modify-instance-attribute',
          '--region',
          region,
          '--instance-id',
          id,
          '--groups',
          { var: 'QUARANTINE_SG' },
        ]),
        cmd([
          'aws',
          'ec2',
          'create-tags',
          '--region',
          region,
          '--resources',
          id,
          '--tags',
          JSON.stringify([{ Key: 'loupe:quarantine', Value: f.id }]),
        ]),
      ],
    });
  }
  if (x.instanceProfileArn) {
    const profile = x.instanceProfileArn.split('/').pop() ?? x.instanceProfileArn;
    steps.push({
      title: `Revoke the sessions of ${id}'s instance role`,
      detail:
        'Credentials taken from the instance metadata service keep working until they expire; deny every session issued before now.',
      commands: [
        cmd(
          [
            'aws',
            'iam',
            'get-instance-profile',
            '--instance-profile-name',
            profile,
            '--query',
            'InstanceProfile.Roles[0].RoleName',
            '--output',
            'text',
          ],
          { captureAs: 'INSTANCE_ROLE' },
        ),
        ...revokeSessionsCommands('role', { var: 'INSTANCE_ROLE', required: 'no role found for the instance profile' }),
      ],
    });
  }
  const cidr = cidrOf(x.remoteIp);
  if (cidr && x.subnetId && f.service?.action?.actionType !== 'AWS_API_CALL') {
    const rule = ruleNumber(cidr.cidr);
    const entry = (direction: '--ingress' | '--egress') =>
      cmd([
        'aws',
        'ec2',
        'create-network-acl-entry',
        '--region',
        region,
        '--network-acl-id',
        { var: 'NACL_ID' },
        direction,
        '--rule-number',
        rule,
        '--protocol',
        '-1',
        '--rule-action',
        'deny',
        cidr.flag,
        cidr.cidr,
      ]);
    steps.push({
      title: `Block ${x.remoteIp} at the subnet's network ACL`,
      detail: `Adds deny rules numbered ${rule} (in and out) ahead of the allow rules of the ACL on ${x.subnetId}. If that number is taken, pick a free one below your first allow rule.`,
      commands: [
        cmd(
          [
            'aws',
            'ec2',
            'describe-network-acls',
            '--region',
            region,
            '--filters',
            JSON.stringify([{ Name: 'association.subnet-id', Values: [x.subnetId] }]),
            '--query',
            'NetworkAcls[0].NetworkAclId',
            '--output',
            'text',
          ],
          { captureAs: 'NACL_ID' },
        ),
        entry('--ingress'),
        entry('--egress'),
      ],
    });
  }
  if (x.domain && x.vpcId && f.service?.action?.actionType === 'DNS_REQUEST') {
    const tag = createHash('sha256').update(`${f.id}|${x.domain}`).digest('hex').slice(0, 16);
    steps.push({
      title: `Block ${x.domain} with Route 53 Resolver DNS Firewall`,
      detail:
        "Creates a domain list and a rule group that answers NXDOMAIN for the domain, and associates it with the instance's VPC.",
      commands: [
        cmd(
          [
            'aws',
            'route53resolver',
            'create-firewall-domain-list',
            '--region',
            region,
            '--name',
            `loupe-block-${tag}`,
            '--creator-request-id',
            `loupe-list-${tag}`,
            '--query',
            'FirewallDomainList.Id',
            '--output',
            'text',
          ],
          { captureAs: 'DOMAIN_LIST_ID' },
        ),
        cmd([
          'aws',
          'route53resolver',
          'update-firewall-domains',
          '--region',
          region,
          '--firewall-domain-list-id',
          { var: 'DOMAIN_LIST_ID' },
          '--operation',
          'ADD',
          '--domains',
          x.domain,
        ]),
        cmd(
          [
            'aws',
            'route53resolver',
            'create-firewall-rule-group',
            '--region',
            region,
            '--name',
            `loupe-block-${tag}`,
            '--creator-request-id',
            `loupe-group-${tag}`,
            '--query',
            'FirewallRuleGroup.Id',
            '--output',
            'text',
          ],
          { captureAs: 'RULE_GROUP_ID' },
        ),
        cmd([
          'aws',
          'route53resolver',
          'create-firewall-rule',
          '--region',
          region,
          '--name',
          `loupe-block-${tag}`,
          '--creator-request-id',
          `loupe-rule-${tag}`,
          '--firewall-rule-group-id',
          { var: 'RULE_GROUP_ID' },
          '--firewall-domain-list-id',
          { var: 'DOMAIN_LIST_ID' },
          '--priority',
          '100',
          '--action',
          'BLOCK',
          '--block-response',
          'NXDOMAIN',
        ]),
        cmd([
          'aws',
          'route53resolver',
          'associate-firewall-rule-group',
          '--region',
          region,
          '--name',
          `loupe-block-${tag}`,
          '--creator-request-id',
          `loupe-assoc-${tag}`,
          '--firewall-rule-group-id',
          { var: 'RULE_GROUP_ID' },
          '--vpc-id',
          x.vpcId,
          '--priority',
          '1001',
        ]),
      ],
    });
  }
  return steps;
}

function s3Steps(f: GuardDutyFinding, x: FindingFacts): PlaybookStep[] {
  const steps: PlaybookStep[] = [];
  const type = f.type;
  if (type === 'Policy:S3/AccountBlockPublicAccessDisabled') {
    steps.push({
      title: `Restore account-level Block Public Access in ${f.accountId}`,
      detail:
        'Turns all four account-wide Block Public Access settings back on; buckets that must be public need an explicit, reviewed exception.',
      commands: [
        cmd(['aws', 's3control', 'get-public-access-block', '--account-id', f.accountId]),
        cmd([
          'aws',
          's3control',
          'put-public-access-block',
          '--account-id',
          f.accountId,
          '--public-access-block-configuration',
          ACCESS_BLOCK,
        ]),
      ],
    });
  }
  if (/^Policy:S3\/Bucket(BlockPublicAccessDisabled|PublicAccessGranted|AnonymousAccessGranted)$/.test(type)) {
    for (const bucket of x.buckets) {
      steps.push({
        title: `Restore Block Public Access on ${bucket}`,
        detail:
          'Blocks public ACLs and policies on the bucket. Check first whether anything legitimately serves public content from it.',
        commands: [
          cmd(['aws', 's3api', 'get-bucket-policy-status', '--bucket', bucket]),
          cmd([
            'aws',
            's3api',
            'put-public-access-block',
            '--bucket',
            bucket,
            '--public-access-block-configuration',
            ACCESS_BLOCK,
          ]),
          cmd(['aws', 's3api', 'put-bucket-acl', '--bucket', bucket, '--acl', 'private'], {
            commented: true,
            note: 'Resets every grant on the bucket ACL; review get-bucket-acl output first.',
          }),
        ],
      });
    }
  }
  if (type === 'Stealth:S3/ServerAccessLoggingDisabled') {
    for (const bucket of x.buckets) {
      const template = jsonTemplate(
        { LoggingEnabled: { TargetBucket: '@B@', TargetPrefix: `${bucket}/` } },
        { '@B@': '' },
      );
      steps.push({
        title: `Re-enable server access logging on ${bucket}`,
        detail:
          'Set LOG_BUCKET to the bucket that should receive the logs (not the bucket itself) before running this step.',
        commands: [
          cmd(['printf', template, { var: 'LOG_BUCKET', required: 'set LOG_BUCKET to the log target bucket' }], {
            captureAs: 'LOGGING_STATUS',
          }),
          cmd([
            'aws',
            's3api',
            'put-bucket-logging',
            '--bucket',
            bucket,
            '--bucket-logging-status',
            { var: 'LOGGING_STATUS' },
          ]),
        ],
      });
    }
  }
  if (/^Impact:S3\//.test(type) || /^Exfiltration:S3\//.test(type)) {
    for (const bucket of x.buckets) {
      steps.push({
        title: `Protect the objects in ${bucket}`,
        detail:
          'Versioning keeps overwritten and deleted objects recoverable from now on; list versions to see what was touched.',
        commands: [
          cmd([
            'aws',
            's3api',
            'put-bucket-versioning',
            '--bucket',
            bucket,
            '--versioning-configuration',
            'Status=Enabled',
          ]),
          cmd(['aws', 's3api', 'list-object-versions', '--bucket', bucket, '--max-items', '100']),
        ],
      });
    }
  }
  return steps;
}

function trailName(x: FindingFacts): string | null {
  for (const [kind, value] of Object.entries(x.affectedResources)) {
    if (/CloudTrail::Trail/i.test(kind) && value) return value;
  }
  return null;
}

function accountSteps(f: GuardDutyFinding, x: FindingFacts): PlaybookStep[] {
  const region = f.region;
  if (f.type === 'Stealth:IAMUser/CloudTrailLoggingDisabled') {
    const trail = trailName(x);
    const name: ShellArg = trail ?? { var: 'TRAIL_NAME', required: 'set TRAIL_NAME to the trail that was stopped' };
    return [
      {
        title: trail ? `Re-enable CloudTrail logging on ${trail}` : 'Re-enable CloudTrail logging',
        detail:
          'Starts the trail again and checks it is delivering. Compare event selectors with what they were before the change.',
        commands: [
          ...(trail ? [] : [cmd(['aws', 'cloudtrail', 'describe-trails', '--region', region])]),
          cmd(['aws', 'cloudtrail', 'start-logging', '--region', region, '--name', name]),
          cmd(['aws', 'cloudtrail', 'get-trail-status', '--region', region, '--name', name]),
          cmd(['aws', 'cloudtrail', 'get-event-selectors', '--region', region, '--trail-name', name]),
        ],
      },
    ];
  }
  if (f.type === 'Stealth:IAMUser/PasswordPolicyChange') {
    return [
      {
        title: 'Restore a strong account password policy',
        detail:
          "Puts back a strict policy (14+ characters, all character classes, no reuse of the last 24). Adjust to your organisation's standard.",
        commands: [
          cmd(['aws', 'iam', 'get-account-password-policy']),
          cmd([
            'aws',
            'iam',
            'update-account-password-policy',
            '--minimum-password-length',
            '14',
            '--require-symbols',
            '--require-numbers',
            '--require-uppercase-characters',
            '--require-lowercase-characters',
            '--password-reuse-prevention',
            '24',
            '--max-password-age',
            '90',
          ]),
        ],
      },
    ];
  }
  if (/ConsoleLoginSuccess|RootCredentialUsage/.test(f.type) && x.userName && x.userType === 'IAMUser') {
    return [
      {
        title: `Force a password reset for ${x.userName}`,
        detail: 'The next console sign-in must set a new password; make sure the user has MFA.',
        commands: [cmd(['aws', 'iam', 'update-login-profile', '--user-name', x.userName, '--password-reset-required'])],
      },
    ];
  }
  return [];
}

function summaryFor(f: GuardDutyFinding, x: FindingFacts): string {
  const purpose = threatPurpose(f.type);
  const who =
    x.resourceType === 'Instance'
      ? `instance ${x.resourceId}`
      : x.resourceType === 'S3Bucket'
        ? `bucket ${x.resourceId}`
        : `principal ${x.userName ?? x.resourceId}`;
  const from = x.remoteIp ? ` involving ${x.remoteIp}` : x.domain ? ` involving ${x.domain}` : '';
  return `${purpose || 'Finding'} on ${who}${from} in ${f.accountId}/${f.region}. Contain first, then investigate the evidence and look for persistence.`;
}

export function playbookFor(f: GuardDutyFinding): Playbook {
  const x = factsOf(f);
  const steps: PlaybookStep[] = [evidenceStep(f, x)];
  steps.push(...accountSteps(f, x));
  steps.push(...s3Steps(f, x));
  steps.push(...instanceSteps(f, x));
  steps.push(...credentialSteps(f, x));
  if (steps.length === 1) {
    steps.push({
      title: 'Investigate',
      detail:
        'No automatic containment applies to this finding. Review the evidence events in Loupe and decide with the resource owner.',
      commands: [],
    });
  }
  return {
    findingId: f.id,
    type: f.type,
    title: f.title,
    severity: f.severity,
    severityLabel: x.severityLabel,
    accountId: f.accountId,
    region: f.region,
    summary: summaryFor(f, x),
    steps: steps.filter((s) => s.commands.length > 0 || s.title === 'Investigate'),
  };
}

/** One command as a script line; commented commands start with '# ' (still one line). */
export function commandLine(c: PlaybookCommand): string {
  const line = renderCommand(c.argv, c.captureAs);
  return c.commented ? shellComment(line) : line;
}
