import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../db/database';
import { migrate } from '../db/schema';
import { writeError, writeFileAtomic } from './atomic-file';
import { migrateCaseJson } from './case-migrations';
import { caseStateSchema, describeIssues, emptyCaseState, type CaseState, type CaseStateInput } from './case-state';
import { errnoOf, nodeFs, type WorkspaceFs } from './fs-seam';
import {
  acquireLock,
  assertLockHeld,
  readLock,
  releaseLock,
  type LockHandle,
  type LockInfo,
  type LockOptions,
} from './lock';
import { buildManifest, emptyManifest, MANIFEST_FILE, readManifest, writeManifest } from './manifest';

/**
 * A case on disk is a folder `<name>.loupe/` holding
 *   case.duckdb      the evidence database (tables from db/schema.ts `migrate`)
 *   case.json        analyst state (case-state.ts), replaced atomically, previous copy in case.json.bak
 *   manifest.json    chain of custody: every source file with its SHA-256 (manifest.ts)
 *   case.lock        present while a Loupe has the case open for writing (lock.ts)
 * This module opens and saves that folder; it never opens DuckDB for the caller (the engine
 * does, at `ws.dbPath`), except to create the empty database of a new case.
 */
export const CASE_SUFFIX = '.loupe';
export const CASE_JSON = 'case.json';
export const CASE_BACKUP = 'case.json.bak';
export const CASE_DB = 'case.duckdb';
/** DuckDB's spill folder (Database `tempDirectory`), inside the case so big sorts stay on its disk. */
export const SPILL_DIR = '.spill';
/** A case.json larger than this is not something Loupe wrote. */
const MAX_CASE_JSON_BYTES = 64 * 1024 * 1024;

export interface Workspace {
  readonly dir: string;
  readonly dbPath: string;
  readonly spillDir: string;
  readonly readOnly: boolean;
  /** The last state read or saved. */
  state: CaseState;
  /** Our write lock; null when opened read-only. */
  readonly lock: LockHandle | null;
  /** Read-only opens only: who held the write lock at open time, if anyone. */
  readonly heldBy: LockInfo | null;
  /** Things worth telling the user that did not stop the open (e.g. a damaged manifest). */
  readonly warnings: string[];
  /** Set when the open migrated case.json from an older format. */
  readonly migratedFrom: number | null;
  closed: boolean;
}

export interface WorkspaceOptions {
  fs?: WorkspaceFs;
  /** Seams for the lock (host, pid, liveness) in tests. */
  lockOptions?: Omit<LockOptions, 'fs'>;
  now?: () => Date;
  /** Written into case.json as `writtenBy`. */
  appVersion?: string;
}

/** Adds `.loupe` unless the path already ends with it. */
export function caseDirFor(dir: string): string {
  const full = resolve(dir);
  return full.toLowerCase().endsWith(CASE_SUFFIX) ? full : full + CASE_SUFFIX;
}

const saving = new WeakMap<Workspace, Promise<unknown>>();

/**
 * Creates a new case at `dir` + `.loupe` (unless the name ends with it), or exactly at `dir`
 * with `exactDir` (an empty folder the user picked). Opens it for writing.
 */
