import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../../../electron/engine/db/database';
import { CASE_FORMAT_VERSION, emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { readManifest, verifyManifest } from '../../../electron/engine/workspace/manifest';
import {
  CASE_BACKUP,
  CASE_JSON,
  closeWorkspace,
  createWorkspace,
  openWorkspace,
  refreshManifest,
  restoreBackup,
  saveAs,
  saveState,
  type Workspace,
} from '../../../electron/engine/workspace/workspace';
import { diskFullAfterHalf, readOnlyFs } from '../../unit/workspace/failing-fs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let root: string;
const open: Workspace[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'loupe-ws-'));
});
afterEach(async () => {
  for (const ws of open.splice(0)) await closeWorkspace(ws).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

async function track(promise: Promise<Workspace>): Promise<Workspace> {
  const ws = await promise;
  open.push(ws);
  return ws;
}

async function caught(promise: Promise<unknown>): Promise<LoupeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoupeError) return error;
    throw error;
  }
  throw new Error('expected a LoupeError');
}

/** Every file in a folder with its bytes, to prove a refused open changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort())
    out[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
  return out;
}

async function makeClosedCase(name = 'Acme'): Promise<string> {
  const ws = await createWorkspace(join(root, name), name);
  await closeWorkspace(ws);
  return ws.dir;
}

describe('create, save, reopen', () => {
  it('creates <name>.loupe with a migrated DuckDB, case.json, manifest.json and a lock', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme breach'));
    expect(ws.dir).toBe(join(root, 'acme.loupe'));
    expect(readdirSync(ws.dir).sort()).toEqual(['case.duckdb', 'case.json', 'case.lock', 'manifest.json']);
    expect(JSON.parse(readFileSync(join(ws.dir, CASE_JSON), 'utf8'))).toMatchObject({
      formatVersion: CASE_FORMAT_VERSION,
      name: 'Acme breach',
    });
    // No staging folder left beside it.
    expect(readdirSync(root)).toEqual(['acme.loupe']);

    const db = await Database.open({ path: ws.dbPath });
    try {
      const tables = await db.all<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() ORDER BY 1`);
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['files', 'findings', 'finding_events', 'cloudtrail']),
      );
    } finally {
      db.close();
    }
  });

  it('refuses to create over a folder that is not empty', async () => {
    mkdirSync(join(root, 'busy.loupe'));
    writeFileSync(join(root, 'busy.loupe', 'something'), 'x');
    const error = await caught(createWorkspace(join(root, 'busy.loupe'), 'Busy'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/busy\.loupe already exists and is not empty/);
  });

  it('saves state, keeps the previous case.json as the backup, and reopens what was saved', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    const first = await saveState(ws, {
      ...ws.state,
      notes: [
        {
          id: 'n1',
          title: 'Scope',
          text: 'prod accounts only',
          createdAt: '2025-01-01T00:00:00Z',
          updatedAt: '2025-01-01T00:00:00Z',
        },
      ],
    });
    await saveState(ws, {
      ...first,
      findings: { f1: { status: 'investigating', comments: [], tags: ['ir-42'], updatedAt: '2025-01-02T00:00:00Z' } },
    });
    expect(JSON.parse(readFileSync(join(ws.dir, CASE_BACKUP), 'utf8')).notes[0].text).toBe('prod accounts only');
    expect(JSON.parse(readFileSync(join(ws.dir, CASE_BACKUP), 'utf8')).findings).toEqual({});
    await closeWorkspace(ws);
    expect(existsSync(join(ws.dir, 'case.lock'))).toBe(false);

    const again = await track(openWorkspace(ws.dir));
    expect(again.state.findings['f1']).toMatchObject({ status: 'investigating', tags: ['ir-42'] });
    expect(again.state.notes[0]?.text).toBe('prod accounts only');
    expect(again.warnings).toEqual([]);
  });

  it('refuses to save an invalid state and leaves the file alone', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    const before = readFileSync(join(ws.dir, CASE_JSON), 'utf8');
    const error = await caught(saveState(ws, { ...ws.state, name: '' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/name/);
    expect(readFileSync(join(ws.dir, CASE_JSON), 'utf8')).toBe(before);
  });

  it('runs overlapping saves one at a time; the last one wins', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    const saves = [1, 2, 3, 4, 5].map((i) => saveState(ws, { ...ws.state, name: `Acme ${i}` }));
    await Promise.all(saves);
    expect(JSON.parse(readFileSync(join(ws.dir, CASE_JSON), 'utf8')).name).toBe('Acme 5');
    expect(JSON.parse(readFileSync(join(ws.dir, CASE_BACKUP), 'utf8')).name).toBe('Acme 4');
    expect(readdirSync(ws.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('refusing damaged or foreign cases, untouched', () => {
  it('says there is no case folder', async () => {
    const error = await caught(openWorkspace(join(root, 'nope.loupe')));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('nope.loupe');
  });

  it('refuses a damaged case.json with WORKSPACE_CORRUPT and changes nothing', async () => {
    const dir = await makeClosedCase();
    writeFileSync(join(dir, CASE_JSON), '{"formatVersion": 1, "name": "Acme", "createdAt": ');
    const before = snapshot(dir);
    const error = await caught(openWorkspace(dir));
    expect(error.code).toBe('WORKSPACE_CORRUPT');
    expect(error.message).toMatch(/case\.json is damaged \(not valid JSON/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a case.json with wrong fields, naming the field', async () => {
    const dir = await makeClosedCase();
    const state = {
      ...emptyCaseState('Acme'),
      findings: { f1: { status: 'pwned', updatedAt: '2025-01-01T00:00:00Z' } },
    };
    writeFileSync(join(dir, CASE_JSON), JSON.stringify(state));
    const before = snapshot(dir);
    const error = await caught(openWorkspace(dir));
    expect(error.code).toBe('WORKSPACE_CORRUPT');
    expect(error.message).toMatch(/findings\.f1\.status/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a case whose DuckDB file is missing', async () => {
    const dir = await makeClosedCase();
    rmSync(join(dir, 'case.duckdb'));
    const before = snapshot(dir);
    const error = await caught(openWorkspace(dir));
    expect(error.code).toBe('WORKSPACE_CORRUPT');
    expect(error.message).toMatch(/has no case\.duckdb/);
    expect(error.hint).toMatch(/Nothing was changed/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses a case from a newer Loupe with WORKSPACE_TOO_NEW and changes nothing', async () => {
    const dir = await makeClosedCase();
    writeFileSync(
      join(dir, CASE_JSON),
      JSON.stringify({ ...emptyCaseState('Acme'), formatVersion: 99, hologram: true }),
    );
    const before = snapshot(dir);
    expect((await caught(openWorkspace(dir))).code).toBe('WORKSPACE_TOO_NEW');
    expect((await caught(openWorkspace(dir, { readOnly: true }))).code).toBe('WORKSPACE_TOO_NEW');
    expect(snapshot(dir)).toEqual(before);
  });

  it('restores the backup after case.json was damaged, keeping the damaged file', async () => {
    const ws = await createWorkspace(join(root, 'acme'), 'Acme');
    await saveState(ws, { ...ws.state, name: 'Acme v1' });
    await saveState(ws, { ...ws.state, name: 'Acme v2' });
    await closeWorkspace(ws);
    writeFileSync(join(ws.dir, CASE_JSON), 'garbage');
    const error = await caught(openWorkspace(ws.dir));
    expect(error.hint).toMatch(/case\.json\.bak/);
    const restored = await restoreBackup(ws.dir);
    expect(restored.name).toBe('Acme v1');
    expect(readdirSync(ws.dir).some((n) => n.startsWith('case.json.damaged-'))).toBe(true);
    const again = await track(openWorkspace(ws.dir));
    expect(again.state.name).toBe('Acme v1');
  });
});

describe('migration from format 0', () => {
  it('upgrades on a writable open and keeps the original bytes as case.v0.json', async () => {
    const dir = await makeClosedCase();
    const v0 = JSON.stringify({ name: 'Legacy', notes: 'old notes', findingStatus: { f9: 'resolved' } });
    writeFileSync(join(dir, CASE_JSON), v0);
    const ws = await track(openWorkspace(dir));
    expect(ws.migratedFrom).toBe(0);
    expect(ws.state.findings['f9']?.status).toBe('resolved');
    expect(readFileSync(join(dir, 'case.v0.json'), 'utf8')).toBe(v0);
    expect(JSON.parse(readFileSync(join(dir, CASE_JSON), 'utf8')).formatVersion).toBe(CASE_FORMAT_VERSION);
    expect(ws.warnings.join(' ')).toMatch(/upgraded from format 0/);
  });

  it('shows the upgraded state read-only without writing anything', async () => {
    const dir = await makeClosedCase();
    writeFileSync(join(dir, CASE_JSON), JSON.stringify({ name: 'Legacy' }));
    const before = snapshot(dir);
    const ws = await track(openWorkspace(dir, { readOnly: true }));
    expect(ws.state.formatVersion).toBe(CASE_FORMAT_VERSION);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('read-only folders and full disks', () => {
  it('refuses a writable open of a read-only folder with a clear way out, and opens it read-only', async () => {
    const dir = await makeClosedCase();
    const fs = readOnlyFs('EROFS');
    const error = await caught(openWorkspace(dir, { fs }));
    expect(error.code).toBe('FILE_UNWRITABLE');
    expect(error.message).toContain(dir);
    expect(error.hint).toMatch(/read-only/);

    const ws = await track(openWorkspace(dir, { fs, readOnly: true }));
    expect(ws.readOnly).toBe(true);
    expect(ws.lock).toBeNull();
    const saveError = await caught(saveState(ws, { ...ws.state, name: 'changed' }));
    expect(saveError.code).toBe('FORBIDDEN');
    expect(saveError.hint).toMatch(/Save As/);
  });

  it('loses nothing when the disk fills while writing case.json', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    await saveState(ws, { ...ws.state, name: 'Saved before' });
    const onDisk = readFileSync(join(ws.dir, CASE_JSON), 'utf8');
    const fs = diskFullAfterHalf((p) => p.includes(`${CASE_JSON}.`) && !p.includes(CASE_BACKUP));
    const error = await caught(saveState(ws, { ...ws.state, name: 'Never saved', notes: [] }, { fs }));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/disk is full/);
    expect(error.message).toContain(join(ws.dir, CASE_JSON));
    expect(readFileSync(join(ws.dir, CASE_JSON), 'utf8')).toBe(onDisk);
    expect(ws.state.name).toBe('Saved before');
    expect(readdirSync(ws.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    // Space freed: the next save works.
    await saveState(ws, { ...ws.state, name: 'Saved after' });
    expect(JSON.parse(readFileSync(join(ws.dir, CASE_JSON), 'utf8')).name).toBe('Saved after');
  });

  it('loses nothing when the disk fills while writing the backup', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    await saveState(ws, { ...ws.state, name: 'one' });
    await saveState(ws, { ...ws.state, name: 'two' });
    const caseBefore = readFileSync(join(ws.dir, CASE_JSON), 'utf8');
    const backupBefore = readFileSync(join(ws.dir, CASE_BACKUP), 'utf8');
    const fs = diskFullAfterHalf((p) => p.includes(`${CASE_BACKUP}.`));
    await caught(saveState(ws, { ...ws.state, name: 'three' }, { fs }));
    expect(readFileSync(join(ws.dir, CASE_JSON), 'utf8')).toBe(caseBefore);
    expect(readFileSync(join(ws.dir, CASE_BACKUP), 'utf8')).toBe(backupBefore);
  });
});

describe('manifest and Save As with a live database', () => {
  it('records loaded files, verifies them, and copies the case with its evidence', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    const evidence = join(root, 'trail.json.gz');
    writeFileSync(evidence, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]));
    const sha = createHash('sha256').update(readFileSync(evidence)).digest('hex');
    const db = await Database.open({ path: ws.dbPath, tempDirectory: ws.spillDir });
    try {
      await db.run(
        `INSERT INTO files (file_id, path, local_path, size, sha256, type, records, status, account_id, region)
         VALUES (1, $path, NULL, 6, $sha, 'cloudtrail', 42, 'loaded', '111122223333', 'us-east-1'),
                (2, 's3://b/AWSLogs/111122223333/CloudTrail/x.json.gz', NULL, 10, NULL, 'cloudtrail', 0, 'failed', NULL, NULL)`,
        { path: evidence, sha },
      );
      await refreshManifest(ws, db);
      const manifest = await readManifest(ws.dir);
      expect(manifest.files).toHaveLength(2);
      expect(manifest.files[0]).toMatchObject({
        fileId: 1,
        path: evidence,
        size: 6,
        sha256: sha,
        records: 42,
        status: 'loaded',
      });
      expect((await verifyManifest(manifest)).counts).toEqual({ match: 1, mismatch: 0, missing: 0, unverifiable: 1 });

      const copy = await track(saveAs(ws, join(root, 'copy'), { db, name: 'Acme copy' }));
      expect(copy.dir).toBe(join(root, 'copy.loupe'));
      expect(copy.state.name).toBe('Acme copy');
      expect(existsSync(join(copy.dir, 'case.lock'))).toBe(true);
      expect((await readManifest(copy.dir)).files[0]?.sha256).toBe(sha);
      // The original stays open and locked until its owner closes it.
      expect(existsSync(join(ws.dir, 'case.lock'))).toBe(true);
    } finally {
      db.close();
    }
    const copyDb = await Database.open({ path: join(root, 'copy.loupe', 'case.duckdb') });
    try {
      expect(await copyDb.one(`SELECT count(*)::INTEGER AS n FROM files`)).toEqual({ n: 2 });
    } finally {
      copyDb.close();
    }
    writeFileSync(evidence, 'tampered');
    expect((await verifyManifest(await readManifest(ws.dir))).ok).toBe(false);
  });

  it('refuses Save As onto the same folder or a non-empty one', async () => {
    const ws = await track(createWorkspace(join(root, 'acme'), 'Acme'));
    expect((await caught(saveAs(ws, ws.dir))).code).toBe('INVALID_INPUT');
    mkdirSync(join(root, 'full.loupe'));
    writeFileSync(join(root, 'full.loupe', 'x'), 'x');
    expect((await caught(saveAs(ws, join(root, 'full.loupe')))).message).toMatch(/not empty/);
  });
});

describe('two processes', () => {
  it('refuses a second writer while another process holds the case, then takes over once it died', async () => {
    const dir = await makeClosedCase();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/integration/workspace/hold-case.ts'), dir],
      {
        cwd: repoRoot,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    try {
      const pid = await new Promise<number>((done, fail) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /locked (\d+)/.exec(out);
          if (match) done(Number(match[1]));
        });
        child.once('exit', (code) => fail(new Error(`holder exited early with ${code}`)));
      });

      const error = await caught(openWorkspace(dir));
      expect(error.code).toBe('WORKSPACE_LOCKED');
      expect(error.message).toContain(`pid ${pid}`);

      const viewer = await track(openWorkspace(dir, { readOnly: true }));
      expect(viewer.heldBy?.pid).toBe(pid);

      // A crash: the holder dies without releasing its lock.
      child.kill('SIGKILL');
      await exited;
      const ws = await track(openWorkspace(dir));
      expect(ws.lock?.info.pid).toBe(process.pid);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
