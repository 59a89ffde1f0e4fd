import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLabel } from '../../../electron/engine/investigate/graph';
import {
  ALICE,
  ACCT,
  ADMIN_ROLE,
  C2_DOMAIN,
  INSTANCE,
  ROOT,
  WEB_ROLE,
  openFixtureCase,
  type FixtureCase,
} from './case-fixture';
import { caller } from './call';

let fx: FixtureCase;
let call: ReturnType<typeof caller>;
beforeAll(async () => {
  fx = await openFixtureCase();
  call = caller(fx.db);
});
afterAll(() => fx.db.close());

const edge = (
  g: { edges: Array<{ source: string; target: string; relation: string; count: number }> },
  source: string,
  relation: string,
  target: string,
) => g.edges.find((e) => e.source === source && e.target === target && e.relation === relation);

describe('graph:neighborhood', () => {
  it('links a principal to its addresses, keys, buckets and account, weighted by event count', async () => {
    const g = await call('graph:neighborhood', { seeds: [{ kind: 'principal', value: ALICE }] });
    const me = `principal:${ALICE}`;
    expect(g.nodes.find((n) => n.id === me)).toMatchObject({ seed: true, label: 'alice', weight: 6 + 6 + 2 + 1 + 6 });
    expect(edge(g, me, 'called from', 'ip:198.51.100.7')?.count).toBe(6);
    expect(edge(g, me, 'used key', 'accessKey:AKIAALICE00000000001')?.count).toBe(6);
    expect(edge(g, me, 'read', 'bucket:finance-data')?.count).toBe(2);
    expect(edge(g, me, 'wrote', 'bucket:finance-data')?.count).toBe(1);
    expect(edge(g, me, 'in account', `account:${ACCT}`)?.count).toBe(6);
    expect(g.nodes.some((n) => n.kind === 'more')).toBe(false);
    // The bucket has a finding about it: highlighted with its severity.
    expect(g.nodes.find((n) => n.id === 'bucket:finance-data')).toMatchObject({
      severity: 'Low',
      findingIds: ['f-bucket'],
      findingTypes: ['Policy:S3/BucketBlockPublicAccessDisabled'],
    });
  });

  it('caps each seed at `limit` edges with a "+N more" node, and pages on with the offset', async () => {
    const me = `principal:${ALICE}`;
    const first = await call('graph:neighborhood', { seeds: [{ kind: 'principal', value: ALICE }], limit: 2 });
    expect(first.edges.filter((e) => e.relation !== 'more')).toHaveLength(2);
    const more = first.nodes.find((n) => n.kind === 'more')!;
    expect(more).toMatchObject({ parent: me, hidden: 3, nextOffset: 2, label: '+3 more' });
    expect(edge(first, me, 'more', more.id)?.count).toBe(3);
    const next = await call('graph:neighborhood', {
      seeds: [{ kind: 'principal', value: ALICE }],
      limit: 2,
      offset: 2,
    });
    const firstIds = new Set(first.edges.map((e) => e.id));
    const nextEdges = next.edges.filter((e) => e.relation !== 'more');
    expect(nextEdges).toHaveLength(2);
    for (const e of nextEdges) expect(firstIds.has(e.id)).toBe(false);
    expect(next.nodes.find((n) => n.kind === 'more')).toMatchObject({ hidden: 1, nextOffset: 4 });
  });

  it('follows instance credentials, role assumption, flows and DNS', async () => {
    const inst = await call('graph:neighborhood', { seeds: [{ kind: 'instance', value: INSTANCE }] });
    const me = `instance:${INSTANCE}`;
    expect(edge(inst, me, 'instance role', `principal:${WEB_ROLE}`)?.count).toBe(1);
    expect(edge(inst, me, 'connected to', 'ip:203.0.113.50')?.count).toBe(5);
    expect(edge(inst, me, 'connected to', 'ip:198.51.100.99')?.count).toBe(3);
    expect(edge(inst, me, 'resolved', `domain:${C2_DOMAIN}`)?.count).toBe(2);
    expect(inst.nodes.find((n) => n.id === me)).toMatchObject({
      severity: 'High',
      findingIds: ['f-c2'],
      findingTypes: ['Backdoor:EC2/C&CActivity.B!DNS'],
    });
    expect(inst.nodes.find((n) => n.id === `domain:${C2_DOMAIN}`)?.severity).toBe('High');

    const bob = await call('graph:neighborhood', {
      seeds: [{ kind: 'principal', value: `arn:aws:iam::${ACCT}:user/bob` }],
    });
    expect(edge(bob, `principal:arn:aws:iam::${ACCT}:user/bob`, 'assumed', `principal:${ADMIN_ROLE}`)?.count).toBe(1);
  });

  it('starts from the entities of the most severe findings when no seed is given', async () => {
    const g = await call('graph:neighborhood', {});
    const seedIds = g.seeds.map((s) => `${s.kind}:${s.value}`);
    expect(seedIds[0]).toMatch(/^(instance|domain):/);
    expect(seedIds).toEqual(
      expect.arrayContaining([
        `instance:${INSTANCE}`,
        `domain:${C2_DOMAIN}`,
        `principal:${ROOT}`,
        'bucket:finance-data',
      ]),
    );
    // Archived findings (carol's) do not seed the graph.
    expect(seedIds.some((s) => s.includes('AKIACAROL'))).toBe(false);
    expect(g.nodes.find((n) => n.id === `principal:${ROOT}`)).toMatchObject({ severity: 'Low', seed: true });
  });

  it('returns the seed alone when nothing in scope touches it', async () => {
    const g = await call('graph:neighborhood', { seeds: [{ kind: 'ip', value: '192.0.2.250' }] });
    expect(g.nodes.map((n) => n.id)).toEqual(['ip:192.0.2.250']);
    expect(g.edges).toEqual([]);
  });

  it('honours the time scope', async () => {
    const g = await call('graph:neighborhood', {
      seeds: [{ kind: 'principal', value: ALICE }],
      scope: { from: '2026-03-01T10:15:00Z', to: '2026-03-01T11:00:00Z' },
    });
    expect(edge(g, `principal:${ALICE}`, 'called from', 'ip:198.51.100.7')?.count).toBe(3);
  });
});

