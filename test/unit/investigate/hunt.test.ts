import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityKind } from '../../../shared/api/investigate';
import { ALICE, C2_DOMAIN, INSTANCE, openFixtureCase, type FixtureCase } from './case-fixture';
import { caller } from './call';

let fx: FixtureCase;
let call: ReturnType<typeof caller>;
beforeAll(async () => {
  fx = await openFixtureCase();
  call = caller(fx.db);
});
afterAll(() => fx.db.close());

describe('hunt:query', () => {
  it('runs a SELECT with bound parameters and pages through the result', async () => {
    const sql = 'SELECT event_uid, event_name FROM cloudtrail WHERE principal_arn = $who ORDER BY event_time';
    const first = await call('hunt:query', { sql, params: { who: ALICE }, limit: 4, queryId: 'q1' });
    expect(first.columns).toEqual([
      { name: 'event_uid', type: 'VARCHAR' },
      { name: 'event_name', type: 'VARCHAR' },
    ]);
    expect(first.rows).toEqual([
      ['ct-1', 'ListBuckets'],
      ['ct-2', 'ListBuckets'],
      ['ct-3', 'ListBuckets'],
      ['ct-4', 'GetObject'],
    ]);
    expect(first.hasMore).toBe(true);
    const second = await call('hunt:query', { sql, params: { who: ALICE }, offset: 4, limit: 4, queryId: 'q1' });
    expect(second.rows.map((r) => r[0])).toEqual(['ct-5', 'ct-6']);
    expect(second.hasMore).toBe(false);
    expect(second.offset).toBe(4);
  });

  it('accepts WITH queries, the FROM-first form and the case macros', async () => {
    const r = await call('hunt:query', {
      sql: `WITH x AS (FROM vpcflow SELECT dstaddr) SELECT dstaddr, ip4_is_public(dstaddr) AS pub, count(*)::INTEGER AS n FROM x GROUP BY ALL ORDER BY n DESC`,
      queryId: 'q2',
    });
    expect(r.rows[0]).toEqual(['203.0.113.50', true, 5]);
  });

  it.each([
    ['INSERT INTO files (file_id, path, size, type, status) VALUES (9, $p, 1, $p, $p)', 'INVALID_INPUT', 'read-only'],
    ['DELETE FROM findings', 'INVALID_INPUT', 'read-only'],
    ["COPY cloudtrail TO '/tmp/out.csv'", 'INVALID_INPUT', 'read-only'],
    ["ATTACH '/tmp/other.duckdb' AS other", 'INVALID_INPUT', 'read-only'],
    ['SET threads = 1', 'INVALID_INPUT', 'read-only'],
    ['SELECT 1; DROP TABLE findings', 'INVALID_INPUT', 'read-only'],
    ['SELECT 1; SELECT 2', 'INVALID_INPUT', '2 statements'],
    ["SELECT * FROM read_text('/etc/hostname')", 'FORBIDDEN', 'read_text'],
    ["SELECT * FROM read_csv('/etc/passwd')", 'FORBIDDEN', 'read_csv'],
    ["SELECT * FROM '/etc/passwd.csv'", 'FORBIDDEN', '/etc/passwd.csv'],
    ["SELECT * FROM query('DROP TABLE findings')", 'FORBIDDEN', 'query'],
    ["SELECT nextval('file_id_seq')", 'FORBIDDEN', 'nextval'],
    ["SELECT (SELECT count(*) FROM glob('/etc/*'))", 'FORBIDDEN', 'glob'],
  ])('refuses %s', async (sql, code, mention) => {
    await expect(call('hunt:query', { sql, params: { p: 'x' }, queryId: 'bad' })).rejects.toMatchObject({
      code,
      message: expect.stringContaining(mention),
    });
    const files = await fx.db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM files');
    expect(files?.n).toBe(3);
  });

  it('reports syntax and binder errors inline with DuckDB’s words', async () => {
    await expect(call('hunt:query', { sql: 'SELEC 1', queryId: 'e1' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('syntax error'),
    });
    await expect(
      call('hunt:query', { sql: 'SELECT no_such_column FROM cloudtrail', queryId: 'e2' }),
    ).rejects.toMatchObject({
      code: 'QUERY_FAILED',
      message: expect.stringContaining('no_such_column'),
      hint: expect.stringContaining('schema browser'),
    });
    await expect(
      call('hunt:query', { sql: 'SELECT * FROM cloudtrail WHERE source_ip = $ip', queryId: 'e3' }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('$ip'),
    });
  });

  it('cancels a running query by its id', async () => {
    const running = call('hunt:query', {
      sql: 'SELECT count(*) FROM range(100000000) a, range(100000000) b WHERE a.range + b.range = -1',
      queryId: 'slow',
    });
    // Wait until the query is registered, then cancel it (no sleeps: poll the condition).
    let cancelled = false;
    while (!cancelled) {
      cancelled = (await call('hunt:cancel', { queryId: 'slow' })).cancelled;
      if (!cancelled) await new Promise((resolve) => setImmediate(resolve));
    }
    await expect(running).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect((await call('hunt:cancel', { queryId: 'slow' })).cancelled).toBe(false);
  });
});

describe('hunt:schema', () => {
  it('lists the case tables with columns and row counts, and examples that all run', async () => {
    const schema = await call('hunt:schema', {});
    const names = schema.tables.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['cloudtrail', 'vpcflow', 'dns', 'findings', 'finding_events', 'files']),
    );
    // Only the case file's own tables: not the detection pass's in-memory scratch database.
    expect(names).not.toContain('flow_sides');
    const ct = schema.tables.find((t) => t.name === 'cloudtrail')!;
    expect(ct.rows).toBe(fx.counts.cloudtrail);
    expect(ct.columns.find((c) => c.name === 'event_time')?.type).toBe('TIMESTAMP WITH TIME ZONE');
    expect(schema.examples.length).toBeGreaterThanOrEqual(10);
    for (const ex of schema.examples) {
      const r = await call('hunt:query', { sql: ex.sql, params: ex.params, queryId: `ex-${ex.title}` });
      expect(r.columns.length, ex.title).toBeGreaterThan(0);
    }
  });
});

describe('hunt:pivot', () => {
  it.each<[EntityKind, string, number]>([
    ['principal', ALICE, 6],
    ['accessKey', 'AKIAALICE00000000001', 6],
    ['bucket', 'finance-data', 3],
    ['ip', '10.0.0.5', 8 + 3],
    ['ip', '198.51.100.7', 6],
    ['instance', INSTANCE, 1 + 8 + 3],
    ['domain', C2_DOMAIN, 2],
    ['account', '444455556666', 2],
  ])('builds a runnable "all activity" query for %s %s', async (kind, value, rows) => {
    const q = await call('hunt:pivot', { entity: { kind, value } });
    expect(q.params).toEqual({ value });
    expect(q.sql).not.toContain(value);
    const r = await call('hunt:query', { sql: q.sql, params: q.params, limit: 500, queryId: 'pivot' });
    expect(r.rows).toHaveLength(rows);
  });
});
