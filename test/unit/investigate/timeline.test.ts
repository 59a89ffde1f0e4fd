import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { niceStep } from '../../../electron/engine/investigate/timeline';
import { ACCT, ALICE, INSTANCE, OTHER_ACCT, ROOT, openFixtureCase, type FixtureCase } from './case-fixture';
import { caller } from './call';

let fx: FixtureCase;
let call: ReturnType<typeof caller>;
beforeAll(async () => {
  fx = await openFixtureCase();
  call = caller(fx.db);
});
afterAll(() => fx.db.close());

const sum = (
  rows: Array<{ cloudtrail: number; vpcflow: number; dns: number }>,
  key: 'cloudtrail' | 'vpcflow' | 'dns',
) => rows.reduce((n, r) => n + r[key], 0);

describe('niceStep', () => {
  it('picks the smallest readable width that keeps the bucket count under the target', () => {
    expect(niceStep(3600, 60)).toBe(60);
    expect(niceStep(3600, 100)).toBe(60);
    expect(niceStep(86_400, 100)).toBe(900);
    expect(niceStep(30 * 86_400, 20)).toBe(172_800);
    expect(niceStep(365 * 86_400, 10)).toBe(604_800 * 6);
  });
});

describe('timeline:histogram', () => {
  it('counts every event per source over the data extent, in buckets no more than asked for', async () => {
    const h = await call('timeline:histogram', { buckets: 60 });
    expect(h.sources).toEqual(['cloudtrail', 'vpcflow', 'dns']);
    expect(h.buckets.length).toBeLessThanOrEqual(61);
    expect(h.buckets.length).toBeGreaterThan(10);
    expect(sum(h.buckets, 'cloudtrail')).toBe(fx.counts.cloudtrail);
    expect(sum(h.buckets, 'vpcflow')).toBe(fx.counts.vpcflow);
    expect(sum(h.buckets, 'dns')).toBe(fx.counts.dns);
    expect(h.total).toBe(fx.counts.cloudtrail + fx.counts.vpcflow + fx.counts.dns);
    // Consecutive buckets, one step apart.
    const starts = h.buckets.map((b) => Date.parse(b.start));
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(h.bucketSeconds * 1000);
    expect(Date.parse(h.from!)).toBeLessThanOrEqual(Date.parse('2026-03-01T10:00:00Z'));
  });

  it('puts finding markers in the bucket of their first sighting, by severity, without archived findings', async () => {
    const h = await call('timeline:histogram', { buckets: 200 });
    const ids = h.markers.flatMap((m) => m.findingIds);
    expect(ids.sort()).toEqual(['f-bucket', 'f-c2', 'f-stoplogging']);
    const c2 = h.markers.find((m) => m.findingIds.includes('f-c2'))!;
    expect(c2.severity).toBe('High');
    expect(Date.parse(c2.start)).toBeLessThanOrEqual(Date.parse('2026-03-01T16:00:00Z'));
    expect(Date.parse(c2.start) + h.bucketSeconds * 1000).toBeGreaterThan(Date.parse('2026-03-01T16:00:00Z'));
    expect(h.markers.find((m) => m.findingIds.includes('f-stoplogging'))!.severity).toBe('Low');
  });

  it('zooms: a narrow range gets fine buckets and only the events inside it', async () => {
    const h = await call('timeline:histogram', {
      scope: { from: '2026-03-01T10:00:00Z', to: '2026-03-01T11:00:00Z' },
      buckets: 60,
    });
    expect(h.bucketSeconds).toBe(60);
    expect(h.buckets).toHaveLength(60);
    expect(sum(h.buckets, 'cloudtrail')).toBe(6);
    expect(sum(h.buckets, 'vpcflow') + sum(h.buckets, 'dns')).toBe(0);
    expect(h.buckets.find((b) => b.start === '2026-03-01T10:20:00.000Z')?.cloudtrail).toBe(1);
    expect(h.markers.flatMap((m) => m.findingIds)).toEqual(['f-bucket']);
  });

  it('narrows to one entity across sources', async () => {
    const alice = await call('timeline:histogram', { scope: { entity: { kind: 'principal', value: ALICE } } });
    expect(sum(alice.buckets, 'cloudtrail')).toBe(6);
    expect(alice.sources).toEqual(['cloudtrail', 'vpcflow', 'dns']);
    expect(sum(alice.buckets, 'vpcflow')).toBe(0);

    const instance = await call('timeline:histogram', { scope: { entity: { kind: 'instance', value: INSTANCE } } });
    expect(sum(instance.buckets, 'cloudtrail')).toBe(1);
    expect(sum(instance.buckets, 'vpcflow')).toBe(8);
    expect(sum(instance.buckets, 'dns')).toBe(3);
    expect(instance.markers.flatMap((m) => m.findingIds)).toEqual(['f-c2']);

    const root = await call('timeline:histogram', { scope: { entity: { kind: 'principal', value: ROOT } } });
    expect(root.markers.flatMap((m) => m.findingIds)).toEqual(['f-stoplogging']);
  });

  it('filters by account and by source', async () => {
    const other = await call('timeline:histogram', { scope: { accounts: [OTHER_ACCT] } });
    expect(sum(other.buckets, 'cloudtrail')).toBe(2);
    expect(other.total).toBe(2);
    expect(other.markers).toEqual([]);
    const flows = await call('timeline:histogram', { scope: { sources: ['vpcflow'], accounts: [ACCT] } });
    expect(flows.sources).toEqual(['vpcflow']);
    expect(flows.total).toBe(8);
  });

  it('returns an empty histogram when nothing matches', async () => {
    const h = await call('timeline:histogram', { scope: { entity: { kind: 'ip', value: '192.0.2.250' } } });
    expect(h.buckets).toEqual([]);
    expect(h.total).toBe(0);
  });

  it('refuses a start that is not a time, naming it', async () => {
    await expect(call('timeline:histogram', { scope: { from: 'yesterday-ish' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('yesterday-ish'),
    });
  });
});

describe('timeline:events', () => {
  it('pages events oldest first across sources with a summary and the raw record', async () => {
    const first = await call('timeline:events', { limit: 5 });
    expect(first.total).toBe(fx.counts.cloudtrail + fx.counts.vpcflow + fx.counts.dns);
    expect(first.rows).toHaveLength(5);
    expect(first.rows[0]).toMatchObject({
      source: 'cloudtrail',
      eventUid: 'ct-1',
      eventTime: '2026-03-01T10:00:00.000Z',
      accountId: ACCT,
      actor: ALICE,
    });
    expect(first.rows[0]!.summary).toContain('ListBuckets');
    expect(JSON.parse(first.rows[0]!.raw)).toMatchObject({ eventID: 'ct-1' });
    const times = first.rows.map((r) => Date.parse(r.eventTime!));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('shows flow records with their addresses and their row as raw JSON', async () => {
    const flows = await call('timeline:events', { scope: { sources: ['vpcflow'] }, limit: 100 });
    expect(flows.total).toBe(8);
    expect(flows.rows[0]!.summary).toContain('10.0.0.5:40000 → 203.0.113.50:443');
    expect(JSON.parse(flows.rows[0]!.raw)).toMatchObject({ srcaddr: '10.0.0.5', dstport: 443 });
    const second = await call('timeline:events', { scope: { sources: ['vpcflow'] }, offset: 5, limit: 100 });
    expect(second.rows.map((r) => r.eventUid)).toEqual(['2:7', '2:8', '2:9']);
  });

  it('pages through every event exactly once, in the order one big page has', async () => {
    const all = await call('timeline:events', { limit: 1000 });
    expect(all.rows).toHaveLength(all.total);
    const paged: string[] = [];
    for (let offset = 0; offset < all.total; offset += 3) {
      const page = await call('timeline:events', { offset, limit: 3 });
      expect(page.total).toBe(all.total);
      paged.push(...page.rows.map((r) => `${r.source}/${r.eventUid}`));
    }
    expect(paged).toEqual(all.rows.map((r) => `${r.source}/${r.eventUid}`));
    expect(new Set(paged).size).toBe(all.total);
  });

  it('keeps only the events of a domain', async () => {
    const c2 = await call('timeline:events', {
      scope: { entity: { kind: 'domain', value: 'GuardDutyC2ActivityB.com' } },
    });
    expect(c2.rows.map((r) => r.eventUid)).toEqual(['3:1', '3:2']);
  });
});
