import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../electron/engine/api';
import { writeTrail } from '../../unit/api/tiny-trail';
import { eventBridgeSchema, guardDutyFindingSchema } from '../../unit/export/format-schemas';
import { call, refused } from '../engine-channels';

/**
 * Cases on disk through the engine's channels, as the UI drives them: real DuckDB files, real
 * gzip CloudTrail, real case folders in a temp dir.
 */
let dir: string;
const engines: Engine[] = [];
const ROOT_TYPE = 'Policy:IAMUser/RootCredentialUsage';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-engine-ws-'));
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

/** Runs a job-starting channel and waits for the job; returns its final info. */
async function job(e: Engine, channel: 'case:open' | 'detect:run' | 'custody:verify' | 'export:run', input: unknown) {
  const { jobId } = await call(e, channel, input);
  return e.jobs.wait(jobId);
}

const NOW = '2025-03-01T10:00:00.000Z';

describe('a case on disk', () => {
  it('is created, loaded, edited, saved, closed, reopened, and only new files load again', async () => {
    const e = await engine();
    const info = await call(e, 'case:create', { dir: join(dir, 'acme'), name: 'Acme breach' });
    expect(info).toMatchObject({ dir: join(dir, 'acme.loupe'), name: 'Acme breach', temp: false, readOnly: false });
    const logs = join(dir, 'logs');
    writeTrail(logs, { root: true, tag: 'one' });
    expect((await job(e, 'case:open', { paths: [logs] })).status).toBe('ok');
    const root = (await call(e, 'findings:list', {})).rows.find((r) => r.type === ROOT_TYPE);
    expect(root).toBeDefined();
    const id = root?.id ?? '';

    const note = {
      id: 'n1',
      title: 'Timeline',
      text: 'Root key used from 198.51.100.7',
      createdAt: NOW,
      updatedAt: NOW,
    };
    const bookmark = {
      id: 'b1',
      source: 'cloudtrail',
      eventUid: '00000005-one-4000-8000-000000000000',
      createdAt: NOW,
    };
    const query = {
      id: 'q1',
      name: 'root calls',
      sql: "SELECT * FROM cloudtrail WHERE principal_type = 'Root'",
      createdAt: NOW,
      updatedAt: NOW,
    };
    const edited = await call(e, 'case:updateState', {
      notes: [note],
      tags: [{ name: 'ir', color: '#ff0000' }],
      bookmarks: [bookmark],
      savedQueries: [query],
      settings: { learningPeriodDays: 14, graphLayout: 'cose' },
      findings: { [id]: { status: 'investigating', tags: ['ir'], comment: { text: 'checking with the owner' } } },
    });
    expect(edited.findings[id]).toMatchObject({ status: 'investigating', tags: ['ir'] });
    expect(edited.settings).toMatchObject({ learningPeriodDays: 14, graphLayout: 'cose', displayTimeZone: 'UTC' });

    await call(e, 'case:save', {});
    const onDisk = JSON.parse(readFileSync(join(info.dir, 'case.json'), 'utf8')) as {
      notes: unknown[];
      formatVersion: number;
    };
    expect(onDisk.notes).toEqual([note]);
    expect(onDisk.formatVersion).toBe(2);
    const manifest = JSON.parse(readFileSync(join(info.dir, 'manifest.json'), 'utf8')) as {
      files: Array<{ path: string }>;
    };
    expect(manifest.files.map((f) => f.path).join()).toContain('_one.json.gz');

    // A later edit is saved by the autosaver or, at the latest, on close.
    await call(e, 'case:updateState', { findings: { [id]: { comment: { text: 'owner confirmed: not them' } } } });
    expect(await call(e, 'case:close', {})).toEqual({ closed: true });
    expect(await refused(e, 'findings:list', {})).toMatchObject({ code: 'NO_CASE_OPEN' });
    expect(existsSync(join(info.dir, 'case.lock'))).toBe(false);

    const reopened = await call(e, 'case:openWorkspace', { dir: info.dir });
    expect(reopened).toMatchObject({ name: 'Acme breach', temp: false });
    const state = await call(e, 'case:state', {});
    expect(state.notes).toEqual([note]);
    expect(state.bookmarks[0]).toMatchObject({ eventUid: bookmark.eventUid, label: '' });
    expect(state.savedQueries[0]?.sql).toBe(query.sql);
    expect(state.findings[id]?.comments.map((c) => c.text)).toEqual([
      'checking with the owner',
      'owner confirmed: not them',
    ]);
    expect((await call(e, 'findings:list', {})).rows.map((r) => r.id)).toContain(id);

    // The same folder again, now with one more file: only the new file is read.
    writeTrail(logs, { tag: 'two' });
    const report = await e.openCase({ paths: [logs] }).done;
    expect(report.ingest).toMatchObject({ filesLoaded: 1, filesDuplicate: 1 });
    expect((await call(e, 'case:summary', {})).sources.find((s) => s.source === 'cloudtrail')?.events).toBe(11);

    const recent = await call(e, 'case:recent', {});
    expect(recent.cases[0]).toMatchObject({ dir: info.dir, name: 'Acme breach', exists: true });
  });

  it('says who holds a case open elsewhere, opens it read-only, and Save As makes a writable copy', async () => {
    const first = await engine();
    const info = await call(first, 'case:create', { dir: join(dir, 'shared'), name: 'Shared' });
    const second = await engine();
    const locked = await refused(second, 'case:openWorkspace', { dir: info.dir });
    expect(locked.code).toBe('WORKSPACE_LOCKED');
    expect(locked.message).toMatch(new RegExp(`open for writing by pid ${process.pid} on host`));
    expect(locked.hint).toMatch(/read-only/);
    await call(first, 'case:close', {});

    // A Loupe on another machine holds it (a network share): respected, not taken over.
    const lock = {
      pid: 4242,
      host: 'analyst-laptop-2',
      user: 'ana',
      app: 'loupe',
      startedAt: NOW,
      token: 'x'.repeat(24),
    };
    writeFileSync(join(info.dir, 'case.lock'), JSON.stringify(lock));
    const elsewhere = await refused(second, 'case:openWorkspace', { dir: info.dir });
    expect(elsewhere.message).toContain('pid 4242 on host "analyst-laptop-2" (user "ana"');
    expect(hostname()).not.toBe('analyst-laptop-2');

    const ro = await call(second, 'case:openWorkspace', { dir: info.dir, readOnly: true });
    expect(ro).toMatchObject({ readOnly: true, heldBy: { pid: 4242, host: 'analyst-laptop-2' } });
    expect(ro.warnings.join(' ')).toMatch(/read-only.*analyst-laptop-2/);
    expect(await refused(second, 'case:updateState', { notes: [] })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refused(second, 'case:open', { paths: [writeTrail(join(dir, 'x')).dir] })).toMatchObject({
      code: 'FORBIDDEN',
    });

    const copy = await call(second, 'case:saveAs', { dir: join(dir, 'mine'), name: 'Mine' });
    expect(copy).toMatchObject({ dir: join(dir, 'mine.loupe'), name: 'Mine', readOnly: false, temp: false });
    await call(second, 'case:updateState', { notes: [] });
    // The original is untouched and still held by the other machine.
    expect(JSON.parse(readFileSync(join(info.dir, 'case.lock'), 'utf8')).host).toBe('analyst-laptop-2');
  });

  it('keeps a temp case only when saved: Save As moves it, close of an unsaved one removes it', async () => {
    const e = await engine();
    await job(e, 'case:open', { paths: [writeTrail(join(dir, 'logs'), { root: true }).dir] });
    const temp = e.caseInfo();
    expect(temp).toMatchObject({ temp: true, name: 'logs' });
    expect(await refused(e, 'case:save', {})).toMatchObject({
      code: 'INVALID_INPUT',
      hint: expect.stringMatching(/Save As/),
    });

    const events: string[] = [];
    const off = e.onEvent((event, payload) => {
      if (event === 'case:changed') events.push((payload as { case: { dir: string } | null }).case?.dir ?? 'none');
    });
    const saved = await call(e, 'case:saveAs', { dir: join(dir, 'kept'), name: 'Kept' });
    off();
    expect(saved).toMatchObject({ dir: join(dir, 'kept.loupe'), temp: false, name: 'Kept' });
    expect(events).toEqual([saved.dir]);
    expect(existsSync(temp?.dir ?? '')).toBe(false);
    expect((await call(e, 'findings:list', {})).rows.map((r) => r.type)).toContain(ROOT_TYPE);
    const custody = await call(e, 'custody:list', {});
    expect(custody.total).toBe(1);

    await job(e, 'case:open', { paths: [writeTrail(join(dir, 'other'), { tag: 'o' }).dir], mode: 'new' });
    const scratch = e.caseInfo()?.dir ?? '';
    expect(e.caseInfo()?.temp).toBe(true);
    await call(e, 'case:close', {});
    expect(existsSync(scratch)).toBe(false);
    expect(existsSync(join(saved.dir, 'case.duckdb'))).toBe(true);
  });
});

