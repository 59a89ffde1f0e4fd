import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobProgressEvent } from '../../../shared/api/schemas';
import { createEngine, invokeChannel, isChannel, type Engine } from '../../../electron/engine/api';
import { writeTrail } from '../../unit/api/tiny-trail';
import { call } from '../engine-channels';

/** The engine behind every shell: real DuckDB files in a temp dir, real gzip CloudTrail. */
let dir: string;
const engines: Engine[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-engine-test-'));
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

async function engine(options: { workspaceDir?: string } = {}): Promise<Engine> {
  const e = await createEngine({ shell: 'cli', configDir: join(dir, 'config'), ...options });
  engines.push(e);
  return e;
}

describe('engine', () => {
  it('opens a case as a job: ingest, intel, detect, then answers every findings channel', async () => {
    const evidence = writeTrail(join(dir, 'logs'), { root: true }).dir;
    const threat = join(dir, 'threat.txt');
    writeFileSync(threat, '203.0.113.9\n');
    const e = await engine();
    const phases: string[] = [];
    e.jobs.subscribe({ progress: (p: JobProgressEvent) => phases.push(p.phase), finished: () => undefined });

    const { jobId } = await call(e, 'case:open', { paths: [evidence], threatLists: [threat] });
    expect((await call(e, 'jobs:get', { jobId })).kind).toBe('case:open');
    const info = await e.jobs.wait(jobId);
    expect(info).toMatchObject({ status: 'ok', error: null });
    for (const phase of ['open', 'ingest', 'intel', 'detect']) expect(phases).toContain(phase);

    expect(await call(e, 'app:info', {})).toMatchObject({ shell: 'cli', caseOpen: true });
    const summary = await call(e, 'case:summary', {});
    expect(summary).toMatchObject({
      name: 'logs',
      workspaceDir: e.workspaceDir,
      filesLoaded: 1,
      accounts: ['111122223333'],
    });
    expect(summary.sources.find((s) => s.source === 'cloudtrail')).toMatchObject({ files: 1, events: 6 });

    const list = await call(e, 'findings:list', {});
    const root = list.rows.find((r) => r.type === 'Policy:IAMUser/RootCredentialUsage');
    expect(root).toBeDefined();
    expect(summary.findings).toBe(list.total);
    const counts = await call(e, 'findings:counts', {});
    expect(counts.total).toBe(list.total);

    const finding = await call(e, 'findings:get', { id: root?.id ?? '' });
    expect(finding).toMatchObject({
      schemaVersion: '2.0',
      accountId: '111122223333',
      type: 'Policy:IAMUser/RootCredentialUsage',
    });

    const evidenceRows = await call(e, 'findings:evidence', { id: root?.id ?? '' });
    expect(evidenceRows.total).toBe(1);
    expect(evidenceRows.rows[0]).toMatchObject({ source: 'cloudtrail', position: 5 });
    expect(evidenceRows.rows[0]?.filePath).toMatch(/_a\.json\.gz$/);
    expect(evidenceRows.rows[0]?.summary).toContain('ListBuckets');

    const files = await call(e, 'files:list', {});
    expect(files.rows).toHaveLength(1);
    expect(files.rows[0]).toMatchObject({ type: 'cloudtrail', status: 'loaded', records: 6 });
    expect(await call(e, 'jobs:list', {})).toHaveLength(1);
  });

  it('fails the job with a clear error when nothing can be loaded', async () => {
    const junk = join(dir, 'junk');
    mkdirSync(junk);
    writeFileSync(join(junk, 'notes.txt'), 'not a log');
    const e = await engine();
    const { jobId, done } = e.openCase({ paths: [junk] });
    await expect(done).rejects.toMatchObject({ code: 'FILE_UNRECOGNISED' });
    const info = await call(e, 'jobs:get', { jobId });
    expect(info.status).toBe('failed');
    expect(info.error?.message).toContain(junk);
  });

  it('cancels a case load through jobs:cancel', async () => {
    const e = await engine();
    const { jobId, done } = e.openCase({ paths: [writeTrail(join(dir, 'logs')).dir] });
    expect(await call(e, 'jobs:cancel', { jobId })).toEqual({ cancelled: true });
    await expect(done).rejects.toBeDefined();
    expect((await call(e, 'jobs:get', { jobId })).status).toBe('cancelled');
    expect(await call(e, 'jobs:cancel', { jobId })).toEqual({ cancelled: false });
    const unknown = await invokeChannel(e.handlers, 'jobs:get', { jobId: 'nope' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'JOB_NOT_FOUND' } });
  });

  it('replaces the open case, removes temp workspaces on close, and re-runs detections', async () => {
    const first = writeTrail(join(dir, 'first'), { root: true, tag: 'one' }).dir;
    const second = writeTrail(join(dir, 'second'), { tag: 'two' }).dir;
    const e = await engine();
    await e.openCase({ paths: [first] }).done;
    const firstDb = e.database().path;
    const before = await call(e, 'findings:list', {});
    expect(before.total).toBeGreaterThan(0);

    const rerun = await call(e, 'detect:run', {});
    expect((await e.jobs.wait(rerun.jobId)).status).toBe('ok');
    expect((await call(e, 'findings:list', {})).rows.map((r) => r.id)).toEqual(before.rows.map((r) => r.id));

    await e.openCase({ paths: [second] }).done;
    expect(existsSync(dirname(firstDb))).toBe(false);
    expect((await call(e, 'case:summary', {})).name).toBe('second');
    expect((await call(e, 'findings:list', {})).total).toBe(0);

    const workspace = e.workspaceDir;
    expect(existsSync(workspace)).toBe(true);
    await e.close();
    expect(existsSync(workspace)).toBe(false);
  });

  it('a newer case:open supersedes one still waiting or running', async () => {
    const e = await engine();
    const a = e.openCase({ paths: [writeTrail(join(dir, 'a'), { tag: 'a' }).dir] });
    const b = e.openCase({ paths: [writeTrail(join(dir, 'b'), { tag: 'b', root: true }).dir] });
    await expect(a.done).rejects.toBeDefined();
    await b.done;
    expect((await call(e, 'jobs:get', { jobId: a.jobId })).status).toBe('cancelled');
    expect((await call(e, 'jobs:get', { jobId: b.jobId })).status).toBe('ok');
    expect((await call(e, 'case:summary', {})).name).toBe('b');
  });

  it('keeps a named workspace and reopens it without loading anything', async () => {
    const workspaceDir = join(dir, 'case-ws');
    const e1 = await engine({ workspaceDir });
    const caseDir = e1.workspaceDir;
    expect(caseDir).toBe(`${workspaceDir}.loupe`);
    await e1.openCase({ paths: [writeTrail(join(dir, 'logs'), { root: true }).dir] }).done;
    const total = (await call(e1, 'findings:list', {})).total;
    await e1.close();
    for (const file of ['case.duckdb', 'case.json', 'manifest.json'])
      expect(existsSync(join(caseDir, file))).toBe(true);
    expect(existsSync(join(caseDir, 'case.lock'))).toBe(false);

    const e2 = await engine({ workspaceDir });
    expect(await call(e2, 'app:info', {})).toMatchObject({ caseOpen: true, caseDir });
    expect((await call(e2, 'findings:list', {})).total).toBe(total);
    expect((await call(e2, 'case:summary', {})).name).toBe('case-ws');
    expect(e2.jobs.list()).toEqual([]);
  });

  it('answers NO_CASE_OPEN before a case is opened, and knows its channels', async () => {
    const e = await engine();
    for (const channel of [
      'case:summary',
      'files:list',
      'findings:list',
      'detect:run',
      'timeline:histogram',
    ] as const) {
      expect(await invokeChannel(e.handlers, channel, {}), channel).toMatchObject({
        ok: false,
        error: { code: 'NO_CASE_OPEN' },
      });
    }
    expect(isChannel('findings:list')).toBe(true);
    expect(isChannel('constructor')).toBe(false);
  });
});
