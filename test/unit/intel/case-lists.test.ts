import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntelListRecord } from '../../../shared/api/schemas';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import { BUNDLED_INTEL_DIR } from '../../../electron/engine/intel/bundled';
import {
  caseRecord,
  listSource,
  reconcileIntelLists,
  setIntelAccounts,
} from '../../../electron/engine/intel/case-lists';
import { listIntelLists, loadIntelList } from '../../../electron/engine/intel/lists';

const dir = mkdtempSync(join(tmpdir(), 'loupe-case-lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const AT = '2026-11-22T10:00:00.000Z';
const A = '111122223333';
const B = '444455556666';

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

/** What both tables say about a list's scope (they must agree). */
async function scopes(name: string): Promise<{ lists: unknown; entries: unknown }> {
  const lists = await db.all<{ accounts: string[] | null }>(
    `SELECT accounts FROM intel_lists WHERE list_name = $name`,
    {
      name,
    },
  );
  const entries = await db.all<{ accounts: string[] | null }>(
    `SELECT DISTINCT accounts FROM intel WHERE list_name = $name`,
    { name },
  );
  return { lists: lists.map((r) => r.accounts), entries: entries.map((r) => r.accounts) };
}

async function record(path: string, kind: 'threat' | 'trusted' = 'threat'): Promise<IntelListRecord> {
  return caseRecord(await loadIntelList(db, path, kind), undefined, AT);
}

describe('reconcileIntelLists', () => {
  it('leaves a database that agrees with the record alone', async () => {
    const r = await record(write('agree.txt', '198.51.100.7\n'));
    const result = await reconcileIntelLists(db, [r], AT);
    expect(result).toMatchObject({ changed: false, databaseChanged: false, records: [r] });
    expect(result.problems.size).toBe(0);
  });

  it('sets the recorded scope in both tables, and drops lists the record has switched off', async () => {
    const scoped = await record(write('scoped.txt', '198.51.100.7\n203.0.113.0/24\n'));
    const off = await record(write('off.txt', 'evil.example\n'));
    const result = await reconcileIntelLists(
      db,
      [
        { ...scoped, accounts: [B, A] },
        { ...off, enabled: false },
      ],
      AT,
    );
    expect(result.databaseChanged).toBe(true);
    expect(result.changed).toBe(false);
    expect(await scopes('scoped.txt')).toEqual({ lists: [[A, B]], entries: [[A, B]] });
    expect((await listIntelLists(db)).map((l) => l.name)).not.toContain('off.txt');

    // Back to every account.
    await reconcileIntelLists(db, [{ ...scoped, accounts: undefined } as IntelListRecord], AT);
    expect(await scopes('scoped.txt')).toEqual({ lists: [null], entries: [null] });
  });

  it('reads a recorded list missing from the database again with its scope, or switches it off saying why', async () => {
    const path = write('missing.txt', '198.51.100.9\n');
    const r = caseRecord(
      { name: 'missing.txt', kind: 'trusted', format: 'TXT', path, sha256: 'a'.repeat(64), entries: 1, accounts: [A] },
      undefined,
      AT,
    );
    const gone = {
      ...r,
      id: 'threat:gone.txt',
      name: 'gone.txt',
      kind: 'threat' as const,
      source: join(dir, 'nope.txt'),
    };
    const result = await reconcileIntelLists(db, [r, gone], AT);
    expect(result.databaseChanged).toBe(true);
    expect(await scopes('missing.txt')).toEqual({ lists: [[A]], entries: [[A]] });
    expect((await listIntelLists(db)).find((l) => l.name === 'missing.txt')?.kind).toBe('trusted');
    expect(result.changed).toBe(true);
    expect(result.records.find((x) => x.id === gone.id)?.enabled).toBe(false);
    expect(result.problems.get(gone.id)).toContain('nope.txt');
  });

  it('gives an imported list the record does not know a record, and leaves bundled lists out', async () => {
    await loadIntelList(db, write('unknown.txt', '# accounts: 111122223333\n198.51.100.7\n'), 'threat');
    const result = await reconcileIntelLists(db, [], AT);
    expect(result.changed).toBe(true);
    expect(result.records).toEqual([
      expect.objectContaining({ id: 'threat:unknown.txt', enabled: true, accounts: [A], importedAt: AT }),
    ]);
  });
});

describe('loadIntelList defaultAccounts', () => {
  it('applies the case scope when the file names none; the header and explicit accounts win', async () => {
    const plain = write('plain.txt', '198.51.100.7\n');
    expect((await loadIntelList(db, plain, 'threat', { defaultAccounts: [A] })).accounts).toEqual([A]);
    const headed = write('headed.txt', `# accounts: ${B}\n198.51.100.7\n`);
    expect((await loadIntelList(db, headed, 'threat', { defaultAccounts: [A] })).accounts).toEqual([B]);
    expect((await loadIntelList(db, headed, 'threat', { accounts: [A], defaultAccounts: [B] })).accounts).toEqual([A]);
  });
});

describe('setIntelAccounts', () => {
  it('keeps intel and intel_lists in step', async () => {
    await loadIntelList(db, write('s.txt', '198.51.100.7\nevil.example\n'), 'threat');
    await setIntelAccounts(db, 's.txt', [B, A]);
    expect(await scopes('s.txt')).toEqual({ lists: [[A, B]], entries: [[A, B]] });
    await setIntelAccounts(db, 's.txt', []);
    expect(await scopes('s.txt')).toEqual({ lists: [null], entries: [null] });
  });
});

describe('listSource', () => {
  it('reads a bundled list compile date from its header', () => {
    expect(listSource(join(BUNDLED_INTEL_DIR, 'mining-pools.txt'), true)).toMatchObject({
      origin: 'bundled',
      sourceDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it('knows a feed copy by the feed folder index, and anything else as a file', () => {
    const feeds = join(dir, 'feeds');
    mkdirSync(feeds, { recursive: true });
    const text = '# category: tor-exit\n198.51.100.1\n';
    writeFileSync(join(feeds, 'tor-exits.txt'), text);
    writeFileSync(
      join(feeds, 'index.json'),
      JSON.stringify({
        version: 1,
        feeds: {
          'tor-exits': {
            url: 'https://feeds.example/tor.txt',
            category: 'tor-exit',
            kind: 'threat',
            format: 'TXT',
            fetchedAt: '2026-11-01T08:00:00.000Z',
            sha256: createHash('sha256').update(text).digest('hex'),
            bytes: text.length,
            entries: 1,
            file: 'tor-exits.txt',
            raw: 'tor-exits.raw',
          },
        },
      }),
    );
    expect(listSource(join(feeds, 'tor-exits.txt'), false)).toEqual({
      origin: 'feed',
      sourceDate: '2026-11-01T08:00:00.000Z',
      url: 'https://feeds.example/tor.txt',
    });
    expect(listSource(write('mine.txt', '198.51.100.7\n'), false)).toEqual({
      origin: 'file',
      sourceDate: null,
      url: null,
    });
  });
});
