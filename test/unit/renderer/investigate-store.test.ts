import { describe, expect, it } from 'vitest';
import type { GraphData } from '../../../shared/api/investigate';
import { createAppStore } from '../../../renderer/src/store';
import { entityOfNode } from '../../../renderer/src/store/graph';
import { placeholders } from '../../../renderer/src/store/hunt';
import { fakeApi, findingRow, noCounts } from './fake-api';

const node = (
  kind: string,
  value: string,
  extra: Partial<GraphData['nodes'][number]> = {},
): GraphData['nodes'][number] => ({
  id: `${kind}:${value}`,
  kind: kind as GraphData['nodes'][number]['kind'],
  value,
  label: value,
  weight: 1,
  severity: null,
  findingIds: [],
  findingTypes: [],
  seed: false,
  parent: null,
  hidden: 0,
  nextOffset: 0,
  ...extra,
});

describe('workspace scope', () => {
  it('shares the time range with the findings filter and drops empty values', async () => {
    const fake = fakeApi({ 'findings:list': () => ({ total: 0, rows: [] }), 'findings:counts': () => noCounts });
    const store = createAppStore(fake.api);
    store.getState().setScope({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', accounts: [] });
    expect(store.getState().workspace.scope).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
    });
    expect(store.getState().findings.filter).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
    });
    store.getState().setAccountFilter(['111122223333']);
    expect(store.getState().workspace.scope.accounts).toEqual(['111122223333']);
    expect(store.getState().findings.filter.accounts).toEqual(['111122223333']);
    store.getState().setAccountFilter([]);
    expect(store.getState().findings.filter.accounts).toBeUndefined();
  });

  it('pivots an entity into the graph with two hops and switches view', async () => {
    const fake = fakeApi({
      'graph:neighborhood': (input) => ({
        nodes: [node(input.seeds![0]!.kind, input.seeds![0]!.value, { seed: true })],
        edges: [],
        seeds: input.seeds!,
      }),
    });
    const store = createAppStore(fake.api);
    store.getState().pivot({ kind: 'accessKey', value: 'AKIA1' }, 'graph');
    expect(store.getState().workspace.view).toBe('graph');
    await expect.poll(() => store.getState().graph.loading).toBe(false);
    expect(fake.callsTo('graph:neighborhood')[0]).toMatchObject({
      seeds: [{ kind: 'accessKey', value: 'AKIA1' }],
      hops: 2,
      scope: { entity: { kind: 'accessKey', value: 'AKIA1' } },
    });
    expect(store.getState().graph.selectedId).toBe('accessKey:AKIA1');
  });
});

describe('timeline slice', () => {
  it('zooms, pans and zooms out around the range the engine returned', async () => {
    const fake = fakeApi({
      'timeline:histogram': (input) => ({
        from: input.scope?.from ?? '2026-03-01T00:00:00.000Z',
        to: input.scope?.to ?? '2026-03-03T00:00:00.000Z',
        bucketSeconds: 3600,
        sources: ['cloudtrail'],
        buckets: [],
        markers: [],
        total: 0,
      }),
      'timeline:events': () => ({ total: 0, rows: [] }),
      'findings:list': () => ({ total: 0, rows: [] }),
      'findings:counts': () => noCounts,
    });
    const store = createAppStore(fake.api);
    await store.getState().loadTimeline();
    store.getState().pan(1);
    expect(store.getState().workspace.scope).toMatchObject({
      from: '2026-03-02T00:00:00.000Z',
      to: '2026-03-04T00:00:00.000Z',
    });
    await store.getState().loadTimeline();
    store.getState().zoomOut();
    expect(store.getState().workspace.scope).toMatchObject({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-05T00:00:00.000Z',
    });
    store.getState().zoomTo('2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000Z');
    await store.getState().loadTimeline();
    expect(fake.callsTo('timeline:histogram').at(-1)).toMatchObject({
      scope: { from: '2026-03-02T10:00:00.000Z', to: '2026-03-02T11:00:00.000Z' },
      buckets: 120,
    });
    store.getState().toggleSource('vpcflow');
    await expect
      .poll(() => (fake.callsTo('timeline:histogram').at(-1) as { scope: { sources?: string[] } }).scope.sources)
      .toEqual(['cloudtrail', 'dns']);
    store.getState().resetZoom();
    expect(store.getState().workspace.scope.from).toBeUndefined();
  });
});

