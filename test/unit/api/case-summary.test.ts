import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import type { Database } from '../../../electron/engine/db/database';
import { caseSummary, listFiles } from '../../../electron/engine/case/summary';
import { memoryLimitFor } from '../../../electron/engine/case/workspace';
import { addCloudTrail, addFile, openCaseDb, seedFindings } from './case-fixture';

let db: Database;
beforeEach(async () => {
  db = await openCaseDb();
  await addFile(db, { id: 1, path: '/logs/a.json.gz', account: '111122223333', records: 2 });
  await addFile(db, { id: 2, path: '/logs/notes.txt', status: 'skipped', reason: 'not an AWS log' });
  await addFile(db, { id: 3, path: '/logs/broken.json.gz', status: 'failed', reason: 'gzip: unexpected end of file' });
  await addCloudTrail(db, { uid: 'a', time: '2024-05-01T00:00:00Z', name: 'ListUsers', fileId: 1, position: 0 });
  await addCloudTrail(db, {
    uid: 'b',
    time: '2024-05-02T12:00:00Z',
    name: 'GetObject',
    fileId: 1,
    position: 1,
    account: '999988887777',
  });
  await seedFindings(db);
});
afterEach(() => db.close());

describe('case:summary', () => {
  it('reports sources with their time span, accounts, file outcomes and open findings', async () => {
    const summary = await caseSummary(db, { name: 'demo', workspaceDir: '/tmp/ws' });
    expect(contract['case:summary'].output.parse(summary)).toEqual(summary);
    expect(summary.sources.find((s) => s.source === 'cloudtrail')).toEqual({
      source: 'cloudtrail',
      files: 1,
      events: 2,
      firstEvent: '2024-05-01T00:00:00.000Z',
      lastEvent: '2024-05-02T12:00:00.000Z',
    });
    expect(summary.sources.find((s) => s.source === 'vpcflow')).toMatchObject({ events: 0, firstEvent: null });
    expect(summary.accounts).toEqual(['111122223333', '999988887777']);
    expect(summary).toMatchObject({ name: 'demo', filesLoaded: 1, filesSkipped: 1, filesFailed: 1, findings: 4 });
  });
});

describe('files:list', () => {
  it('pages the manifest in file order and filters by status', async () => {
    const all = await listFiles(db, { offset: 0, limit: 2 });
    expect(contract['files:list'].output.parse(all)).toEqual(all);
    expect(all.total).toBe(3);
    expect(all.rows.map((r) => r.fileId)).toEqual([1, 2]);
    expect(all.rows[0]).toMatchObject({
      path: '/logs/a.json.gz',
      size: 100,
      records: 2,
      status: 'loaded',
      accountId: '111122223333',
    });
    const failed = await listFiles(db, { offset: 0, limit: 10, status: 'failed' });
    expect(failed.total).toBe(1);
    expect(failed.rows[0]).toMatchObject({ path: '/logs/broken.json.gz', reason: 'gzip: unexpected end of file' });
  });
});

describe('memoryLimitFor', () => {
  it('takes 40% of memory, at least 512 MB and at most 16 GB', () => {
    const gib = 1024 ** 3;
    expect(memoryLimitFor(8 * gib)).toBe('3276MB');
    expect(memoryLimitFor(gib)).toBe('512MB');
    expect(memoryLimitFor(256 * gib)).toBe('16384MB');
  });
});
