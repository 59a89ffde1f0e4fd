import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, invokeChannel, type Engine } from '../../../electron/engine/api';
import { ACCOUNT, writeTrail } from '../../unit/api/tiny-trail';
import { call } from '../engine-channels';

/**
 * Threat and trusted lists managed on an open case through the channels the UI uses: import,
 * scope to accounts, switch off and on, remove; each change re-runs detections (a real job on a
 * real case folder with gzip CloudTrail), and survives closing and reopening the case.
 */
let dir: string;
const engines: Engine[] = [];
const OTHER_ACCOUNT = '999988887777';
const LIST_TYPE = /MaliciousIPCaller\.Custom$/;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-intel-lists-'));
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

async function engine(): Promise<Engine> {
  const e = await createEngine({ shell: 'desktop', configDir: join(dir, 'config'), autosaveDelayMs: 50 });
  engines.push(e);
  return e;
}

async function listFindings(e: Engine) {
  const current = (await call(e, 'findings:list', {})).rows.filter((r) => LIST_TYPE.test(r.type));
  const archived = (await call(e, 'findings:list', { filter: { archived: 'only' } })).rows.filter((r) =>
    LIST_TYPE.test(r.type),
  );
  return { current: current.length, archived: archived.length };
}

/** What the intel tables hold for imported lists: the scope in intel_lists, entries scoped in intel. */
async function tables(e: Engine) {
  const out = await call(e, 'hunt:query', {
    sql: `SELECT l.list_name, l.accounts, (SELECT count(*) FROM intel i WHERE i.list_name = l.list_name AND i.accounts IS NOT NULL)::INTEGER
            FROM intel_lists l WHERE NOT l.bundled ORDER BY 1`,
    queryId: 'intel-lists-test',
  });
  return out.rows.map(([name, accounts, scoped]) => ({ name, accounts, scoped }));
}

async function waitJob(e: Engine, jobId: string | null) {
  expect(jobId).not.toBeNull();
  const info = await e.jobs.wait(jobId as string);
  expect(info.status, JSON.stringify(info.error)).toBe('ok');
}