describe('graph slice', () => {
  it('expands a "+N more" node into the next page of its parent and replaces it', async () => {
    const parent = 'principal:arn:aws:iam::1:user/a';
    const fake = fakeApi({
      'graph:neighborhood': (input) =>
        input.offset
          ? {
              nodes: [node('principal', 'arn:aws:iam::1:user/a', { seed: true }), node('ip', '203.0.113.2')],
              edges: [{ id: 'e2', source: parent, target: 'ip:203.0.113.2', relation: 'called from', count: 2 }],
              seeds: input.seeds!,
            }
          : {
              nodes: [
                node('principal', 'arn:aws:iam::1:user/a', { seed: true }),
                node('ip', '203.0.113.1'),
                node('more', parent, { id: `more:${parent}`, parent, hidden: 1, nextOffset: 1 }),
              ],
              edges: [
                { id: 'e1', source: parent, target: 'ip:203.0.113.1', relation: 'called from', count: 5 },
                { id: `${parent}|more`, source: parent, target: `more:${parent}`, relation: 'more', count: 1 },
              ],
              seeds: input.seeds!,
            },
    });
    const store = createAppStore(fake.api);
    await store.getState().loadGraph([{ kind: 'principal', value: 'arn:aws:iam::1:user/a' }]);
    expect(Object.keys(store.getState().graph.nodes)).toHaveLength(3);
    await store.getState().expandNode(`more:${parent}`);
    const g = store.getState().graph;
    expect(Object.keys(g.nodes).sort()).toEqual([parent, 'ip:203.0.113.1', 'ip:203.0.113.2'].sort());
    expect(Object.keys(g.edges).sort()).toEqual(['e1', 'e2']);
    expect(fake.callsTo('graph:neighborhood').at(-1)).toMatchObject({
      offset: 1,
      seeds: [{ kind: 'principal', value: 'arn:aws:iam::1:user/a' }],
    });
    expect(g.nodes[parent]?.seed).toBe(true);
  });

  it('parses node ids whose values hold colons', () => {
    expect(entityOfNode('principal:arn:aws:iam::1:root')).toEqual({ kind: 'principal', value: 'arn:aws:iam::1:root' });
  });
});

describe('hunt slice', () => {
  it('finds $placeholders and sends only the parameters the query uses', async () => {
    expect(placeholders('SELECT $a, $b_2 FROM t WHERE x = $a')).toEqual(['a', 'b_2']);
    const fake = fakeApi({
      'hunt:query': () => ({
        columns: [{ name: 'n', type: 'INTEGER' }],
        rows: [[1]],
        offset: 0,
        hasMore: false,
        elapsedMs: 3,
      }),
    });
    const store = createAppStore(fake.api);
    store.getState().setSql('SELECT count(*) AS n FROM cloudtrail WHERE source_ip = $ip');
    store.getState().setParam('ip', '203.0.113.9');
    store.getState().setParam('stale', 'x');
    await store.getState().runHunt();
    expect(fake.callsTo('hunt:query')[0]).toMatchObject({ params: { ip: '203.0.113.9' }, offset: 0, limit: 100 });
    expect(store.getState().hunt).toMatchObject({ running: null, error: null, result: { rows: [[1]] } });
  });

  it('shows the engine’s refusal inline', async () => {
    const { ApiError } = await import('../../../renderer/src/lib/api-client');
    const fake = fakeApi({
      'hunt:query': () => {
        throw new ApiError('hunt:query', {
          code: 'INVALID_INPUT',
          message: 'Hunt runs read-only queries',
          hint: 'Rewrite it as a SELECT',
        });
      },
    });
    const store = createAppStore(fake.api);
    store.getState().setSql('DELETE FROM findings');
    await store.getState().runHunt();
    expect(store.getState().hunt.error).toEqual({
      code: 'INVALID_INPUT',
      message: 'Hunt runs read-only queries',
      hint: 'Rewrite it as a SELECT',
    });
  });

  it('cancels the running query by the id it was started with', async () => {
    let release!: () => void;
    const fake = fakeApi({
      'hunt:query': () =>
        new Promise(
          (resolve) => (release = () => resolve({ columns: [], rows: [], offset: 0, hasMore: false, elapsedMs: 1 })),
        ),
      'hunt:cancel': () => ({ cancelled: true }),
    });
    const store = createAppStore(fake.api);
    const running = store.getState().runHunt();
    const id = store.getState().hunt.running;
    expect(id).toMatch(/^hunt-/);
    await store.getState().cancelHunt();
    expect(fake.callsTo('hunt:cancel')).toEqual([{ queryId: id }]);
    release();
    await running;
    expect(store.getState().hunt.result).toBeNull();
    expect(store.getState().hunt.error?.code).toBe('QUERY_CANCELLED');
  });
});

