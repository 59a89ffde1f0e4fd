import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import {
  DEFAULT_FEEDS_FILE,
  defaultFeedDir,
  defaultFeedsFile,
  readFeedsFile,
  storedFeeds,
  updateFeeds,
} from '../../../electron/engine/intel/feeds';
import { loadIntelList } from '../../../electron/engine/intel/lists';

/** `intel update` against feeds served over real HTTP on 127.0.0.1 by this test. */
const GOOD = '# Tor exits\n185.220.101.4\n185.220.101.33\n199.249.230.0/24\n';
const routes = new Map<string, { status: number; type: string; body: string }>();
let server: Server;
let base: string;
let work: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? '');
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    res.writeHead(route.status, { 'content-type': route.type }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), 'loupe-feeds-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

let dir: string;
let n = 0;
beforeEach(() => {
  routes.clear();
  dir = join(work, `feeds-${++n}`);
});

function feedsFile(feeds: Array<Record<string, unknown>>): string {
  const path = join(work, `feeds-${n}.json`);
  writeFileSync(path, JSON.stringify({ feeds }));
  return path;
}

const tor = (url = `${base}/tor.txt`) => ({
  name: 'tor-exits',
  url,
  category: 'tor-exit',
  kind: 'threat',
  format: 'TXT',
});
const at = (iso: string) => () => new Date(iso);

describe('updateFeeds', () => {
  it('stores a good feed with its date and SHA-256, as a list that keeps its category', async () => {
    routes.set('/tor.txt', { status: 200, type: 'text/plain', body: GOOD });
    const [result] = await updateFeeds({ feedsFile: feedsFile([tor()]), dir, now: at('2026-11-01T08:00:00Z') });
    const sha = createHash('sha256').update(GOOD).digest('hex');
    expect(result).toMatchObject({ name: 'tor-exits', ok: true, changed: true });
    expect(result?.copy).toMatchObject({ fetchedAt: '2026-11-01T08:00:00.000Z', sha256: sha, entries: 3 });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      feeds: Record<string, { sha256: string; fetchedAt: string }>;
    };
    expect(index.feeds['tor-exits']).toMatchObject({ sha256: sha, fetchedAt: '2026-11-01T08:00:00.000Z' });
    expect(readFileSync(join(dir, 'tor-exits.raw'), 'utf8')).toBe(GOOD);

    const [stored] = storedFeeds(dir);
    expect(stored).toMatchObject({ name: 'tor-exits', category: 'tor-exit', kind: 'threat' });
    const db = await Database.open({ path: ':memory:' });
    try {
      await migrate(db);
      const info = await loadIntelList(db, stored?.path ?? '', 'threat');
      expect(info).toMatchObject({ category: 'tor-exit', entries: 3 });
    } finally {
      db.close();
    }
  });

  it('refuses a 404 and keeps the previous copy, naming its date', async () => {
    routes.set('/tor.txt', { status: 200, type: 'text/plain', body: GOOD });
    const file = feedsFile([tor()]);
    await updateFeeds({ feedsFile: file, dir, now: at('2026-11-01T08:00:00Z') });
    routes.clear();
    const [result] = await updateFeeds({ feedsFile: file, dir, now: at('2026-11-02T08:00:00Z') });
    expect(result?.ok).toBe(false);
    expect(result?.error).toContain('HTTP 404');
    expect(result?.copy?.fetchedAt).toBe('2026-11-01T08:00:00.000Z');
    expect(storedFeeds(dir).map((f) => f.fetchedAt)).toEqual(['2026-11-01T08:00:00.000Z']);
    expect(readFileSync(join(dir, 'tor-exits.raw'), 'utf8')).toBe(GOOD);
  });

  it('refuses a malformed body with the line and the reason', async () => {
    routes.set('/tor.txt', { status: 200, type: 'text/plain', body: '185.220.101.4\n999.1.2.3\n' });
    const [result] = await updateFeeds({ feedsFile: feedsFile([tor()]), dir });
    expect(result?.ok).toBe(false);
    expect(result?.error).toMatch(/not a valid TXT list: line 2: /);
    expect(result?.copy).toBeNull();
    expect(storedFeeds(dir)).toEqual([]);
  });

  it('refuses an HTML error page served with status 200', async () => {
    routes.set('/tor.txt', {
      status: 200,
      type: 'text/plain',
      body: '<!DOCTYPE html><html><body>Rate limited</body></html>',
    });
    const [plain] = await updateFeeds({ feedsFile: feedsFile([tor()]), dir });
    expect(plain?.error).toBe('the server sent an HTML page, not a list');
    routes.set('/tor.txt', { status: 200, type: 'text/html; charset=utf-8', body: 'Sorry, try later' });
    const [typed] = await updateFeeds({ feedsFile: feedsFile([tor()]), dir });
    expect(typed?.error).toBe('the server sent an HTML page, not a list');
  });

  it('refuses an empty feed', async () => {
    routes.set('/tor.txt', { status: 200, type: 'text/plain', body: '# nothing today\n' });
    const [result] = await updateFeeds({ feedsFile: feedsFile([tor()]), dir });
    expect(result?.error).toContain('no usable entries');
  });

  it('says when the server is down and goes on with the other feeds', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    routes.set('/c2.txt', { status: 200, type: 'text/plain', body: '192.0.2.20 # botnet\n' });
    const results = await updateFeeds({
      feedsFile: feedsFile([
        tor(`http://127.0.0.1:${deadPort}/tor.txt`),
        { name: 'c2', url: `${base}/c2.txt`, category: 'c2' },
      ]),
      dir,
    });
    expect(results[0]).toMatchObject({ name: 'tor-exits', ok: false, copy: null });
    expect(results[0]?.error).toMatch(/^download failed \(ECONNREFUSED\)/);
    expect(results[1]).toMatchObject({ name: 'c2', ok: true, kind: 'threat' });
    expect(readFileSync(storedFeeds(dir)[0]?.path ?? '', 'utf8')).toContain('192.0.2.20 # botnet');
  });

  it('reports an unchanged download as such', async () => {
    routes.set('/tor.txt', { status: 200, type: 'text/plain', body: GOOD });
    const file = feedsFile([tor()]);
    await updateFeeds({ feedsFile: file, dir });
    const [again] = await updateFeeds({ feedsFile: file, dir });
    expect(again).toMatchObject({ ok: true, changed: false });
  });

  it('writes ranges from other formats as CIDR blocks the TXT reader accepts', async () => {
    routes.set('/stix.xml', {
      status: 200,
      type: 'application/xml',
      body:
        '<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"><stix:Title>Scanners</stix:Title>' +
        '<AddressObj:Address_Value condition="InclusiveBetween">198.51.100.0##comma##198.51.100.5</AddressObj:Address_Value>' +
        '</stix:STIX_Package>',
    });
    const [result] = await updateFeeds({
      feedsFile: feedsFile([{ name: 'stix', url: `${base}/stix.xml`, category: 'custom', format: 'STIX' }]),
      dir,
    });
    expect(result, result?.error).toMatchObject({ ok: true });
    const text = readFileSync(storedFeeds(dir)[0]?.path ?? '', 'utf8');
    expect(text).toContain('198.51.100.0/30 # Scanners');
    expect(text).toContain('198.51.100.4/31 # Scanners');
  });
});