describe('threat and trusted lists of a case', () => {
  it('imports, scopes, switches off and on, and removes a list, with findings following each change', async () => {
    const e = await engine();
    const caseInfo = await call(e, 'case:create', { dir: join(dir, 'acme'), name: 'Acme' });
    const logs = join(dir, 'logs');
    writeTrail(logs, { tag: 'one' });
    const opened = await call(e, 'case:open', { paths: [logs] });
    expect((await e.jobs.wait(opened.jobId)).status).toBe('ok');
    expect(await listFindings(e)).toEqual({ current: 0, archived: 0 });
    const bundled = (await call(e, 'intel:lists', {})).lists.filter((l) => l.bundled);
    expect(bundled.length).toBeGreaterThan(0);
    expect(bundled.every((l) => l.id === null && l.enabled)).toBe(true);

    // A malformed list is refused with its line; nothing is recorded.
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '203.0.113.9\n198.51.100.7\nnot an address or a domain!\n');
    const refused = await invokeChannel(e.handlers, 'intel:import', { path: bad, kind: 'threat' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('INTEL_INVALID');
      expect(refused.error.message).toContain('bad.txt');
      expect(refused.error.message).toMatch(/line 3/);
    }
    expect((await call(e, 'intel:lists', {})).lists.some((l) => !l.bundled)).toBe(false);

    // Imported: its matches become findings.
    const good = join(dir, 'attackers.txt');
    writeFileSync(good, '# attackers seen by the IR team\n198.51.100.7\n');
    const imported = await call(e, 'intel:import', { path: good, kind: 'threat' });
    expect(imported.list).toMatchObject({
      id: 'threat:attackers.txt',
      name: 'attackers.txt',
      kind: 'threat',
      format: 'TXT',
      entries: 1,
      bundled: false,
      accounts: null,
      enabled: true,
    });
    await waitJob(e, imported.jobId);
    expect((await listFindings(e)).current).toBeGreaterThan(0);

    // Scoped to another account: the finding stops standing (re-detected away).
    const scoped = await call(e, 'intel:update', { id: 'threat:attackers.txt', accounts: [OTHER_ACCOUNT] });
    expect(scoped.list.accounts).toEqual([OTHER_ACCOUNT]);
    await waitJob(e, scoped.jobId);
    expect((await listFindings(e)).current).toBe(0);

    // Back in scope, then switched off, then on again.
    await waitJob(e, (await call(e, 'intel:update', { id: 'threat:attackers.txt', accounts: [ACCOUNT] })).jobId);
    expect((await listFindings(e)).current).toBeGreaterThan(0);
    const off = await call(e, 'intel:update', { id: 'threat:attackers.txt', enabled: false });
    expect(off.list).toMatchObject({ enabled: false, accounts: [ACCOUNT] });
    await waitJob(e, off.jobId);
    expect((await listFindings(e)).current).toBe(0);

    // The case record keeps the list, off and scoped, across save, close and reopen.
    await call(e, 'case:save', {});
    const record = JSON.parse(readFileSync(join(caseInfo.dir, 'case.json'), 'utf8')) as {
      intelLists: Array<{ id: string; enabled: boolean; accounts?: string[] }>;
    };
    expect(record.intelLists).toEqual([
      expect.objectContaining({ id: 'threat:attackers.txt', enabled: false, accounts: [ACCOUNT] }),
    ]);
    await call(e, 'case:close', {});
    await call(e, 'case:openWorkspace', { dir: caseInfo.dir });
    const reopened = (await call(e, 'intel:lists', {})).lists.find((l) => l.id === 'threat:attackers.txt');
    expect(reopened).toMatchObject({ enabled: false, accounts: [ACCOUNT] });

    const on = await call(e, 'intel:update', { id: 'threat:attackers.txt', enabled: true });
    expect(on.list).toMatchObject({ enabled: true, accounts: [ACCOUNT], entries: 1 });
    await waitJob(e, on.jobId);
    expect((await listFindings(e)).current).toBeGreaterThan(0);

    // Removed: gone from the case and the database, and its findings with it.
    const removed = await call(e, 'intel:remove', { id: 'threat:attackers.txt' });
    expect(removed.removed).toBe(true);
    await waitJob(e, removed.jobId);
    expect((await listFindings(e)).current).toBe(0);
    expect((await call(e, 'intel:lists', {})).lists.some((l) => !l.bundled)).toBe(false);
    expect(await call(e, 'intel:remove', { id: 'threat:attackers.txt' })).toEqual({ removed: false, jobId: null });
  });

  it('keeps case.json and the intel tables in step: evidence added with the same list, a record edited while closed', async () => {
    const e = await engine();
    const info = await call(e, 'case:create', { dir: join(dir, 'gamma'), name: 'Gamma' });
    const logs = join(dir, 'logs');
    writeTrail(logs, { tag: 'three' });
    expect((await e.jobs.wait((await call(e, 'case:open', { paths: [logs] })).jobId)).status).toBe('ok');
    const list = join(dir, 'attackers.txt');
    writeFileSync(list, '198.51.100.7\n');
    await waitJob(e, (await call(e, 'intel:import', { path: list, kind: 'threat' })).jobId);
    await waitJob(e, (await call(e, 'intel:update', { id: 'threat:attackers.txt', accounts: [OTHER_ACCOUNT] })).jobId);
    expect((await listFindings(e)).current).toBe(0);

    // More evidence with the same list file (the CLI's --threat-list): the case's scope holds.
    const more = join(dir, 'more');
    writeTrail(more, { tag: 'four' });
    const added = await call(e, 'case:open', { paths: [more], threatLists: [list], mode: 'add' });
    expect((await e.jobs.wait(added.jobId)).status).toBe('ok');
    expect(await tables(e)).toEqual([{ name: 'attackers.txt', accounts: [OTHER_ACCOUNT], scoped: 1 }]);
    expect((await listFindings(e)).current).toBe(0);

    // The record is edited while the case is closed (back to every account): reopening sets the
    // tables to match and re-runs detections, so the finding stands again.
    await call(e, 'case:save', {});
    await call(e, 'case:close', {});
    const path = join(info.dir, 'case.json');
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { intelLists: Array<{ accounts?: string[] }> };
    expect(saved.intelLists).toEqual([expect.objectContaining({ accounts: [OTHER_ACCOUNT] })]);
    for (const r of saved.intelLists) delete r.accounts;
    writeFileSync(path, JSON.stringify(saved));
    const earlier = new Set((await call(e, 'jobs:list', {})).map((j) => j.jobId));
    await call(e, 'case:openWorkspace', { dir: info.dir });
    expect(await tables(e)).toEqual([{ name: 'attackers.txt', accounts: null, scoped: 0 }]);
    const rerun = (await call(e, 'jobs:list', {})).find((j) => j.kind === 'detect:run' && !earlier.has(j.jobId));
    await waitJob(e, rerun?.jobId ?? null);
    expect((await listFindings(e)).current).toBeGreaterThan(0);

    // The record edited through case:updateState (switched off): the tables and findings follow.
    const before = new Set((await call(e, 'jobs:list', {})).map((j) => j.jobId));
    const state = await call(e, 'case:state', {});
    await call(e, 'case:updateState', { intelLists: state.intelLists.map((r) => ({ ...r, enabled: false })) });
    await expect.poll(async () => (await call(e, 'jobs:list', {})).some((j) => !before.has(j.jobId))).toBe(true);
    const off = (await call(e, 'jobs:list', {})).find((j) => j.kind === 'detect:run' && !before.has(j.jobId));
    await waitJob(e, off?.jobId ?? null);
    expect(await tables(e)).toEqual([]);
    expect((await listFindings(e)).current).toBe(0);
  });

  it('a trusted list exempts only the accounts it is scoped to', async () => {
    const e = await engine();
    await call(e, 'case:create', { dir: join(dir, 'beta'), name: 'Beta' });
    const logs = join(dir, 'logs');
    writeTrail(logs, { tag: 'two' });
    expect((await e.jobs.wait((await call(e, 'case:open', { paths: [logs] })).jobId)).status).toBe('ok');
    const threats = join(dir, 'threats.txt');
    writeFileSync(threats, '198.51.100.0/24\n');
    await waitJob(e, (await call(e, 'intel:import', { path: threats, kind: 'threat' })).jobId);
    const before = (await listFindings(e)).current;
    expect(before).toBeGreaterThan(0);

    const trusted = join(dir, 'office.txt');
    writeFileSync(trusted, '198.51.100.7\n');
    const t = await call(e, 'intel:import', { path: trusted, kind: 'trusted', accounts: [OTHER_ACCOUNT] });
    expect(t.list).toMatchObject({ kind: 'trusted', accounts: [OTHER_ACCOUNT] });
    await waitJob(e, t.jobId);
    expect((await listFindings(e)).current).toBe(before);

    await waitJob(e, (await call(e, 'intel:update', { id: 'trusted:office.txt', accounts: null })).jobId);
    expect((await listFindings(e)).current).toBe(0);
  });
});