export async function createWorkspace(
  dir: string,
  name: string,
  options: WorkspaceOptions & { exactDir?: boolean } = {},
): Promise<Workspace> {
  const fs = options.fs ?? nodeFs;
  const target = options.exactDir ? resolve(dir) : caseDirFor(dir);
  const state = validateState({ ...emptyCaseState(name, now(options)), writtenBy: options.appVersion });
  await assertEmptyTarget(target, fs);

  // Build in a hidden sibling and rename at the end: a crash never leaves a half-made case.
  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.creating`);
  try {
    await fs.mkdir(staging).catch((error: unknown) => {
      throw writeError(error, target);
    });
    const db = await Database.open({ path: join(staging, CASE_DB), threads: 1 });
    try {
      await migrate(db);
      await db.checkpoint();
    } finally {
      db.close();
    }
    await writeFileAtomic(join(staging, CASE_JSON), serialize(state), fs);
    await writeManifest(staging, emptyManifest(state.name, now(options)), fs);
    await replaceEmptyDir(staging, target, fs);
  } catch (error) {
    await fs.rm(staging).catch(() => undefined);
    throw error instanceof LoupeError ? error : writeError(error, target);
  }
  const lock = await acquireLock(target, { ...options.lockOptions, fs });
  return makeWorkspace(target, state, { lock, heldBy: null, warnings: [], migratedFrom: null, readOnly: false });
}

export async function openWorkspace(
  dir: string,
  options: WorkspaceOptions & { readOnly?: boolean } = {},
): Promise<Workspace> {
  const fs = options.fs ?? nodeFs;
  const target = resolve(dir);
  const readOnly = options.readOnly ?? false;
  await assertCaseFolder(target, fs);

  // Check everything before taking the lock, so a damaged case is refused without a write.
  await readCaseFile(target, fs, options);
  await assertDatabase(target, fs);

  let lock: LockHandle | null = null;
  let heldBy: LockInfo | null = null;
  if (readOnly) {
    heldBy = await readLock(target, fs).catch(() => null);
  } else {
    lock = await acquireLock(target, { ...options.lockOptions, fs });
  }
  try {
    // Read again under the lock: a writer may have saved between the check and the lock.
    const { state, fromVersion, bytes } = await readCaseFile(target, fs, options);
    await assertDatabase(target, fs);
    const warnings = await manifestWarnings(target, fs);
    const migratedFrom = fromVersion === state.formatVersion ? null : fromVersion;
    if (lock) {
      await sweepTemps(target, fs);
      if (migratedFrom !== null) {
        // Keep the file exactly as the older Loupe wrote it, then write the migrated state.
        const original = join(target, `case.v${migratedFrom}.json`);
        await writeFileAtomic(original, bytes, fs);
        await writeFileAtomic(join(target, CASE_JSON), serialize(state), fs);
        warnings.push(
          `case.json was upgraded from format ${migratedFrom}; the original is kept as case.v${migratedFrom}.json.`,
        );
      }
    } else if (migratedFrom !== null) {
      warnings.push(`case.json uses format ${migratedFrom}; it is shown upgraded but not rewritten (read-only).`);
    }
    return makeWorkspace(target, state, { lock, heldBy, warnings, migratedFrom, readOnly });
  } catch (error) {
    if (lock) await releaseLock(lock, fs).catch(() => undefined);
    throw error;
  }
}

/**
 * Validates and writes the analyst state. The current case.json (if sound) is first copied to
 * case.json.bak, then the new file replaces it atomically; saves on one workspace run one at a
 * time. On any failure the previous case.json is unchanged and the error names the file.
 */
export async function saveState(
  ws: Workspace,
  state: CaseStateInput,
  options: WorkspaceOptions = {},
): Promise<CaseState> {
  const previous = saving.get(ws) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => saveNow(ws, state, options));
  saving.set(ws, run);
  return run;
}

async function saveNow(ws: Workspace, input: CaseStateInput, options: WorkspaceOptions): Promise<CaseState> {
  const fs = options.fs ?? nodeFs;
  assertWritable(ws);
  const state = validateState({
    ...input,
    updatedAt: now(options).toISOString(),
    writtenBy: options.appVersion ?? input.writtenBy,
  });
  await assertLockHeld(ws.lock as LockHandle, fs);
  const file = join(ws.dir, CASE_JSON);
  const current = await fs.readFile(file).catch(() => null);
  if (current && isSound(current, file)) await writeFileAtomic(join(ws.dir, CASE_BACKUP), current, fs);
  await writeFileAtomic(file, serialize(state), fs);
  ws.state = state;
  return state;
}

/** Rewrites manifest.json from the case database's `files` table (after a load). */
export async function refreshManifest(
  ws: Workspace,
  db: Database,
  options: WorkspaceOptions & { signal?: AbortSignal } = {},
): Promise<void> {
  const fs = options.fs ?? nodeFs;
  assertWritable(ws);
  await assertLockHeld(ws.lock as LockHandle, fs);
  const manifest = await buildManifest(db, ws.state.name, { signal: options.signal });
  await writeManifest(ws.dir, manifest, fs);
}

/**
 * Copies the case to a new folder and opens the copy for writing; the original stays open
 * (the caller closes it and reopens DuckDB at the new dbPath). Pass the open `db` so its WAL
 * is checkpointed into case.duckdb first; no ingest or detection job may be running.
 */
export async function saveAs(
  ws: Workspace,
  newDir: string,
  options: WorkspaceOptions & { db?: Database; name?: string; state?: CaseStateInput } = {},
): Promise<Workspace> {
  const fs = options.fs ?? nodeFs;
  if (ws.closed) throw new LoupeError('NO_CASE_OPEN', `The case ${ws.dir} is closed.`);
  const target = caseDirFor(newDir);
  if (target === ws.dir) throw new LoupeError('INVALID_INPUT', `Save As needs a different folder than ${ws.dir}.`);
  const base = options.state ?? ws.state;
  const state = validateState({
    ...base,
    name: options.name ?? base.name,
    updatedAt: now(options).toISOString(),
    writtenBy: options.appVersion ?? base.writtenBy,
  });
  await assertEmptyTarget(target, fs);
  if (options.db) await options.db.checkpoint();

  const staging = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.saving`);
  try {
    await fs.mkdir(staging).catch((error: unknown) => {
      throw writeError(error, target);
    });
    await fs.copyFile(ws.dbPath, join(staging, CASE_DB)).catch((error: unknown) => {
      throw writeError(error, join(target, CASE_DB));
    });
    // Without a db to checkpoint, recent changes may still sit in the WAL: DuckDB replays it.
    await fs.copyFile(`${ws.dbPath}.wal`, join(staging, `${CASE_DB}.wal`)).catch((error: unknown) => {
      if (errnoOf(error) !== 'ENOENT') throw writeError(error, join(target, `${CASE_DB}.wal`));
    });
    if (options.db) {
      await writeManifest(staging, await buildManifest(options.db, state.name), fs);
    } else {
      const manifest = await readManifest(ws.dir, fs).catch(() => emptyManifest(state.name, now(options)));
      await writeManifest(staging, { ...manifest, caseName: state.name }, fs);
    }
    await writeFileAtomic(join(staging, CASE_JSON), serialize(state), fs);
    await replaceEmptyDir(staging, target, fs);
  } catch (error) {
    await fs.rm(staging).catch(() => undefined);
    throw error instanceof LoupeError ? error : writeError(error, target);
  }
  const lock = await acquireLock(target, { ...options.lockOptions, fs });
  return makeWorkspace(target, state, { lock, heldBy: null, warnings: [], migratedFrom: null, readOnly: false });
}

