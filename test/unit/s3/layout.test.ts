import { describe, expect, it } from 'vitest';
import {
  TIME_SLACK_MS,
  calendarPrefixes,
  describeKey,
  keySelected,
  normalizeFilters,
  parseBound,
} from '../../../electron/engine/locate/s3/layout';
import type { KeyFilters } from '../../../electron/engine/locate/s3/layout';
import { LoupeError } from '../../../shared/errors';

const t = (iso: string): number => Date.parse(iso);

describe('calendarPrefixes', () => {
  it('uses one month folder for a whole month', () => {
    expect(calendarPrefixes(t('2024-02-01T00:00:00Z'), t('2024-02-29T23:59:59Z'))).toEqual(['2024/02/']);
  });

  it('uses day folders for partial months and month folders between', () => {
    expect(calendarPrefixes(t('2024-01-30T10:00:00Z'), t('2024-03-02T01:00:00Z'))).toEqual([
      '2024/01/30/',
      '2024/01/31/',
      '2024/02/',
      '2024/03/01/',
      '2024/03/02/',
    ]);
  });

  it('uses a year folder for a whole year, across year ends', () => {
    expect(calendarPrefixes(t('2022-12-31T00:00:00Z'), t('2024-01-01T05:00:00Z'))).toEqual([
      '2022/12/31/',
      '2023/',
      '2024/01/01/',
    ]);
  });

  it('writes Hive-style partitions', () => {
    expect(calendarPrefixes(t('2024-02-28T00:00:00Z'), t('2024-03-31T00:00:00Z'), 'hive')).toEqual([
      'year=2024/month=02/day=28/',
      'year=2024/month=02/day=29/',
      'year=2024/month=03/',
    ]);
  });

  it('gives a single day for a range inside one day and nothing for an inverted range', () => {
    expect(calendarPrefixes(t('2024-02-10T01:00:00Z'), t('2024-02-10T02:00:00Z'))).toEqual(['2024/02/10/']);
    expect(calendarPrefixes(t('2024-02-10T00:00:00Z'), t('2024-02-09T00:00:00Z'))).toEqual([]);
  });
});

describe('parseBound and normalizeFilters', () => {
  it('reads a date alone as the whole day', () => {
    expect(parseBound('2024-02-10', 'from')).toBe(t('2024-02-10T00:00:00Z'));
    expect(parseBound('2024-02-10', 'to')).toBe(t('2024-02-10T23:59:59.999Z'));
    expect(parseBound('2024-02-10T12:30:00+02:00', 'from')).toBe(t('2024-02-10T10:30:00Z'));
  });

  it.each(['2024-02-30', '10/02/2024', 'yesterday', '2024-13-01'])('refuses the date %s', (value) => {
    expect(() => parseBound(value, 'from')).toThrow(LoupeError);
  });

  it('validates accounts, regions, sources and the order of the range', () => {
    const codeOf = (input: Parameters<typeof normalizeFilters>[0]): string | undefined => {
      try {
        normalizeFilters(input);
        return undefined;
      } catch (e) {
        return (e as LoupeError).code;
      }
    };
    expect(codeOf({ accounts: ['12345'] })).toBe('INVALID_INPUT');
    expect(codeOf({ accounts: ['123456789012/../'] })).toBe('INVALID_INPUT');
    expect(codeOf({ regions: ['us-east-1/'] })).toBe('INVALID_INPUT');
    expect(codeOf({ sources: ['elb' as 'dns'] })).toBe('INVALID_INPUT');
    expect(codeOf({ from: '2024-03-01', to: '2024-02-01' })).toBe('INVALID_INPUT');
    expect(codeOf({ accounts: [' 123456789012 '], regions: ['us-gov-west-1', 'eu-central-2'] })).toBeUndefined();
  });

  it('defaults to every source and no bounds', () => {
    expect(normalizeFilters({ accounts: [] })).toEqual({
      accounts: null,
      regions: null,
      sources: ['cloudtrail', 'vpcflow', 'dns'],
      fromMs: null,
      toMs: null,
    });
  });
});

