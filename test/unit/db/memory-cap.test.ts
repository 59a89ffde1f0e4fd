import { afterEach, describe, expect, it } from 'vitest';
import { Database, sizeInBytes } from '../../../electron/engine/db/database';

let db: Database | undefined;
afterEach(() => db?.close());

async function limitBytes(d: Database): Promise<number> {
  // Read on a fresh connection: the setting is the instance's, not the connection's.
  const row = await d.one<{ v: string }>(`SELECT current_setting('memory_limit') AS v`);
  return sizeInBytes(row?.v ?? '') ?? Number.NaN;
}

/** DuckDB shows the setting rounded to a tenth of a GiB: within 5% is the same limit. */
function near(bytes: number, target: number): boolean {
  return Math.abs(bytes / target - 1) < 0.05;
}

describe('Database.withMemoryCap', () => {
  it('lowers the limit for the work, for every connection, and restores it after', async () => {
    db = await Database.open({ path: ':memory:', memoryLimit: '3GB' });
    const before = await limitBytes(db);
    expect(near(before, 3e9)).toBe(true);
    const inside = await db.withMemoryCap('1GB', async () => {
      const n = await db!.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM range(1000)`);
      return { n: n?.n, limit: await limitBytes(db!) };
    });
    expect(inside.n).toBe(1000);
    expect(near(inside.limit, 1e9)).toBe(true);
    expect(await limitBytes(db)).toBe(before);
  });

  it('never raises the limit, and restores it when the work fails', async () => {
    db = await Database.open({ path: ':memory:', memoryLimit: '512MB' });
    const before = await limitBytes(db);
    const seen = await db.withMemoryCap('1GB', () => limitBytes(db!));
    expect(seen).toBe(before);

    const big = await Database.open({ path: ':memory:', memoryLimit: '2GB' });
    try {
      await expect(
        big.withMemoryCap('1GB', async () => {
          throw new Error('load failed');
        }),
      ).rejects.toThrow('load failed');
      expect(near(await limitBytes(big), 2e9)).toBe(true);
    } finally {
      big.close();
    }
  });

  it('restores once when caps overlap', async () => {
    db = await Database.open({ path: ':memory:', memoryLimit: '4GB' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const outer = db.withMemoryCap('1GB', () => gate);
    const innerLimit = await db.withMemoryCap('1GB', () => limitBytes(db!));
    expect(near(innerLimit, 1e9)).toBe(true);
    // The inner cap ended while the outer one still runs: the cap stays.
    expect(near(await limitBytes(db), 1e9)).toBe(true);
    release();
    await outer;
    expect(near(await limitBytes(db), 4e9)).toBe(true);
  });

  it('lifts the cap for a piece of work inside it, then caps again', async () => {
    db = await Database.open({ path: ':memory:', memoryLimit: '3GB' });
    const seen = await db.withMemoryCap('1GB', async () => {
      const lifted = await db!.withoutMemoryCap(() => limitBytes(db!));
      return { lifted, after: await limitBytes(db!) };
    });
    expect(near(seen.lifted, 3e9)).toBe(true);
    expect(near(seen.after, 1e9)).toBe(true);
    expect(near(await limitBytes(db), 3e9)).toBe(true);
    // Outside any cap it changes nothing.
    expect(near(await db.withoutMemoryCap(() => limitBytes(db!)), 3e9)).toBe(true);
  });

  it('reads DuckDB size settings in both decimal and binary units', () => {
    expect(sizeInBytes('9642MB')).toBe(9_642_000_000);
    expect(sizeInBytes('953.6 MiB')).toBe(Math.round(953.6 * 1024 ** 2));
    expect(sizeInBytes('4GB')).toBe(4e9);
    expect(sizeInBytes('lots')).toBeNull();
  });
});
