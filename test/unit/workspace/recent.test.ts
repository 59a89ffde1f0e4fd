import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configDir,
  forgetCase,
  recentCases,
  RECENT_FILE,
  rememberCase,
} from '../../../electron/engine/workspace/recent';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loupe-recent-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('configDir', () => {
  it('prefers the explicit option, then LOUPE_CONFIG_DIR, then the platform folder', () => {
    expect(configDir({ configDir: join(root, 'x'), env: { LOUPE_CONFIG_DIR: '/elsewhere' } })).toBe(join(root, 'x'));
    expect(configDir({ env: { LOUPE_CONFIG_DIR: join(root, 'env') } })).toBe(join(root, 'env'));
    const home = join(root, 'ana');
    expect(configDir({ env: {}, platform: 'linux', home })).toBe(join(home, '.config', 'loupe'));
    expect(configDir({ env: { XDG_CONFIG_HOME: join(root, 'xdg') }, platform: 'linux', home })).toBe(
      join(root, 'xdg', 'loupe'),
    );
    expect(configDir({ env: {}, platform: 'darwin', home })).toBe(
      join(home, 'Library', 'Application Support', 'Loupe'),
    );
    expect(
      configDir({ env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\ana' }),
    ).toMatch(/Loupe$/);
  });
});

describe('recent cases', () => {
  it('lists the most recently opened first, without duplicates, and says which still exist', async () => {
    const options = { configDir: join(root, 'cfg') };
    const a = join(root, 'a.loupe');
    const b = join(root, 'b.loupe');
    mkdirSync(a);
    await rememberCase({ dir: a, name: 'A' }, { ...options, now: new Date('2025-01-01T00:00:00Z') });
    await rememberCase({ dir: b, name: 'B' }, { ...options, now: new Date('2025-01-02T00:00:00Z') });
    await rememberCase({ dir: a, name: 'A renamed' }, { ...options, now: new Date('2025-01-03T00:00:00Z') });
    const list = await recentCases(options);
    expect(list.map((c) => [c.name, c.exists])).toEqual([
      ['A renamed', true],
      ['B', false],
    ]);
    expect(list[0]?.openedAt).toBe('2025-01-03T00:00:00.000Z');

    await forgetCase(b, options);
    expect((await recentCases(options)).map((c) => c.dir)).toEqual([a]);
  });

  it('keeps at most 20 entries', async () => {
    const options = { configDir: join(root, 'cfg') };
    for (let i = 0; i < 25; i++) await rememberCase({ dir: join(root, `c${i}.loupe`), name: `c${i}` }, options);
    const list = await recentCases(options);
    expect(list).toHaveLength(20);
    expect(list[0]?.name).toBe('c24');
  });

  it('reads a damaged list as empty and rewrites it on the next open', async () => {
    const cfg = join(root, 'cfg');
    mkdirSync(cfg);
    writeFileSync(join(cfg, RECENT_FILE), '{ not json');
    expect(await recentCases({ configDir: cfg })).toEqual([]);
    await rememberCase({ dir: join(root, 'z.loupe'), name: 'Z' }, { configDir: cfg });
    expect(JSON.parse(readFileSync(join(cfg, RECENT_FILE), 'utf8')).cases).toHaveLength(1);
  });

  it('uses LOUPE_CONFIG_DIR when no option is given', async () => {
    const env = { LOUPE_CONFIG_DIR: join(root, 'from-env') };
    await rememberCase({ dir: join(root, 'e.loupe'), name: 'E' }, { env });
    expect(readFileSync(join(root, 'from-env', RECENT_FILE), 'utf8')).toContain('"E"');
  });
});
