import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import { BUNDLED_INTEL_DIR, loadBundledIntel, readBundledHeader } from '../../../electron/engine/intel/bundled';
import { listIntelLists, loadIntelList, loadIntelText, removeIntelList } from '../../../electron/engine/intel/lists';

const dir = mkdtempSync(join(tmpdir(), 'loupe-intel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let db: Database;
beforeEach(async () => {
  db = await Database.open({ path: ':memory:' });
  await migrate(db);
});
afterEach(() => db.close());

const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Which list a public address falls in, through the same range join the rules use. */
async function listsFor(ip: string): Promise<string[]> {
  const rows = await db.all<{ list_name: string }>(
    `SELECT DISTINCT list_name FROM intel WHERE ip4_to_int($ip) BETWEEN ip_start AND ip_end ORDER BY list_name`,
    { ip },
  );
  return rows.map((r) => r.list_name);
}

describe('loadIntelList', () => {
  it('loads a TXT threat list and names it after the file', async () => {
    const path = write('bad-ips.txt', '# our list\n198.51.100.7\n203.0.113.0/24\nevil.example\n');
    const info = await loadIntelList(db, path, 'threat');
    expect(info).toMatchObject({
      name: 'bad-ips.txt',
      kind: 'threat',
      entries: 3,
      format: 'TXT',
      category: 'custom',
      path,
    });
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await listsFor('203.0.113.200')).toEqual(['bad-ips.txt']);
    expect(await listsFor('198.51.100.8')).toEqual([]);
    const lists = await listIntelLists(db);
    expect(lists).toEqual([expect.objectContaining({ name: 'bad-ips.txt', entries: 3, sha256: info.sha256 })]);
  });

  it('refuses a malformed line naming the file and line, and keeps what was loaded before', async () => {
    await loadIntelList(db, write('good.txt', '198.51.100.7\n'), 'threat');
    const bad = write('broken.txt', '203.0.113.5\n203.0.113.500\nnot a value\n');
    const error = await loadIntelList(db, bad, 'threat').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).code).toBe('INTEL_INVALID');
    expect((error as LoupeError).message).toContain(bad);
    expect((error as LoupeError).message).toContain('line 2');
    expect((error as LoupeError).message).toContain('not a valid IPv4 address');
    expect((error as LoupeError).details).toMatchObject({ errors: [{ line: 2 }, { line: 3 }] });
    expect(await listsFor('198.51.100.7')).toEqual(['good.txt']);
    expect(await listsFor('203.0.113.5')).toEqual([]);
  });

  it('a refused new version of a list leaves the old version working', async () => {
    const path = write('rolling.txt', '198.51.100.7\n');
    await loadIntelList(db, path, 'threat');
    writeFileSync(path, '198.51.100.8\n198.51.100.999\n');
    await expect(loadIntelList(db, path, 'threat')).rejects.toThrow(/line 2/);
    expect(await listsFor('198.51.100.7')).toEqual(['rolling.txt']);
  });

  it('skipInvalid loads the good lines and reports the bad ones', async () => {
    const info = await loadIntelList(db, write('mixed.txt', '203.0.113.5\n203.0.113.500\n2001:db8::1\n'), 'threat', {
      skipInvalid: true,
    });
    expect(info.entries).toBe(1);
    expect(info.rejected).toEqual([expect.objectContaining({ line: 2 })]);
    expect(info.skipped).toEqual([expect.objectContaining({ line: 3, reason: expect.stringContaining('IPv6') })]);
  });

  it('reloading a list replaces its entries', async () => {
    const path = write('replace.txt', '198.51.100.7\n');
    await loadIntelList(db, path, 'trusted');
    writeFileSync(path, '198.51.100.9\n');
    await loadIntelList(db, path, 'trusted');
    expect(await listsFor('198.51.100.7')).toEqual([]);
    expect(await listsFor('198.51.100.9')).toEqual(['replace.txt']);
    expect(await removeIntelList(db, 'replace.txt')).toBe(true);
    expect(await listsFor('198.51.100.9')).toEqual([]);
  });

  it('reads the format from content or from the option', async () => {
    const otx = write('feed.csv', 'Indicator type, Indicator, Description\nIPv4, 198.51.100.1, botnet\n');
    expect((await loadIntelList(db, otx, 'threat')).format).toBe('OTX_CSV');
    await expect(loadIntelList(db, otx, 'threat', { name: 'as-text', format: 'TXT' })).rejects.toThrow(/line 1/);
  });

  it('takes the category from a header comment unless told otherwise', async () => {
    const tor = write('tor.txt', '# Tor exits\n# category: tor-exit\n185.220.101.4\n');
    expect((await loadIntelList(db, tor, 'threat')).category).toBe('tor-exit');
    expect((await loadIntelList(db, tor, 'threat', { name: 'tor-as-custom', category: 'custom' })).category).toBe(
      'custom',
    );
  });

  it('refuses missing, empty and oversized files with a clear code', async () => {
    await expect(loadIntelList(db, join(dir, 'nope.txt'), 'threat')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await expect(loadIntelList(db, write('empty.txt', '# nothing\n'), 'threat')).rejects.toMatchObject({
      code: 'FILE_EMPTY',
    });
    const big = write('big.txt', '');
    writeFileSync(big, Buffer.alloc(35 * 1024 * 1024 + 1, 0x20));
    await expect(loadIntelList(db, big, 'threat')).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('loads a 250,000-entry list in one statement', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 250_000; i++) lines.push(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const started = Date.now();
    const info = await loadIntelText(db, lines.join('\n'), 'threat', { name: 'large' });
    expect(info.entries).toBe(250_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await listsFor('10.3.208.143')).toEqual(['large']);
  }, 30_000);
});

describe('bundled lists', () => {
  it('every bundled file has a header with its date and how it was compiled', () => {
    const files = readdirSync(BUNDLED_INTEL_DIR).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const header = readBundledHeader(readFileSync(join(BUNDLED_INTEL_DIR, f), 'utf8'), f);
      expect(header.compiled).toMatch(/^\d{4}-\d{2}-\d{2}/);
      expect(readFileSync(join(BUNDLED_INTEL_DIR, f), 'utf8')).toMatch(/^# how: /m);
    }
  });

  it('load once, skip when unchanged, and the user-agent patterns are valid RE2', async () => {
    const first = await loadBundledIntel(db);
    expect(first.failed).toEqual([]);
    expect(first.loaded.map((l) => l.category).sort()).toEqual([
      'doh-resolver',
      'dyndns',
      'mining-pool',
      'pentest-ua',
      'test-domain',
    ]);
    const again = await loadBundledIntel(db);
    expect(again.loaded).toEqual([]);
    expect(again.unchanged).toHaveLength(first.loaded.length);
    const hits = await db.all<{ ua: string; distro: string }>(
      `SELECT u.ua, i.threat_name AS distro
         FROM (VALUES ('aws-cli/2.15.30 md/distrib#kali.2024 md/prompt#off'), ('aws-cli/1.32.0 python/3.11.8 linux/6.5.0-13parrot1-amd64'),
                      ('aws-cli/2.15.30 md/distrib#debian.12 exec-env/kalimantan')) u(ua)
         JOIN intel i ON i.entry_type = 'ua_pattern' AND regexp_matches(u.ua, i.value)
        ORDER BY u.ua`,
    );
    expect(hits.map((h) => h.distro).sort()).toEqual(['Kali Linux', 'Parrot Security']);
  });

  it('a bundled file without a header is reported, not fatal', async () => {
    const bundled = mkdtempSync(join(dir, 'bundled-'));
    writeFileSync(
      join(bundled, 'a.txt'),
      '# list: ok-list\n# category: dyndns\n# compiled: 2026-01-01 by us\n*.duckdns.org\n',
    );
    writeFileSync(join(bundled, 'b.txt'), '*.example.org\n');
    const result = await loadBundledIntel(db, { dir: bundled });
    expect(result.loaded.map((l) => l.name)).toEqual(['ok-list']);
    expect(result.failed).toEqual([
      expect.objectContaining({ file: join(bundled, 'b.txt'), error: expect.stringContaining('"# list:"') }),
    ]);
  });
});
