import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityRef, Scope } from '../../../shared/api/investigate';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import { graphNeighborhood } from '../../../electron/engine/investigate/graph';
import { refreshRollups, rollupReady } from '../../../electron/engine/investigate/rollups';
import { resolveSources } from '../../../electron/engine/investigate/sources';
import { timelineEvents, timelineHistogram } from '../../../electron/engine/investigate/timeline';
import { ACCT, ALICE, INSTANCE, OTHER_ACCT, WEB_ROLE, openFixtureCase, type FixtureCase } from './case-fixture';

/**
 * The rollups are a faster route to the same answers: every call here runs once reading the
 * event tables (`rollups: false`) and once through the rollups, and the two must be equal.
 */
let fx: FixtureCase;
beforeAll(async () => {
  fx = await openFixtureCase();
  // Events off the minute, so range boundaries cut through minutes that also hold other events.
  await addEvents(fx.db, [
    ['2026-03-01T10:05:30Z', ACCT],
    ['2026-03-01T10:05:45Z', OTHER_ACCT],
    ['2026-03-01T14:02:10Z', ACCT],
  ]);
});
afterAll(() => fx.db.close());

let added = 0;
async function addEvents(db: Database, rows: Array<[time: string, account: string]>): Promise<void> {
  for (const [time, account] of rows) {
    added++;
    await db.run(
      `INSERT INTO cloudtrail (event_uid, event_time, event_name, event_source, aws_region, recipient_account_id, account_id,
                               principal_type, principal_arn, principal_name, access_key_id, source_ip, read_only, file_id, position)
       VALUES ($uid, $time, 'GetCallerIdentity', 'sts.amazonaws.com', 'us-east-1', $account, $account,
               'IAMUser', $arn, 'alice', 'AKIAALICE00000000001', '198.51.100.7', true, 1, $pos)`,
      { uid: `extra-${added}`, time, account, arn: ALICE, pos: 1000 + added },
    );
  }
}

const SCOPES: Array<[string, Scope]> = [
  ['the whole case', {}],
  ['an aligned hour', { from: '2026-03-01T10:00:00Z', to: '2026-03-01T11:00:00Z' }],
  ['boundaries inside busy minutes', { from: '2026-03-01T10:05:40.250Z', to: '2026-03-01T14:02:05Z' }],
  ['only a start', { from: '2026-03-01T10:05:40Z' }],
  ['only an end', { to: '2026-03-01T14:02:30Z' }],
  ['one account', { accounts: [OTHER_ACCT] }],
  ['one region and two sources', { regions: ['us-east-1'], sources: ['vpcflow', 'dns'] }],
  ['a range with nothing in it', { from: '2026-02-01T00:00:00Z', to: '2026-02-02T00:00:00Z' }],
];

describe('timeline through the minute rollup', () => {
  it.each(SCOPES)('histogram over %s equals the count over the events', async (_, scope) => {
    for (const buckets of [120, 24, 7]) {
      const slow = await timelineHistogram(fx.db, scope, buckets, { rollups: false });
      const fast = await timelineHistogram(fx.db, scope, buckets);
      expect(fast).toEqual(slow);
    }
  });

  it('the boundary case really splits minutes: the rollup path counts the cut minute from the events', async () => {
    const h = await timelineHistogram(fx.db, { from: '2026-03-01T10:05:40Z', to: '2026-03-01T10:06:00Z' }, 20);
    // 10:05:45 is in, 10:05:30 and the 10:05:00 ListBuckets are not.
    expect(h.total).toBe(1);
  });

  it.each(SCOPES)('event page over %s has the total and the rows of the slow path', async (_, scope) => {
    for (const page of [
      { offset: 0, limit: 5 },
      { offset: 3, limit: 4 },
    ]) {
      const slow = await timelineEvents(fx.db, scope, page, { rollups: false });
      const fast = await timelineEvents(fx.db, scope, page);
      expect(fast).toEqual(slow);
    }
  });
});

