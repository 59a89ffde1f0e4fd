import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCT, INSTANCE, OTHER_ACCT, openFixtureCase, type FixtureCase } from './case-fixture';
import { caller } from './call';

let fx: FixtureCase;
let call: ReturnType<typeof caller>;
beforeAll(async () => {
  fx = await openFixtureCase();
  call = caller(fx.db);
});
afterAll(() => fx.db.close());

describe('accounts:overview', () => {
  it('counts findings by severity per account and region next to the events there', async () => {
    const { rows } = await call('accounts:overview', {});
    expect(rows[0]).toMatchObject({
      accountId: ACCT,
      region: 'us-east-1',
      Low: 2,
      Medium: 0,
      High: 1,
      Critical: 0,
      findings: 3,
    });
    // 10 CloudTrail events (one by a service principal), 8 flows, 3 queries.
    expect(rows[0]!.events).toBe(10 + 8 + 3);
    expect(rows[0]!.lastSeen).toBe('2026-03-01T16:30:00.000Z');
    // The other account has events but only an archived finding.
    expect(rows.find((r) => r.accountId === OTHER_ACCT)).toMatchObject({
      region: 'eu-west-1',
      findings: 0,
      events: 2,
      lastSeen: null,
    });
    const archived = await call('accounts:overview', { archived: 'only' });
    expect(archived.rows.find((r) => r.accountId === OTHER_ACCT && r.findings > 0)).toMatchObject({
      Medium: 1,
      region: 'us-east-1',
    });
  });
});

describe('findings:groups', () => {
  it('groups by type, most severe first, honouring the filter', async () => {
    const byType = await call('findings:groups', { by: 'type' });
    expect(byType.total).toBe(3);
    expect(byType.groups.map((g) => g.key)).toEqual([
      'Backdoor:EC2/C&CActivity.B!DNS',
      'Policy:S3/BucketBlockPublicAccessDisabled',
      'Stealth:IAMUser/CloudTrailLoggingDisabled',
    ]);
    expect(byType.groups[0]).toMatchObject({
      findings: 1,
      occurrences: 2,
      maxSeverity: 8,
      resourceType: null,
      lastSeen: '2026-03-01T16:30:00.000Z',
    });
    const low = await call('findings:groups', { by: 'type', filter: { severities: ['Low'] } });
    expect(low.groups.map((g) => g.key)).toHaveLength(2);
    const all = await call('findings:groups', { by: 'type', filter: { archived: 'include' } });
    expect(all.total).toBe(4);
  });

  it('groups by resource with its type, and filters by text and time', async () => {
    const byResource = await call('findings:groups', {
      by: 'resource',
      filter: { archived: 'include', accounts: [ACCT] },
    });
    expect(byResource.groups.map((g) => [g.key, g.resourceType])).toEqual([
      [INSTANCE, 'Instance'],
      ['ASIAROOT000000000001', 'AccessKey'],
      ['finance-data', 'S3Bucket'],
    ]);
    const text = await call('findings:groups', { by: 'resource', filter: { text: 'FINANCE' } });
    expect(text.groups.map((g) => g.key)).toEqual(['finance-data']);
    const late = await call('findings:groups', { by: 'resource', filter: { from: '2026-03-01T15:00:00Z' } });
    expect(late.groups.map((g) => g.key)).toEqual([INSTANCE]);
  });
});
