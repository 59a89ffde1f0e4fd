import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../electron/engine/api';
import { writeTrail } from '../../unit/api/tiny-trail';
import { call } from '../engine-channels';

/**
 * Public feeds from the app's side, through the channels the UI uses: a download job against feeds
 * served on 127.0.0.1 by this test (one good, one answering an HTML page), the kept copies listed
 * with their dates and each failure's reason, a copy used in a case (its matches become findings)
 * and marked as used, and a later download that fails keeping the copy in use.
 */
let server: Server;
let base: string;
let serving = true;
let dir: string;
const engines: Engine[] = [];
const TOR_EXITS = ['198.51.100.7', '203.0.113.50'];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (serving && req.url === '/exits.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`# exits\n${TOR_EXITS.join('\n')}\n`);
    } else if (req.url === '/blocked') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Access denied</body></html>');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-feeds-'));
  serving = true;
});
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  rmSync(dir, { recursive: true, force: true });
});

async function engine(): Promise<Engine> {
  const feedsFile = join(dir, 'feeds.json');
  writeFileSync(
    feedsFile,
    JSON.stringify({
      feeds: [
        { name: 'exits', description: 'Test exits', url: `${base}/exits.txt`, category: 'tor-exit', kind: 'threat' },
        { name: 'blocked', url: `${base}/blocked`, category: 'c2', kind: 'threat' },
      ],
    }),
  );
  const e = await createEngine({
    shell: 'web',
    configDir: join(dir, 'config'),
    autosaveDelayMs: 50,
    feeds: { feedsFile, dir: join(dir, 'intel'), timeoutMs: 10_000 },
  });
  engines.push(e);
  return e;
}

describe('public feeds in the app', () => {
  it('downloads, lists each copy and failure, and a copy used in a case yields findings', async () => {
    const e = await engine();
    const before = await call(e, 'intel:feeds', {});
    expect(before).toMatchObject({ dir: join(dir, 'intel'), error: null });
    expect(before.feeds.map((f) => [f.name, f.copy, f.lastAttempt, f.inCase])).toEqual([
      ['exits', null, null, null],
      ['blocked', null, null, null],
    ]);

    const { jobId } = await call(e, 'intel:fetchFeeds', {});
    const job = await e.jobs.wait(jobId);
    expect(job.status).toBe('ok');
    expect(job.kind).toBe('intel:feeds');
    expect(job.message).toBe('1 of 2 feeds updated; blocked: the server sent an HTML page, not a list.');

    const after = await call(e, 'intel:feeds', {});
    const [exits, blocked] = after.feeds;
    expect(exits).toMatchObject({
      name: 'exits',
      description: 'Test exits',
      category: 'tor-exit',
      copy: { entries: 2, path: join(dir, 'intel', 'exits.txt') },
      lastAttempt: { ok: true, error: null },
      inCase: null,
    });
    expect(blocked).toMatchObject({
      copy: null,
      lastAttempt: { ok: false, error: 'the server sent an HTML page, not a list' },
    });

    // Used in a case: the copy is imported like any list, with its feed origin and category.
    await call(e, 'case:create', { dir: join(dir, 'acme'), name: 'Acme' });
    const logs = join(dir, 'logs');
    writeTrail(logs, { tag: 'feeds' });
    expect((await e.jobs.wait((await call(e, 'case:open', { paths: [logs] })).jobId)).status).toBe('ok');
    const imported = await call(e, 'intel:import', { path: exits!.copy!.path, kind: 'threat' });
    expect(imported.list).toMatchObject({ origin: 'feed', category: 'tor-exit', entries: 2, url: `${base}/exits.txt` });
    expect((await e.jobs.wait(imported.jobId)).status).toBe('ok');
    const tor = (await call(e, 'findings:list', {})).rows.filter((r) => r.type.includes('TorIPCaller'));
    expect(tor.length).toBeGreaterThan(0);
    const used = (await call(e, 'intel:feeds', {})).feeds[0]!;
    expect(used.inCase).toEqual({ id: imported.list.id, importedAt: imported.list.importedAt, enabled: true });

    // The feed goes away: the next download fails for it and the copy stays in use.
    serving = false;
    const again = await e.jobs.wait((await call(e, 'intel:fetchFeeds', {})).jobId);
    expect(again.message).toContain('exits: the server answered HTTP 404 Not Found (previous copy kept)');
    const kept = (await call(e, 'intel:feeds', {})).feeds[0]!;
    expect(kept.copy).toEqual(exits!.copy);
    expect(kept.lastAttempt).toMatchObject({ ok: false, error: 'the server answered HTTP 404 Not Found' });
  });

  it('still lists the kept copies when the feeds file is broken, naming the file', async () => {
    const e = await engine();
    await e.jobs.wait((await call(e, 'intel:fetchFeeds', {})).jobId);
    writeFileSync(join(dir, 'feeds.json'), '{ "feeds": [ { "name": "exits" ');
    const view = await call(e, 'intel:feeds', {});
    expect(view.error).toContain(join(dir, 'feeds.json'));
    expect(view.feeds.map((f) => [f.name, f.copy?.entries])).toEqual([['exits', 2]]);
    const failed = await e.jobs.wait((await call(e, 'intel:fetchFeeds', {})).jobId);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('feeds.json');
  });
});