/** Releases the lock. Does not save: call saveState first. Safe to call twice. */
export async function closeWorkspace(ws: Workspace, options: WorkspaceOptions = {}): Promise<void> {
  if (ws.closed) return;
  await (saving.get(ws) ?? Promise.resolve()).catch(() => undefined);
  ws.closed = true;
  if (ws.lock) await releaseLock(ws.lock, options.fs ?? nodeFs);
}

/**
 * Puts case.json.bak back as case.json, keeping the damaged file beside it as
 * case.json.damaged-<time>. The user's way out of WORKSPACE_CORRUPT; takes the lock meanwhile.
 */
export async function restoreBackup(dir: string, options: WorkspaceOptions = {}): Promise<CaseState> {
  const fs = options.fs ?? nodeFs;
  const target = resolve(dir);
  const backupPath = join(target, CASE_BACKUP);
  const backup = await fs.readFile(backupPath).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') {
      throw new LoupeError('NOT_FOUND', `The case ${target} has no ${CASE_BACKUP} to restore.`, {
        hint: 'Recreate the case from the original logs.',
      });
    }
    throw error;
  });
  const { state } = migrateCaseJson(parseJson(backup, backupPath), backupPath, now(options));
  const lock = await acquireLock(target, { ...options.lockOptions, fs });
  try {
    const damaged = await fs.readFile(join(target, CASE_JSON)).catch(() => null);
    if (damaged) {
      const stamp = now(options).toISOString().replace(/[:.]/g, '-');
      await writeFileAtomic(join(target, `${CASE_JSON}.damaged-${stamp}`), damaged, fs);
    }
    await writeFileAtomic(join(target, CASE_JSON), backup, fs);
  } finally {
    await releaseLock(lock, fs);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------

function now(options: WorkspaceOptions): Date {
  return options.now ? options.now() : new Date();
}

function serialize(state: CaseState): string {
  return JSON.stringify(state, null, 2) + '\n';
}

function validateState(input: unknown): CaseState {
  const parsed = caseStateSchema.safeParse(input);
  if (!parsed.success) {
    throw new LoupeError('INVALID_INPUT', `The case state is not valid: ${describeIssues(parsed.error)}.`, {
      details: { issues: parsed.error.issues.slice(0, 20) },
    });
  }
  return parsed.data;
}

function makeWorkspace(
  dir: string,
  state: CaseState,
  rest: {
    lock: LockHandle | null;
    heldBy: LockInfo | null;
    warnings: string[];
    migratedFrom: number | null;
    readOnly: boolean;
  },
): Workspace {
  return { dir, dbPath: join(dir, CASE_DB), spillDir: join(dir, SPILL_DIR), state, closed: false, ...rest };
}

function assertWritable(ws: Workspace): void {
  if (ws.closed) throw new LoupeError('NO_CASE_OPEN', `The case ${ws.dir} is closed.`);
  if (ws.readOnly || !ws.lock) {
    throw new LoupeError('FORBIDDEN', `The case ${ws.dir} is open read-only.`, {
      hint: 'Use Save As to keep your changes in a new case folder.',
    });
  }
}

function parseJson(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new LoupeError('WORKSPACE_CORRUPT', `${file} is damaged (not valid JSON: ${(error as Error).message}).`, {
      hint: `Restore it from ${CASE_BACKUP} ("Restore backup"), or recreate the case from the original logs.`,
    });
  }
}

