import { describe, expect, it } from 'vitest';
import { findingEntities } from '../../../renderer/src/features/findings/entities';
import { formatCompact, formatDuration, formatTick, formatTime, prettyJson } from '../../../renderer/src/lib/format';
import { severityOf } from '../../../renderer/src/lib/severity';

describe('formatting', () => {
  it('prints UTC by default and the local zone with its offset on request', () => {
    expect(formatTime('2026-03-01T10:05:09.000Z', 'UTC')).toBe('2026-03-01 10:05:09Z');
    expect(formatTime('2026-03-01T10:05:09.000Z', 'UTC', { seconds: false })).toBe('2026-03-01 10:05Z');
    expect(formatTime('2026-03-01T10:05:09.000Z', 'local')).toMatch(/^2026-03-0[12] \d\d:\d\d:09 [+-]\d\d:\d\d$/);
    expect(formatTime(null, 'UTC')).toBe('—');
    expect(formatTime('not a time', 'UTC')).toBe('not a time');
  });

  it('labels axes with only as much date as the span needs', () => {
    const ms = Date.parse('2026-03-01T10:05:09Z');
    expect(formatTick(ms, 30 * 86_400, 'UTC')).toBe('2026-03-01');
    expect(formatTick(ms, 2 * 86_400, 'UTC')).toBe('03-01 10:05');
    expect(formatTick(ms, 3600, 'UTC')).toBe('10:05');
    expect(formatTick(ms, 60, 'UTC')).toBe('10:05:09');
  });

  it('reads bucket sizes and counts the way people say them', () => {
    expect(formatDuration(900)).toBe('15 min');
    expect(formatDuration(21_600)).toBe('6 h');
    expect(formatDuration(604_800)).toBe('1 w');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(7460)).toBe('7.5k');
    expect(formatCompact(20_366)).toBe('20k');
    expect(formatCompact(1_250_000)).toBe('1.3M');
  });

  it('pretty-prints raw JSON text and leaves other text alone', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('plain text')).toBe('plain text');
  });

  it('bands severities as GuardDuty does', () => {
    expect(severityOf(9).label).toBe('Critical');
    expect(severityOf(8.9).label).toBe('High');
    expect(severityOf(4).label).toBe('Medium');
    expect(severityOf(3.9)).toEqual({ label: 'Low', className: 'sev-low', text: '3.9' });
  });
});

describe('finding entities for pivots', () => {
  it('collects every entity a finding names, once each', () => {
    const entities = findingEntities({
      accountId: '111122223333',
      resource: {
        accessKeyDetails: { accessKeyId: 'AKIA1', userName: 'alice' },
        instanceDetails: { instanceId: 'i-0abc' },
        s3BucketDetails: [{ name: 'b1' }, { name: 'b2' }, { name: 'b1' }],
      },
      service: {
        action: {
          networkConnectionAction: {
            remoteIpDetails: { ipAddressV4: '203.0.113.5' },
            localIpDetails: { ipAddressV4: '10.0.0.5' },
          },
          portProbeAction: {
            portProbeDetails: [
              { remoteIpDetails: { ipAddressV4: '203.0.113.5' } },
              { remoteIpDetails: { ipAddressV4: '198.51.100.1' } },
            ],
          },
          dnsRequestAction: { domain: 'c2.example.com' },
        },
      },
    });
    expect(entities.map((e) => `${e.kind}:${e.value}`)).toEqual([
      'principal:alice',
      'accessKey:AKIA1',
      'instance:i-0abc',
      'bucket:b1',
      'bucket:b2',
      'ip:203.0.113.5',
      'ip:198.51.100.1',
      'ip:10.0.0.5',
      'domain:c2.example.com',
      'account:111122223333',
    ]);
  });
});