describe('nodeLabel', () => {
  it('shortens ARNs to what a responder recognises', () => {
    expect(nodeLabel('principal', ROOT)).toBe(`root (${ACCT})`);
    expect(nodeLabel('principal', WEB_ROLE)).toBe('role/web');
    expect(nodeLabel('principal', ALICE)).toBe('alice');
    expect(nodeLabel('ip', '203.0.113.5')).toBe('203.0.113.5');
  });
});

describe('graph seeds named the way findings name principals', () => {
  it('resolves a user name or principal id to the principal ARN node', async () => {
    const g = await call('graph:neighborhood', { seeds: [{ kind: 'principal', value: 'alice' }] });
    expect(g.seeds).toEqual([{ kind: 'principal', value: ALICE }]);
    expect(edge(g, `principal:${ALICE}`, 'called from', 'ip:198.51.100.7')?.count).toBe(6);
  });
});

describe('graph second hop', () => {
  it('reaches the neighbours of the principal behind an access key', async () => {
    const one = await call('graph:neighborhood', { seeds: [{ kind: 'accessKey', value: 'AKIAALICE00000000001' }] });
    expect(one.nodes.map((n) => n.id).sort()).toEqual(['accessKey:AKIAALICE00000000001', `principal:${ALICE}`]);
    const two = await call('graph:neighborhood', {
      seeds: [{ kind: 'accessKey', value: 'AKIAALICE00000000001' }],
      hops: 2,
    });
    expect(edge(two, `principal:${ALICE}`, 'called from', 'ip:198.51.100.7')?.count).toBe(6);
    expect(edge(two, `principal:${ALICE}`, 'read', 'bucket:finance-data')?.count).toBe(2);
    expect(two.seeds).toEqual([{ kind: 'accessKey', value: 'AKIAALICE00000000001' }]);
  });
});

describe('public address test used for flows', () => {
  it('agrees with the ip4_is_public macro on IPv4 and keeps private IPv6 out', async () => {
    const { isPublic } = await import('../../../electron/engine/investigate/graph');
    const addresses = [
      '8.8.8.8',
      '10.0.0.5',
      '10.255.255.255',
      '11.0.0.1',
      '172.15.0.1',
      '172.16.0.1',
      '172.31.255.1',
      '172.32.0.1',
      '192.168.1.1',
      '192.169.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.63.0.1',
      '100.64.0.1',
      '100.127.255.1',
      '100.128.0.1',
      '0.1.2.3',
      '223.255.255.255',
      '224.0.0.1',
      '255.255.255.255',
      '203.0.113.50',
    ];
    const rows = await fx.db.all<{ a: string; mine: boolean; macro: boolean }>(
      `SELECT a, ${isPublic('a')} AS mine, ip4_is_public(a) AS macro FROM (SELECT unnest(from_json($list, '["VARCHAR"]')) AS a)`,
      { list: JSON.stringify(addresses) },
    );
    expect(rows).toHaveLength(addresses.length);
    for (const r of rows) expect(r.mine, r.a).toBe(r.macro);
    const v6 = await fx.db.all<{ a: string; p: boolean }>(
      `SELECT a, ${isPublic('a')} AS p FROM (SELECT unnest(['2600:1f18::1', 'fd00::1', 'fe80::1', '::1', 'not-an-ip']) AS a)`,
    );
    expect(Object.fromEntries(v6.map((r) => [r.a, r.p]))).toEqual({
      '2600:1f18::1': true,
      'fd00::1': false,
      'fe80::1': false,
      '::1': false,
      'not-an-ip': false,
    });
  });
});
