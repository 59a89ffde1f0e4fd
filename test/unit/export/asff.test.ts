import { describe, expect, it } from 'vitest';
import { asffBatches, toAsff } from '../../../electron/engine/export/asff';
import { asffType } from '../../../electron/engine/export/asff-types';
import { emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { FINDING_TYPES } from '../../../shared/findings/catalog';
import { asffBatchSchema, asffSchema } from './format-schemas';
import { ACCOUNT, ALL, bucketPublic, dnsC2, hostile, REGION, sshBruteForce, torCallerRole } from './fixtures';

describe('ASFF Types', () => {
  it('matches the mapping GuardDuty documents for its Security Hub integration', () => {
    expect(asffType('UnauthorizedAccess:EC2/SSHBruteForce')).toBe(
      'TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce',
    );
    expect(asffType('Backdoor:EC2/C&CActivity.B!DNS')).toBe('TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS');
    expect(asffType('Behavior:EC2/NetworkPortUnusual')).toBe('Unusual Behaviors/VM/Behavior:EC2-NetworkPortUnusual');
    expect(asffType('Recon:EC2/Portscan')).toBe('TTPs/Discovery/Recon:EC2-Portscan');
    expect(asffType('Trojan:EC2/DropPoint')).toBe('Effects/Data Exfiltration/Trojan:EC2-DropPoint');
    expect(asffType('UnauthorizedAccess:EC2/TorClient')).toBe(
      'Effects/Resource Consumption/UnauthorizedAccess:EC2-TorClient',
    );
    expect(asffType('Stealth:IAMUser/CloudTrailLoggingDisabled')).toBe(
      'TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled',
    );
    expect(asffType('Policy:S3/BucketBlockPublicAccessDisabled')).toBe(
      'Effects/Data Exposure/Policy:S3-BucketBlockPublicAccessDisabled',
    );
    expect(asffType('Discovery:S3/TorIPCaller')).toBe('TTPs/Discovery:S3-TorIPCaller');
    expect(asffType('Impact:EC2/PortSweep')).toBe('TTPs/Impact/Impact:EC2-PortSweep');
    expect(asffType('Trojan:EC2/DNSDataExfiltration')).toBe(
      'TTPs/Command and Control/Trojan:EC2-DNSDataExfiltration!DNS',
    );
  });

  it('gives every catalogued type a valid namespace, and derives newer ones from the threat purpose', () => {
    for (const info of FINDING_TYPES) {
      expect(asffType(info.type)).toMatch(/^(TTPs|Effects|Unusual Behaviors)(\/[A-Za-z ]+)?\/[^/]+$/);
    }
    expect(asffType('Exfiltration:IAMUser/AnomalousBehavior')).toBe(
      'Effects/Data Exfiltration/Exfiltration:IAMUser-AnomalousBehavior',
    );
    expect(asffType('CredentialAccess:IAMUser/AnomalousBehavior')).toBe(
      'TTPs/Credential Access/CredentialAccess:IAMUser-AnomalousBehavior',
    );
  });
});

describe('toAsff', () => {
  it('produces findings with every required field, within the limits', () => {
    for (const f of ALL()) {
      const parsed = asffSchema.safeParse(toAsff(f));
      expect(parsed.success, `${f.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('maps the identifiers and severity the way GuardDuty does', () => {
    const a = toAsff(sshBruteForce());
    expect(a.Id).toBe(sshBruteForce().arn);
    expect(a.ProductArn).toBe(`arn:aws:securityhub:${REGION}::product/aws/guardduty`);
    expect(a.GeneratorId).toMatch(new RegExp(`^arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/[0-9a-f]+$`));
    expect(a.Severity).toEqual({ Product: 2, Label: 'LOW', Normalized: 20 });
    expect(toAsff(dnsC2()).Severity).toEqual({ Product: 8, Label: 'HIGH', Normalized: 80 });
    expect(toAsff(hostile()).Severity.Label).toBe('CRITICAL');
    expect(a['FirstObservedAt']).toBe('2025-02-01T10:00:00.000Z');
    expect(a['Resources']).toEqual([
      expect.objectContaining({
        Type: 'AwsEc2Instance',
        Id: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0ssh`,
        Details: {
          AwsEc2Instance: expect.objectContaining({
            VpcId: 'vpc-0123',
            SubnetId: 'subnet-0456',
            IpV4Addresses: ['203.0.113.10', '10.0.1.5'],
          }),
        },
      }),
    ]);
    expect(a['Network']).toEqual({
      Direction: 'IN',
      Protocol: 'TCP',
      SourceIpV4: '198.51.100.7',
      SourcePort: 46717,
      DestinationIpV4: '10.0.1.5',
      DestinationPort: 22,
    });
    expect(a['Action']).toMatchObject({
      ActionType: 'NETWORK_CONNECTION',
      NetworkConnectionAction: {
        RemoteIpDetails: { IpAddressV4: '198.51.100.7', Organization: { Asn: 64496, AsnOrg: 'EXAMPLE-NET' } },
        LocalPortDetails: { Port: 22 },
      },
    });
    const fields = a['ProductFields'] as Record<string, string>;
    expect(fields['aws/guardduty/service/action/networkConnectionAction/remoteIpDetails/ipAddressV4']).toBe(
      '198.51.100.7',
    );
    expect(fields['aws/guardduty/service/count']).toBe('74');
    expect(fields['aws/guardduty/service/resourceRole']).toBe('TARGET');
  });

  it('lists buckets and the principal as resources of an S3 finding, and the role key of an IAM one', () => {
    expect((toAsff(bucketPublic()).Resources as Array<{ Type: string }>).map((r) => r.Type)).toEqual([
      'AwsS3Bucket',
      'AwsIamAccessKey',
    ]);
    expect(toAsff(torCallerRole()).Resources[0]).toMatchObject({
      Type: 'AwsIamAccessKey',
      Id: 'AWS::IAM::AccessKey:ASIAEXAMPLE0001',
      Details: { AwsIamAccessKey: { PrincipalName: 'deploy-role', PrincipalType: 'AssumedRole' } },
    });
  });

  it('uses the account default product when asked, so the account itself can import', () => {
    expect(toAsff(sshBruteForce(), { product: 'account-default' }).ProductArn).toBe(
      `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`,
    );
  });

  it('carries the analyst status, last comment and archive state', () => {
    const state = emptyCaseState('c');
    state.findings['f-ssh'] = {
      status: 'false_positive',
      tags: ['bastion'],
      updatedAt: '2025-02-02T00:00:00Z',
      comments: [
        { id: 'c1', text: 'first look', createdAt: '2025-02-02T00:00:00Z' },
        { id: 'c2', text: 'x'.repeat(600), author: 'ana', createdAt: '2025-02-03T00:00:00Z' },
      ],
    };
    const a = toAsff(
      { ...sshBruteForce(), service: { ...sshBruteForce().service, archived: true } },
      { caseState: state },
    );
    expect(a['Workflow']).toEqual({ Status: 'SUPPRESSED' });
    expect(a['RecordState']).toBe('ARCHIVED');
    expect((a['Note'] as { Text: string; UpdatedBy: string }).Text).toHaveLength(512);
    expect((a['Note'] as { UpdatedBy: string }).UpdatedBy).toBe('ana');
    expect(a['UserDefinedFields']).toEqual({ 'loupe/tags': 'bastion' });
    expect(toAsff(sshBruteForce())['Workflow']).toEqual({ Status: 'NEW' });
  });

  it('truncates long titles and caps product fields at 50', () => {
    const long = { ...sshBruteForce(), title: 't'.repeat(400), description: 'd'.repeat(3000) };
    const probe = {
      ...long,
      service: {
        ...long.service,
        action: {
          actionType: 'PORT_PROBE' as const,
          portProbeAction: {
            blocked: false,
            portProbeDetails: Array.from({ length: 40 }, (_, i) => ({
              localPortDetails: { port: i, portName: 'x' },
              remoteIpDetails: { ipAddressV4: `198.51.100.${i}` },
            })),
          },
        },
      },
    };
    const a = toAsff(probe);
    expect(a.Title).toHaveLength(256);
    expect(a.Description).toHaveLength(1024);
    expect(Object.keys(a['ProductFields'] as object)).toHaveLength(50);
    expect(asffSchema.safeParse(a).success).toBe(true);
  });

  it('batches 100 findings per BatchImportFindings call', () => {
    const many = Array.from({ length: 250 }, (_, i) => sshBruteForce(`f-${i}`));
    const batches = asffBatches(many);
    expect(batches.map((b) => b.Findings.length)).toEqual([100, 100, 50]);
    for (const b of batches) expect(asffBatchSchema.safeParse(b).success).toBe(true);
  });
});