describe('describeKey', () => {
  it('reads CloudTrail keys, with and without an organisation folder', () => {
    const key =
      'trail/AWSLogs/o-abcdefghij/123456789012/CloudTrail/eu-west-1/2024/02/10/123456789012_CloudTrail_eu-west-1_20240210T1005Z_AbCd.json.gz';
    expect(describeKey(key)).toEqual({
      source: 'cloudtrail',
      account: '123456789012',
      region: 'eu-west-1',
      dayMs: t('2024-02-10T00:00:00Z'),
      fileMs: t('2024-02-10T10:05:00Z'),
    });
  });

  it('reads flow log keys with hour folders and Hive partitions', () => {
    const hourly =
      'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/02/10/09/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20240210T0955Z_a1b2.log.gz';
    expect(describeKey(hourly)).toMatchObject({
      source: 'vpcflow',
      region: 'us-east-1',
      fileMs: t('2024-02-10T09:55:00Z'),
    });
    const hive =
      'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-west-2/year=2024/month=02/day=10/x.log.gz';
    expect(describeKey(hive)).toEqual({
      source: 'vpcflow',
      account: '123456789012',
      region: 'us-west-2',
      dayMs: t('2024-02-10T00:00:00Z'),
    });
  });

  it('reads DNS keys by VPC and file names outside the layout', () => {
    expect(
      describeKey(
        'AWSLogs/123456789012/vpcdnsquerylogs/vpc-0abc/2024/02/10/123456789012_vpcdnsquerylogs_vpc-0abc_20240210T1010Z_ff.log.gz',
      ),
    ).toMatchObject({ source: 'dns', vpcId: 'vpc-0abc' });
    expect(describeKey('copies/123456789012_CloudTrail_ap-south-1_20240210T1010Z_ff.json.gz')).toEqual({
      source: 'cloudtrail',
      account: '123456789012',
      region: 'ap-south-1',
      fileMs: t('2024-02-10T10:10:00Z'),
    });
  });

  it('marks other AWSLogs services as unreadable', () => {
    expect(
      describeKey(
        'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/02/10/123456789012_CloudTrail-Digest_x.json.gz',
      ).source,
    ).toBeNull();
  });
});

describe('keySelected', () => {
  const filters = (over: Partial<KeyFilters>): KeyFilters => ({
    accounts: null,
    regions: null,
    sources: ['cloudtrail', 'vpcflow', 'dns'],
    fromMs: null,
    toMs: null,
    ...over,
  });
  const ct = (region: string, stamp: string, day = stamp.slice(0, 10).replace(/-/g, '/')): string =>
    `AWSLogs/123456789012/CloudTrail/${region}/${day}/123456789012_CloudTrail_${region}_${stamp.replace(/[-:]/g, '').slice(0, 13)}Z_x.json.gz`;

  it('keeps files within the range plus the delivery slack', () => {
    const f = filters({ fromMs: t('2024-02-01T00:00:00Z'), toMs: t('2024-02-29T23:59:59.999Z') });
    expect(keySelected(ct('us-east-1', '2024-02-14T12:00'), f)).toBe(true);
    expect(keySelected(ct('us-east-1', '2024-01-31T23:30'), f)).toBe(true);
    expect(keySelected(ct('us-east-1', '2024-01-31T22:30'), f)).toBe(false);
    expect(keySelected(ct('us-east-1', '2024-03-01T00:50'), f)).toBe(true);
    expect(keySelected(ct('us-east-1', '2024-03-01T01:10'), f)).toBe(false);
    expect(TIME_SLACK_MS).toBe(3_600_000);
  });

  it('filters by account, region and source, and skips folder markers and digests', () => {
    expect(keySelected(ct('eu-west-1', '2024-02-14T12:00'), filters({ regions: ['us-east-1'] }))).toBe(false);
    expect(keySelected(ct('eu-west-1', '2024-02-14T12:00'), filters({ accounts: ['999999999999'] }))).toBe(false);
    expect(keySelected(ct('eu-west-1', '2024-02-14T12:00'), filters({ sources: ['dns'] }))).toBe(false);
    expect(keySelected('AWSLogs/123456789012/CloudTrail/', filters({}))).toBe(false);
    expect(keySelected('AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/02/10/d.json.gz', filters({}))).toBe(
      false,
    );
  });

  it('lets keys it knows nothing about through every filter', () => {
    const f = filters({ accounts: ['999999999999'], regions: ['us-east-1'], fromMs: t('2024-02-01T00:00:00Z') });
    expect(keySelected('exports/incident/events.json.gz', f)).toBe(true);
  });

  it('does not filter DNS keys by region', () => {
    const key =
      'AWSLogs/123456789012/vpcdnsquerylogs/vpc-0abc/2024/02/10/123456789012_vpcdnsquerylogs_vpc-0abc_20240210T1010Z_f.log.gz';
    expect(keySelected(key, filters({ regions: ['eu-west-1'] }))).toBe(true);
  });
});