describe('feeds file and folder', () => {
  it('the bundled feeds file is valid and names real categories', () => {
    const feeds = readFeedsFile(DEFAULT_FEEDS_FILE);
    expect(feeds.map((f) => f.category)).toContain('tor-exit');
    for (const f of feeds) expect(f.url).toMatch(/^https:\/\//);
  });

  it('refuses a feeds file with a bad entry, naming the file and the field', () => {
    const path = join(work, 'bad-feeds.json');
    writeFileSync(path, JSON.stringify({ feeds: [{ name: 'x', url: 'ftp://example.com/x', category: 'tor-exit' }] }));
    let error: unknown;
    try {
      readFeedsFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('feeds.0.url');
  });

  it('lives under LOUPE_CONFIG_DIR when set, else ~/.loupe/intel', () => {
    expect(defaultFeedDir({ LOUPE_CONFIG_DIR: '/tmp/x' })).toBe(join('/tmp/x', 'intel'));
    expect(defaultFeedDir({})).toMatch(/[\\/]\.loupe[\\/]intel$/);
    expect(existsSync(join(work, 'nowhere'))).toBe(false);
    expect(storedFeeds(join(work, 'nowhere'))).toEqual([]);
  });

  it("takes the feeds file from LOUPE_FEEDS_FILE when set, else Loupe's own", () => {
    const mine = join(tmpdir(), 'loupe-test-mine', 'feeds.json');
    expect(defaultFeedsFile({ LOUPE_FEEDS_FILE: mine })).toBe(mine);
    // A relative setting is taken from the working folder.
    expect(defaultFeedsFile({ LOUPE_FEEDS_FILE: 'my-feeds.json' })).toBe(join(process.cwd(), 'my-feeds.json'));
    expect(defaultFeedsFile({ LOUPE_FEEDS_FILE: '' })).toBe(DEFAULT_FEEDS_FILE);
    expect(defaultFeedsFile({})).toBe(DEFAULT_FEEDS_FILE);
  });
});
