import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../../renderer/src/store';
import { PAGE_SIZE, rowAt } from '../../../renderer/src/store/findings';
import { fakeApi, pagedFindings } from './fake-api';

const counts = { Low: 50_000, Medium: 50_000, High: 0, Critical: 0, total: 100_000 };

function setup(total = 100_000) {
  const fake = fakeApi({
    'findings:list': pagedFindings(total),
    'findings:counts': () => counts,
    'findings:get': (input) => ({ id: input.id, type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', severity: 2 }),
    'findings:evidence': () => ({ total: 0, rows: [] }),
    'findings:groups': (input) => ({
      total: 1,
      groups: [
        {
          key: input.by,
          resourceType: null,
          findings: 3,
          occurrences: 9,
          maxSeverity: 5,
          lastSeen: '2026-03-01T11:00:00.000Z',
        },
      ],
    }),
  });
  return { fake, store: createAppStore(fake.api) };
}

describe('findings slice', () => {
  it('loads counts and only the first page of a 100k list', async () => {
    const { fake, store } = setup();
    await store.getState().loadFindings();
    const f = store.getState().findings;
    expect(f.total).toBe(100_000);
    expect(f.counts).toEqual(counts);
    expect(Object.keys(f.pages)).toEqual(['0']);
    expect(fake.callsTo('findings:list')).toEqual([
      { filter: {}, sort: { by: 'severity', dir: 'desc' }, offset: 0, limit: PAGE_SIZE },
    ]);
  });

  it('fetches just the pages a visible range needs, once, and keeps the cache bounded', async () => {
    const { fake, store } = setup();
    await store.getState().loadFindings();
    await store.getState().ensureRows(150, 260);
    await store.getState().ensureRows(150, 260);
    expect(fake.callsTo('findings:list').map((c) => (c as { offset: number }).offset)).toEqual([0, 100, 200]);
    expect(rowAt(store.getState().findings, 255)?.id).toBe('f-255');
    for (let p = 0; p < 60; p++) await store.getState().ensureRows(p * PAGE_SIZE, p * PAGE_SIZE);
    const cached = Object.keys(store.getState().findings.pages).map(Number);
    expect(cached.length).toBeLessThanOrEqual(24);
    expect(cached).toContain(59);
    expect(cached).not.toContain(0);
  });

  it('drops pages that arrive for an older query', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fake = fakeApi({
      'findings:list': async (input) => {
        if (input.offset === 500) await gate;
        return pagedFindings(1000)(input);
      },
      'findings:counts': () => counts,
    });
    const store = createAppStore(fake.api);
    await store.getState().loadFindings();
    const late = store.getState().ensureRows(500, 510);
    store.getState().setFilter({ text: 'kali' });
    release();
    await late;
    await Promise.resolve();
    expect(store.getState().findings.pages[5]).toBeUndefined();
    expect(store.getState().findings.filter).toEqual({ text: 'kali' });
  });

  it('sends filters without empty values and asks the counts without the severity filter', async () => {
    const { fake, store } = setup();
    store.getState().setFilter({ severities: ['Medium'], text: '', accounts: [] });
    await store.getState().loadFindings();
    const lists = fake.callsTo('findings:list') as Array<{ filter: unknown }>;
    expect(lists.at(-1)!.filter).toEqual({ severities: ['Medium'] });
    const countCalls = fake.callsTo('findings:counts') as Array<{ filter: unknown }>;
    expect(countCalls.at(-1)!.filter).toEqual({});
  });

  it('toggles the sort direction on the same column and resets to descending on another', async () => {
    const { store } = setup();
    store.getState().setSort('severity');
    expect(store.getState().findings.sort).toEqual({ by: 'severity', dir: 'asc' });
    store.getState().setSort('count');
    expect(store.getState().findings.sort).toEqual({ by: 'count', dir: 'desc' });
  });

  it('moves the selection with the keyboard across a page boundary, loading the page it needs', async () => {
    const { fake, store } = setup();
    await store.getState().loadFindings();
    await store.getState().selectFinding('f-99', 99);
    await store.getState().moveSelection(1);
    expect(store.getState().findings.selectedId).toBe('f-100');
    expect(store.getState().findings.selectedIndex).toBe(100);
    expect(fake.callsTo('findings:get').at(-1)).toEqual({ id: 'f-100' });
    await store.getState().moveSelection('last');
    expect(store.getState().findings.selectedId).toBe('f-99999');
    await store.getState().moveSelection(-1_000_000);
    expect(store.getState().findings.selectedIndex).toBe(0);
  });

  it('groups, then drills into a group with its key as a filter', async () => {
    const { fake, store } = setup();
    store.getState().setGroupBy('type');
    await store.getState().loadFindings();
    expect(store.getState().findings.groups.rows[0]?.key).toBe('type');
    store.getState().drillInto('Recon:IAMUser/MaliciousIPCaller.Custom');
    await store.getState().loadFindings();
    const last = fake.callsTo('findings:list').at(-1) as { filter: unknown };
    expect(last.filter).toEqual({ types: ['Recon:IAMUser/MaliciousIPCaller.Custom'] });
    store.getState().setGroupBy('resource');
    expect(store.getState().findings.drill).toBeNull();
  });

  it('keeps the detail error next to the selection instead of throwing', async () => {
    const fake = fakeApi({
      'findings:get': () => {
        throw new Error('gone');
      },
      'findings:evidence': () => ({ total: 0, rows: [] }),
    });
    const store = createAppStore(fake.api);
    await store.getState().selectFinding('missing');
    expect(store.getState().findings.detail).toMatchObject({
      id: 'missing',
      loading: false,
      error: { code: 'INTERNAL', message: 'gone' },
    });
  });
});
