import { describe, expect, it } from 'vitest';
import { OCSF_VERSION, toOcsf } from '../../../electron/engine/export/ocsf';
import { emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { ocsfDetectionFindingSchema } from './format-schemas';
import { ACCOUNT, ALL, bucketPublic, dnsC2, sshBruteForce, torCallerRole } from './fixtures';

describe('OCSF Detection Finding', () => {
  it('gives every finding the class, category, type and the required objects', () => {
    for (const f of ALL()) {
      const parsed = ocsfDetectionFindingSchema.safeParse(toOcsf(f));
      expect(parsed.success, `${f.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('maps severity, status, times and the product', () => {
    const e = toOcsf(dnsC2(), { productVersion: '0.1.0' });
    expect(e).toMatchObject({
      class_uid: 2004,
      class_name: 'Detection Finding',
      category_uid: 2,
      category_name: 'Findings',
      activity_id: 2,
      type_uid: 200402,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      time: Date.parse('2025-02-01T12:30:00.000Z'),
      start_time: Date.parse('2025-02-01T10:00:00.000Z'),
      metadata: { version: OCSF_VERSION, product: { name: 'Loupe', vendor_name: 'Loupe', version: '0.1.0' } },
      cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: ACCOUNT, type_id: 10 } },
      finding_info: {
        uid: 'f-dns',
        types: ['Backdoor:EC2/C&CActivity.B!DNS'],
        attacks: [{ tactic: { uid: 'TA0011', name: 'Command and Control' } }],
      },
    });
    expect(toOcsf(sshBruteForce()).severity_id).toBe(2);
  });

  it('puts the indicators in observables and evidences', () => {
    const dns = toOcsf(dnsC2());
    expect(dns['observables']).toContainEqual({
      name: 'evidences.query.hostname',
      type_id: 1,
      type: 'Hostname',
      value: 'c2.guarddutyc2activityb.com',
    });
    expect(dns['evidences']).toEqual([
      { query: { hostname: 'c2.guarddutyc2activityb.com' }, src_endpoint: { ip: '10.0.1.5', instance_uid: 'i-0dns' } },
    ]);

    const ssh = toOcsf(sshBruteForce());
    expect(ssh['observables']).toContainEqual({
      name: 'evidences.src_endpoint.ip',
      type_id: 2,
      type: 'IP Address',
      value: '198.51.100.7',
    });
    expect((ssh['evidences'] as Array<Record<string, unknown>>)[0]).toMatchObject({
      src_endpoint: { ip: '198.51.100.7', port: 46717 },
      dst_endpoint: { ip: '10.0.1.5', port: 22, instance_uid: 'i-0ssh' },
      connection_info: { direction: 'Inbound', direction_id: 1, protocol_name: 'tcp' },
    });

    const tor = toOcsf(torCallerRole());
    expect(tor['observables']).toContainEqual({
      name: 'evidences.actor.user.credential_uid',
      type_id: 19,
      type: 'User Credential ID',
      value: 'ASIAEXAMPLE0001',
    });
    expect(tor['resources']).toEqual([
      expect.objectContaining({ uid: 'ASIAEXAMPLE0001', type: 'AWS::IAM::AccessKey', name: 'deploy-role' }),
    ]);

    expect((toOcsf(bucketPublic())['resources'] as Array<{ type: string }>).map((r) => r.type)).toEqual([
      'AWS::S3::Bucket',
      'AWS::IAM::AccessKey',
    ]);
  });

  it('reflects the analyst status and archive state', () => {
    const state = emptyCaseState('c');
    state.findings['f-ssh'] = {
      status: 'investigating',
      comments: [{ id: 'c', text: 'on it', createdAt: '2025-02-02T00:00:00Z' }],
      tags: [],
      updatedAt: '2025-02-02T00:00:00Z',
    };
    expect(toOcsf(sshBruteForce(), { caseState: state })).toMatchObject({
      status_id: 2,
      status: 'In Progress',
      comment: 'on it',
    });
    const archived = { ...sshBruteForce(), service: { ...sshBruteForce().service, archived: true } };
    expect(toOcsf(archived)).toMatchObject({ status_id: 3, status: 'Suppressed' });
  });
});