describe('custody, archiving, suppression, exports, playbooks', () => {
  it('work on one case through the channels', async () => {
    const e = await engine();
    const info = await call(e, 'case:create', { dir: join(dir, 'ir'), name: 'IR' });
    const logs = join(dir, 'logs');
    const file = writeTrail(logs, { root: true }).file;
    await job(e, 'case:open', { paths: [logs] });

    // Chain of custody: every file, its hash, when and from where; verification re-hashes.
    const custody = await call(e, 'custody:list', {});
    expect(custody.rows[0]).toMatchObject({ path: file, origin: 'local', status: 'loaded', verified: null });
    expect(custody.rows[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await job(e, 'custody:verify', {})).status).toBe('ok');
    let checked = await call(e, 'custody:list', {});
    expect(checked.verification).toMatchObject({ ok: true, counts: { match: 1, mismatch: 0 } });
    expect(checked.rows[0]?.verified?.status).toBe('match');
    appendFileSync(file, 'tampered');
    await job(e, 'custody:verify', {});
    checked = await call(e, 'custody:list', {});
    expect(checked.verification).toMatchObject({ ok: false, counts: { mismatch: 1 } });
    expect(checked.rows[0]?.verified?.reason).toMatch(/size changed/);
    expect(existsSync(join(info.dir, 'custody-verification.json'))).toBe(true);

    const all = (await call(e, 'findings:list', { filter: { archived: 'include' } })).rows;
    const root = all.find((r) => r.type === ROOT_TYPE);
    expect(root).toBeDefined();
    const rootId = root?.id ?? '';

    // Suppression: a GuardDuty filter archives matching findings, now and after every run.
    const saved = await call(e, 'suppression:save', {
      rule: { name: 'root is expected here', criterion: { type: { Eq: [ROOT_TYPE] } } },
    });
    expect(saved).toMatchObject({ archived: 1, deferred: false });
    expect((await call(e, 'findings:get', { id: rootId })).service).toMatchObject({ archived: true });
    expect((await call(e, 'suppression:list', {})).rules.map((r) => r.name)).toEqual(['root is expected here']);
    expect((await job(e, 'detect:run', {})).status).toBe('ok');
    expect((await call(e, 'findings:list', {})).rows.map((r) => r.id)).not.toContain(rootId);
    expect((await call(e, 'case:state', {})).findings[rootId]?.suppressedBy).toBe(saved.rule.id);

    // Exports leave archived findings out unless asked.
    const out = join(dir, 'out');
    mkdirSync(out);
    await job(e, 'export:run', { format: 'guardduty-json', outPath: join(out, 'live.json') });
    const live = JSON.parse(readFileSync(join(out, 'live.json'), 'utf8')) as Array<{ id: string }>;
    expect(live.map((f) => f.id)).not.toContain(rootId);
    await job(e, 'export:run', { format: 'guardduty-jsonl', outPath: join(out, 'all.jsonl'), includeArchived: true });
    const allLines = readFileSync(join(out, 'all.jsonl'), 'utf8').trim().split('\n');
    expect(allLines.map((l) => (JSON.parse(l) as { id: string }).id)).toContain(rootId);
    for (const l of allLines) expect(guardDutyFindingSchema.safeParse(JSON.parse(l)).success).toBe(true);

    // Deleting the rule unarchives what it archived; the analyst's own archive then wins.
    expect(await call(e, 'suppression:delete', { id: saved.rule.id })).toMatchObject({ deleted: true, unarchived: 1 });
    expect(await call(e, 'findings:archive', { ids: [rootId] })).toEqual({ updated: 1, deferred: false });
    await job(e, 'detect:run', {});
    expect((await call(e, 'findings:get', { id: rootId })).service).toMatchObject({ archived: true });
    expect(await call(e, 'findings:unarchive', { ids: [rootId] })).toEqual({ updated: 1, deferred: false });

    // Every format through export:run, for the live findings.
    const formats = ['eventbridge', 'asff', 'ocsf', 'csv', 'timesketch', 'html', 'playbook', 'guardduty-s3'] as const;
    for (const format of formats) {
      const info2 = await job(e, 'export:run', { format, outPath: join(out, `f-${format}`) });
      expect(info2.status, format).toBe('ok');
      expect(info2.message, format).toMatch(/^Exported \d+ findings to /);
    }
    const bridge = readFileSync(join(out, 'f-eventbridge'), 'utf8').trim().split('\n');
    expect(eventBridgeSchema.safeParse(JSON.parse(bridge[0] ?? '')).success).toBe(true);
    expect(readFileSync(join(out, 'f-playbook'), 'utf8')).toContain('LOUPE_PLAYBOOK_REVIEWED');
    const s3Files = readdirSync(join(out, 'f-guardduty-s3'), { recursive: true }) as string[];
    const gz = s3Files.find((f) => f.endsWith('.jsonl.gz')) ?? '';
    expect(gunzipSync(readFileSync(join(out, 'f-guardduty-s3', gz))).toString()).toContain(rootId);
    const exists = await job(e, 'export:run', { format: 'csv', outPath: join(out, 'f-csv') });
    expect(exists).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT' } });

    const playbook = await call(e, 'findings:playbook', { id: rootId });
    expect(playbook).toMatchObject({ findingId: rootId, type: ROOT_TYPE });
    expect(playbook.steps.length).toBeGreaterThan(0);
    expect(playbook.script).toContain(rootId);
    expect(await refused(e, 'findings:playbook', { id: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });

    const accounts = await call(e, 'accounts:list', {});
    expect(accounts.accounts.map((a) => a.accountId)).toEqual(['111122223333']);
  });
});