function isSound(bytes: Buffer, file: string): boolean {
  try {
    migrateCaseJson(parseJson(bytes, file), file);
    return true;
  } catch {
    return false;
  }
}

async function readCaseFile(
  dir: string,
  fs: WorkspaceFs,
  options: WorkspaceOptions,
): Promise<{ state: CaseState; fromVersion: number; bytes: Buffer }> {
  const file = join(dir, CASE_JSON);
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
    const hasBackup = await fs.stat(join(dir, CASE_BACKUP)).then(
      () => true,
      () => false,
    );
    throw new LoupeError('WORKSPACE_CORRUPT', `The case ${dir} has no ${CASE_JSON}.`, {
      hint: hasBackup
        ? `A backup exists: use "Restore backup" to put ${CASE_BACKUP} back.`
        : 'Is this a Loupe case folder? Open the folder that ends in .loupe.',
    });
  }
  if (size > MAX_CASE_JSON_BYTES) {
    throw new LoupeError(
      'WORKSPACE_CORRUPT',
      `${file} is damaged: ${size} bytes is far larger than any case Loupe writes.`,
      {
        hint: `Restore it from ${CASE_BACKUP} ("Restore backup").`,
      },
    );
  }
  const bytes = await fs.readFile(file);
  const { state, fromVersion } = migrateCaseJson(parseJson(bytes, file), file, now(options));
  return { state, fromVersion, bytes };
}

async function assertCaseFolder(dir: string, fs: WorkspaceFs): Promise<void> {
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) {
      throw new LoupeError('INVALID_INPUT', `${dir} is a file, not a case folder.`, {
        hint: 'Open the folder that ends in .loupe.',
      });
    }
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') {
      throw new LoupeError('NOT_FOUND', `There is no case folder at ${dir}.`, {
        hint: 'Check the path, or create a new case.',
      });
    }
    throw error;
  }
}

async function assertDatabase(dir: string, fs: WorkspaceFs): Promise<void> {
  const path = join(dir, CASE_DB);
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile() || stat.size === 0) throw Object.assign(new Error('empty'), { code: 'EEMPTY' });
  } catch (error) {
    const errno = errnoOf(error);
    if (errno !== 'ENOENT' && errno !== 'EEMPTY') throw error;
    throw new LoupeError(
      'WORKSPACE_CORRUPT',
      `The case ${dir} has ${errno === 'EEMPTY' ? 'an empty' : 'no'} ${CASE_DB} (the evidence database).`,
      {
        hint: 'Restore case.duckdb from a backup of this folder, or create a new case from the original logs. Nothing was changed.',
      },
    );
  }
}

async function manifestWarnings(dir: string, fs: WorkspaceFs): Promise<string[]> {
  try {
    await readManifest(dir, fs);
    return [];
  } catch (error) {
    return [
      error instanceof LoupeError
        ? `${error.message} ${error.hint ?? ''}`.trim()
        : `${MANIFEST_FILE}: ${String(error)}`,
    ];
  }
}

async function assertEmptyTarget(target: string, fs: WorkspaceFs): Promise<void> {
  const entries = await fs.readdir(target).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return [];
    if (errnoOf(error) === 'ENOTDIR') {
      throw new LoupeError('INVALID_INPUT', `${target} already exists and is a file.`, {
        hint: 'Choose another name or folder.',
      });
    }
    throw error;
  });
  if (entries.length > 0) {
    throw new LoupeError('INVALID_INPUT', `${target} already exists and is not empty.`, {
      hint: 'Open it, or choose another name or folder.',
    });
  }
  await fs.mkdir(dirname(target)).catch((error: unknown) => {
    throw writeError(error, target);
  });
}

async function replaceEmptyDir(staging: string, target: string, fs: WorkspaceFs): Promise<void> {
  const existing = await fs.readdir(target).catch(() => null);
  if (existing !== null) {
    if (existing.length > 0)
      throw new LoupeError('INVALID_INPUT', `${target} is no longer empty.`, { hint: 'Choose another folder.' });
    await fs.rm(target);
  }
  await fs.rename(staging, target);
  await fs.syncDir(dirname(target));
}

const LEFTOVER = /^(case\.json|case\.json\.bak|manifest\.json|case\.v\d+\.json)\.[0-9a-f]{12}\.tmp$/;

/**
 * Temp files a crash mid-save left behind. Only the ones saves make: we hold the lock, so no
 * one else is saving. Lock temps are left alone, another process may be publishing one now.
 */
async function sweepTemps(dir: string, fs: WorkspaceFs): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => LEFTOVER.test(n)).map((n) => fs.unlink(join(dir, n)).catch(() => undefined)));
}
