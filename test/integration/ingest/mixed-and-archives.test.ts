import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { create as createTar } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../../electron/engine/sources/ingest';
import { generateCase } from '../../fixtures/generator/index';
import { byName, ctKey, fileRows, jobContext, openLab, records, zipOf, type Lab } from './helpers';

let lab: Lab;
beforeEach(async () => {
  lab = await openLab();
});
afterEach(() => lab.close());

const scratchDirs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('loupe-archive-')));

describe('a mixed folder', () => {
  it('loads every log of every source and account, and says what it skipped and why', async () => {
    const root = join(lab.dir, 'in', 'case');
    const generated = await generateCase({
      outDir: root,
      seed: 7,
      start: '2026-03-01T00:00:00Z',
      days: 1,
      accounts: ['111122223333', '444455556666'],
      regions: ['us-east-1'],
      cloudtrail: { eventsPerDay: 600, fileMinutes: 120, digests: true },
      vpcflow: { recordsPerDay: 3000, format: 'custom-v5' },
      dns: { queriesPerDay: 600 },
      scenarios: [],
    });
    lab.write('case/README.txt', 'Exported from the incident bucket on 2026-03-02.\n');
    lab.write('case/notes/junk.bin', Buffer.from([0, 1, 2, 3, 255, 254, 0, 0]));
    lab.write(
      'case/notes/findings.json',
      JSON.stringify([{ schemaVersion: '2.0', type: 'UnauthorizedAccess:EC2/SSHBruteForce' }]),
    );

    const report = await ingestPaths(lab.db, [root], jobContext());
    expect(report.events).toEqual(generated.counts);
    expect(report.filesFailed).toBe(0);
    const files = await fileRows(lab.db);
    const digests = files.filter((f) => f.type === 'cloudtrail-digest');
    expect(digests.length).toBeGreaterThan(0);
    expect(digests.every((d) => d.status === 'skipped')).toBe(true);
    expect(byName(files, 'README.txt')).toMatchObject({ status: 'skipped', type: 'unknown' });
    expect(byName(files, 'junk.bin').reason).toMatch(/binary/);
    expect(byName(files, 'findings.json').reason).toMatch(/JSON, but not/);
    expect(report.filesSkipped).toBe(digests.length + 3);
    const accounts = await lab.db.all<{ a: string }>(
      `SELECT DISTINCT account_id AS a FROM files WHERE status = 'loaded' ORDER BY 1`,
    );
    expect(accounts.map((a) => a.a)).toEqual(['111122223333', '444455556666']);
    const sources = await lab.db.all<{ type: string }>(
      `SELECT DISTINCT type FROM files WHERE status = 'loaded' ORDER BY 1`,
    );
    expect(sources.map((s) => s.type)).toEqual(['cloudtrail', 'dns', 'vpcflow']);
    // Loading the same folder again reads nothing twice.
    const again = await ingestPaths(lab.db, [root], jobContext());
    expect(again.events).toEqual({ cloudtrail: 0, vpcflow: 0, dns: 0 });
    expect(again.filesDuplicate).toBe(report.filesLoaded);
  });
});

describe('archives', () => {
  it('opens .zip, .tar.gz and gzip-wrapped zips in a temp dir, shows archive!/inner paths, and cleans up', async () => {
    const before = scratchDirs();
    const inner = ctKey('us-east-1', 'INZIP');
    const gz = (await import('node:zlib')).gzipSync;
    const zip = zipOf([
      { name: inner, data: gz(records(0, 3)) },
      { name: 'export/plain.json', data: Buffer.from(records(3, 5)) },
      { name: 'nested/inner.zip', data: zipOf([{ name: 'deep.json', data: Buffer.from(records(5, 6)) }]) },
    ]);
    lab.write('evidence.zip', zip, false);
    lab.write('wrapped.zip.gz', zip, true); // same events again: deduped by eventID
    const staging = join(lab.dir, 'tarsrc');
    const tarMember = lab.write(
      '../tarsrc/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/01/t.json',
      records(10, 14),
      false,
    );
    const tarPath = join(lab.dir, 'in', 'bundle.tgz');
    await createTar({ gzip: true, file: tarPath, cwd: staging }, [relative(staging, tarMember)]);
    lab.write('broken.zip', zip.subarray(0, 40), false);

    const report = await ingestPaths(lab.db, [join(lab.dir, 'in')], jobContext());
    expect(report.events.cloudtrail).toBe(6 + 4);
    const files = await fileRows(lab.db);
    const zipped = byName(files, `evidence.zip!/${inner}`);
    expect(zipped).toMatchObject({ status: 'loaded', records: 3, account_id: '111122223333', region: 'us-east-1' });
    expect(byName(files, 'evidence.zip!/nested/inner.zip!/deep.json')).toMatchObject({ status: 'loaded', records: 1 });
    expect(byName(files, 'bundle.tgz!/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/01/t.json')).toMatchObject({
      status: 'loaded',
      region: 'eu-west-1',
    });
    expect(byName(files, `wrapped.zip.gz!/wrapped.zip!/${inner}`).status).toBe('duplicate');
    expect(byName(files, 'broken.zip')).toMatchObject({ status: 'failed' });
    expect(byName(files, 'broken.zip').reason).toMatch(/zip archive is corrupt or truncated/);
    // Nothing was written next to the inputs, and the scratch folders are gone.
    expect(readdirSync(join(lab.dir, 'in')).sort()).toEqual([
      'broken.zip',
      'bundle.tgz',
      'evidence.zip',
      'wrapped.zip.gz',
    ]);
    const left = [...scratchDirs()].filter((d) => !before.has(d));
    expect(left.filter((d) => existsSync(join(tmpdir(), d)))).toEqual([]);
  });

  it('removes the scratch folder when the load is cancelled', async () => {
    lab.write('evidence.zip', zipOf([{ name: 'a.json', data: Buffer.from(records(0, 3)) }]), false);
    const before = scratchDirs();
    const controller = new AbortController();
    const ctx = jobContext(controller.signal);
    ctx.report = (p) => {
      if (p.phase === 'load') controller.abort();
    };
    await expect(ingestPaths(lab.db, [join(lab.dir, 'in')], ctx)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect([...scratchDirs()].filter((d) => !before.has(d))).toEqual([]);
  });
});
