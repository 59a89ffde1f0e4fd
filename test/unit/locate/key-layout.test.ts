import { describe, expect, it } from 'vitest';
import { parseKeyLayout } from '../../../electron/engine/locate/key-layout';

describe('parseKeyLayout', () => {
  it.each([
    [
      '/x/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/01/111122223333_CloudTrail_eu-west-1_20260301T0005Z_ab.json.gz',
      { accountId: '111122223333', region: 'eu-west-1', service: 'cloudtrail', vpcId: null },
    ],
    [
      's3://b/p/AWSLogs/o-abcdef1234/444455556666/CloudTrail/us-east-1/2026/03/01/f.json.gz',
      { accountId: '444455556666', region: 'us-east-1', service: 'cloudtrail', vpcId: null },
    ],
    [
      'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/03/01/d.json.gz',
      { accountId: '111122223333', region: 'us-east-1', service: 'cloudtrail-digest', vpcId: null },
    ],
    [
      'C:\\cases\\AWSLogs\\111122223333\\vpcflowlogs\\ap-south-1\\2026\\03\\01\\x.log.gz',
      { accountId: '111122223333', region: 'ap-south-1', service: 'vpcflow', vpcId: null },
    ],
    [
      'AWSLogs/111122223333/vpcdnsquerylogs/vpc-0abc/2026/03/01/x.log.gz',
      { accountId: '111122223333', region: null, service: 'dns', vpcId: 'vpc-0abc' },
    ],
    [
      'AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=us-west-2/year=2026/f.parquet',
      { accountId: '111122223333', region: 'us-west-2', service: 'vpcflow', vpcId: null },
    ],
    [
      '/a.zip!/111122223333_CloudTrail_sa-east-1_20260301T0005Z_ab.json.gz',
      { accountId: '111122223333', region: 'sa-east-1', service: 'cloudtrail', vpcId: null },
    ],
    ['/tmp/export.json', { accountId: null, region: null, service: null, vpcId: null }],
    ['AWSLogs/12345/CloudTrail/us-east-1/f.json', { accountId: null, region: null, service: null, vpcId: null }],
  ])('%s', (path, expected) => {
    expect(parseKeyLayout(path)).toEqual(expected);
  });
});