describe('case loading', () => {
  const appInfo = (caseOpen: boolean) => ({ version: '0.1.0', shell: 'web' as const, caseOpen });
  const job = (status: 'running' | 'ok' | 'failed') => ({
    jobId: 'j1',
    kind: 'case:open',
    label: 'Open sample-case',
    status,
    phase: 'load',
    done: 3,
    total: 10,
    message: 'Loading',
    startedAt: '2026-03-01T00:00:00.000Z',
    finishedAt: null,
    error: status === 'failed' ? { code: 'FILE_NOT_FOUND', message: 'No such path /x', hint: 'Check the path' } : null,
  });

  it('shows loading while the case job runs, then loads everything when it finishes', async () => {
    let caseOpen = false;
    const fake = fakeApi({
      'app:info': () => appInfo(caseOpen),
      'jobs:list': () => [job('running')],
      'case:summary': () => ({
        name: 'c',
        workspaceDir: '/tmp/w',
        sources: [],
        accounts: [],
        filesLoaded: 1,
        filesSkipped: 0,
        filesFailed: 0,
        findings: 1,
      }),
      'findings:list': () => ({ total: 1, rows: [findingRow(1)] }),
      'findings:counts': () => ({ ...noCounts, Medium: 1, total: 1 }),
      'files:list': () => ({ total: 0, rows: [] }),
      'findings:groups': () => ({ total: 0, groups: [] }),
      'accounts:list': () => ({
        accounts: [],
        organization: {
          id: null,
          name: null,
          managementAccountId: null,
          administratorAccountId: null,
          memberAccountIds: [],
          source: 'none' as const,
          evidence: [],
        },
      }),
      'case:info': () => ({ case: null }),
    });
    const store = createAppStore(fake.api);
    await store.getState().startup();
    expect(store.getState().ingest).toMatchObject({ phase: 'loading', jobId: 'j1' });
    store.getState().jobProgress({ jobId: 'j1', phase: 'detect', done: 9, total: 10, message: 'Rules' });
    expect(store.getState().jobs.byId['j1']).toMatchObject({ phase: 'detect', done: 9 });
    caseOpen = true;
    store.getState().jobFinished({ jobId: 'j1', status: 'ok', error: null });
    await expect.poll(() => store.getState().findings.total).toBe(1);
    expect(store.getState().ingest.phase).toBe('ready');
    expect(store.getState().workspace.summary?.filesLoaded).toBe(1);
    expect(store.getState().notifications.toasts.at(-1)).toMatchObject({ kind: 'job', status: 'ok' });
    expect(store.getState().workspace.accounts).toMatchObject({ rows: [], error: null });
  });

  it('says what failed when the case could not be opened', async () => {
    const fake = fakeApi({ 'app:info': () => appInfo(false), 'jobs:list': () => [job('failed')] });
    const store = createAppStore(fake.api);
    await store.getState().startup();
    expect(store.getState().ingest).toMatchObject({
      phase: 'failed',
      error: { code: 'FILE_NOT_FOUND', hint: 'Check the path' },
    });
  });

  it('is "no case" when nothing is open or loading', async () => {
    const fake = fakeApi({ 'app:info': () => appInfo(false), 'jobs:list': () => [] });
    const store = createAppStore(fake.api);
    await store.getState().startup();
    expect(store.getState().ingest.phase).toBe('no-case');
  });
});

describe('notifications', () => {
  it('keeps the last five toasts', () => {
    const store = createAppStore(fakeApi({}).api);
    for (let i = 0; i < 7; i++) store.getState().notify({ kind: 'info', title: `t${i}` });
    expect(store.getState().notifications.toasts.map((t) => t.title)).toEqual(['t2', 't3', 't4', 't5', 't6']);
    store.getState().dismiss(store.getState().notifications.toasts[0]!.id);
    expect(store.getState().notifications.toasts).toHaveLength(4);
  });
});