describe('graph through the adjacency rollup', () => {
  const cases: Array<[string, Scope, EntityRef[], number, 1 | 2]> = [
    ['first view', {}, [], 0, 1],
    ['first view, two hops', {}, [], 0, 2],
    ['a principal', {}, [{ kind: 'principal', value: ALICE }], 0, 1],
    ['a principal, second page', {}, [{ kind: 'principal', value: ALICE }], 1, 1],
    ['an instance, two hops', {}, [{ kind: 'instance', value: INSTANCE }], 0, 2],
    [
      'two seeds joined by an edge',
      {},
      [
        { kind: 'principal', value: WEB_ROLE },
        { kind: 'instance', value: INSTANCE },
      ],
      0,
      1,
    ],
    ['one account', { accounts: [ACCT] }, [{ kind: 'principal', value: ALICE }], 0, 1],
    ['flows and DNS only', { sources: ['vpcflow', 'dns'] }, [{ kind: 'instance', value: INSTANCE }], 0, 1],
  ];
  it.each(cases)('%s: same nodes, edges and counts as reading the events', async (_, scope, seeds, offset, hops) => {
    const slow = await graphNeighborhood(fx.db, scope, seeds, 3, offset, hops, { rollups: false });
    const fast = await graphNeighborhood(fx.db, scope, seeds, 3, offset, hops);
    expect(fast.nodes.length).toBeGreaterThan(0);
    expect(fast).toEqual(slow);
  });
});

describe('rollup freshness', () => {
  it('follows added events: the next read rebuilds and counts them', async () => {
    const db = (await openFixtureCase()).db;
    try {
      const before = await timelineHistogram(db, {}, 50);
      expect(await refreshRollups(db)).toEqual([]);
      await addEvents(db, [['2026-03-01T10:30:15Z', ACCT]]);
      const after = await timelineHistogram(db, {}, 50);
      expect(after.total).toBe(before.total + 1);
      const graph = await graphNeighborhood(db, {}, [{ kind: 'principal', value: ALICE }], 20, 0);
      const slow = await graphNeighborhood(db, {}, [{ kind: 'principal', value: ALICE }], 20, 0, 1, { rollups: false });
      expect(graph).toEqual(slow);
    } finally {
      db.close();
    }
  });

  it('builds once, and a case saved and reopened reads them without rebuilding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-rollups-'));
    try {
      const path = join(dir, 'case.duckdb');
      const fixture = await openFixtureCase();
      await fixture.db.run(`ATTACH '${path.replace(/'/g, "''")}' AS saved`);
      await fixture.db.run('COPY FROM DATABASE memory TO saved');
      await fixture.db.run('DETACH saved');
      fixture.db.close();

      let db = await Database.open({ path, threads: 1 });
      await migrate(db);
      const built = await refreshRollups(db);
      expect(built.map((b) => b.name).sort()).toEqual(['event_minutes', 'graph_adjacency']);
      expect(built.find((b) => b.name === 'event_minutes')!.rows).toBeGreaterThan(0);
      const first = await timelineHistogram(db, {}, 40);
      db.close();

      db = await Database.open({ path, threads: 1 });
      try {
        await migrate(db);
        expect(await refreshRollups(db)).toEqual([]);
        expect(await timelineHistogram(db, {}, 40)).toEqual(first);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers from the events when the rollup tables do not exist', async () => {
    const fixture = await openFixtureCase();
    const db = fixture.db;
    try {
      for (const table of ['rollup_state', 'event_minutes', 'graph_adjacency']) await db.run(`DROP TABLE ${table}`);
      expect(await rollupReady(db, 'event_minutes', await resolveSources(db))).toBe(false);
      const h = await timelineHistogram(db, {}, 10);
      expect(h.total).toBe(fixture.counts.cloudtrail + fixture.counts.vpcflow + fixture.counts.dns);
      const g = await graphNeighborhood(db, {}, [{ kind: 'principal', value: ALICE }], 5, 0);
      expect(g.edges.length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
