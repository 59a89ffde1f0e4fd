import { mkdtempSync, rmSync } from 'node:fs';
import { cp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { caseStateSchema, type CaseInfo, type CaseState } from '../../../shared/api/schemas';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../db/database';
import { migrate } from '../db/schema';
import { createAutosaver, type Autosaver } from '../workspace/autosave';
import { describeIssues } from '../workspace/case-state';
import { describeHolder } from '../workspace/lock';
import { rememberCase } from '../workspace/recent';
import {
  closeWorkspace,
  createWorkspace,
  openWorkspace,
  refreshManifest,
  saveAs as copyWorkspace,
  saveState,
  type Workspace,
} from '../workspace/workspace';
import { DB_THREADS, memoryLimitFor } from './workspace';

/**
 * One open case: the workspace folder (case.json, manifest, lock), its DuckDB database, and the
 * analyst state as the UI last changed it (saved by the autosaver). There is one notion of a
 * case: a temp case is a workspace inside a temp folder, deleted on close unless saved with
 * Save As.
 */
export interface CaseSession {
  ws: Workspace;
  db: Database;
  /** The temp folder holding a temp case; null for a case the user named. */
  tempRoot: string | null;
  /** The newest analyst state; the autosaver writes it to case.json. */
  state: CaseState;
  autosaver: Autosaver | null;
  /** The last failed autosave, shown as a warning until a save works. */
  saveError: LoupeError | null;
}

export interface SessionOptions {
  appVersion?: string;
  /** Where the recent-cases list lives (desktop: Electron's userData). */
  configDir?: string;
  autosaveDelayMs?: number;
}

/** Downloads from S3 are kept inside the case, so custody checks can re-hash them later. */
export const S3_CACHE_DIR = 's3-cache';

export function s3CacheDir(session: CaseSession): string {
  return join(session.ws.dir, S3_CACHE_DIR);
}

export async function openCaseDatabase(ws: Workspace): Promise<Database> {
  let db: Database;
  try {
    db = await Database.open({
      path: ws.dbPath,
      tempDirectory: ws.spillDir,
      threads: DB_THREADS,
      memoryLimit: memoryLimitFor(),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message)) {
      throw new LoupeError('WORKSPACE_LOCKED', `The case database ${ws.dbPath} is open in another Loupe process.`, {
        hint: 'Close the other Loupe window or command using this case, or open a copy of the case folder.',
        cause: error,
      });
    }
    throw new LoupeError('WORKSPACE_CORRUPT', `The case database ${ws.dbPath} could not be opened: ${message}`, {
      hint: 'Restore case.duckdb from a backup of this folder, or load the evidence into a new case.',
      cause: error,
    });
  }
  try {
    await migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function start(ws: Workspace, db: Database, tempRoot: string | null, options: SessionOptions): CaseSession {
  const session: CaseSession = { ws, db, tempRoot, state: ws.state, autosaver: null, saveError: null };
  if (!ws.readOnly) {
    session.autosaver = createAutosaver(ws, {
      delayMs: options.autosaveDelayMs ?? 2000,
      appVersion: options.appVersion,
      onSaved: () => {
        session.saveError = null;
      },
      onError: (error) => {
        session.saveError = error;
      },
    });
  }
  return session;
}

/**
 * Case folders open in this process. DuckDB's file lock only works between processes: a second
 * instance on the same file in one process would open it and the two would overwrite each
 * other. Two engines in one process (tests, a future multi-window app) are told no instead.
 */
const openHere = new Set<string>();

async function withDatabase(ws: Workspace, tempRoot: string | null, options: SessionOptions): Promise<CaseSession> {
  try {
    if (openHere.has(ws.dir)) {
      throw new LoupeError('WORKSPACE_LOCKED', `The case ${ws.dir} is already open in this Loupe.`, {
        hint: 'Switch to the window that has it open, or close it there first.',
      });
    }
    const session = start(ws, await openCaseDatabase(ws), tempRoot, options);
    openHere.add(ws.dir);
    return session;
  } catch (error) {
    await closeWorkspace(ws).catch(() => undefined);
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    throw error;
  }
}

/** A new temp case in its own folder under the OS temp dir. */
export async function createTempSession(name: string, options: SessionOptions = {}): Promise<CaseSession> {
  const tempRoot = mkdtempSync(join(tmpdir(), 'loupe-case-'));
  let ws: Workspace;
  try {
    ws = await createWorkspace(join(tempRoot, 'case'), name, { appVersion: options.appVersion });
  } catch (error) {
    rmSync(tempRoot, { recursive: true, force: true });
    throw error;
  }
  return withDatabase(ws, tempRoot, options);
}

/** A new named case at `dir` (`.loupe` is added to the folder name unless it is there). */
export async function createNamedSession(
  dir: string,
  name: string,
  options: SessionOptions & { exactDir?: boolean } = {},
): Promise<CaseSession> {
  const ws = await createWorkspace(dir, name, { appVersion: options.appVersion, exactDir: options.exactDir });
  const session = await withDatabase(ws, null, options);
  await remember(session, options);
  return session;
}

export async function openNamedSession(
  dir: string,
  options: SessionOptions & { readOnly?: boolean } = {},
): Promise<CaseSession> {
  const ws = await openWorkspace(dir, { readOnly: options.readOnly ?? false, appVersion: options.appVersion });
  const session = await withDatabase(ws, null, options);
  await remember(session, options);
  return session;
}

async function remember(session: CaseSession, options: SessionOptions): Promise<void> {
  // The recent list is a convenience: failing to write it never fails an open.
  await rememberCase({ dir: session.ws.dir, name: session.state.name }, { configDir: options.configDir }).catch(
    () => undefined,
  );
}

export function caseInfo(session: CaseSession): CaseInfo {
  const { ws } = session;
  const warnings = [...ws.warnings];
  if (session.saveError) warnings.push(`${session.saveError.message} ${session.saveError.hint ?? ''}`.trim());
  const held = ws.heldBy;
  if (ws.readOnly) {
    warnings.push(
      held
        ? `Opened read-only: the case is open for writing by ${describeHolder(held)}. Use Save As to keep changes.`
        : 'Opened read-only: use Save As to keep changes.',
    );
  }
  return {
    dir: ws.dir,
    name: session.state.name,
    temp: session.tempRoot !== null,
    readOnly: ws.readOnly,
    heldBy: held ? { pid: held.pid, host: held.host, user: held.user, app: held.app, startedAt: held.startedAt } : null,
    warnings,
    migratedFrom: ws.migratedFrom,
  };
}

/** Validates a changed state, keeps it, and lets the autosaver write it. */
export function updateSessionState(session: CaseSession, next: unknown): CaseState {
  if (session.ws.readOnly) {
    throw new LoupeError('FORBIDDEN', `The case ${session.ws.dir} is open read-only.`, {
      hint: 'Use Save As to keep your changes in a new case folder.',
    });
  }
  const state = parseState(next);
  session.state = state;
  session.autosaver?.schedule(state);
  return state;
}

export function parseState(next: unknown): CaseState {
  const parsed = caseStateSchema.safeParse(next);
  if (!parsed.success) throw invalidState(parsed.error);
  return parsed.data;
}

function invalidState(error: z.ZodError): LoupeError {
  return new LoupeError('INVALID_INPUT', `The case state is not valid: ${describeIssues(error)}.`, {
    details: { issues: error.issues.slice(0, 20) },
  });
}

/** Writes case.json now (whatever the autosaver holds, or the current state) and the manifest. */
export async function saveSession(session: CaseSession, options: SessionOptions = {}): Promise<void> {
  if (session.ws.readOnly) {
    throw new LoupeError('FORBIDDEN', `The case ${session.ws.dir} is open read-only.`, {
      hint: 'Use Save As to keep your changes in a new case folder.',
    });
  }
  await session.autosaver?.flush();
  await saveState(session.ws, session.state, { appVersion: options.appVersion });
  session.saveError = null;
  await refreshManifest(session.ws, session.db);
}

/**
 * Flushes the state and closes database and workspace; a temp case's folder is removed. Safe
 * to call once per session; errors from the final save are returned, not thrown, so a close
 * always releases the case.
 */
export async function closeSession(session: CaseSession): Promise<LoupeError | null> {
  let failure: LoupeError | null = null;
  if (session.autosaver && !session.ws.closed) {
    await session.autosaver.dispose();
    failure = session.saveError;
  }
  session.db.close();
  openHere.delete(session.ws.dir);
  await closeWorkspace(session.ws).catch(() => undefined);
  if (session.tempRoot) rmSync(session.tempRoot, { recursive: true, force: true });
  return failure;
}

/**
 * Save As: copies the case (database checkpointed first) to `dir`, then closes the original and
 * continues in the copy. A temp case's S3 downloads move along (custody checks re-hash them)
 * and its temp folder goes; a named original stays where it was, unchanged. The caller makes
 * sure no job writes meanwhile.
 */
export async function saveSessionAs(
  session: CaseSession,
  dir: string,
  options: SessionOptions & { name?: string } = {},
): Promise<CaseSession> {
  await session.autosaver?.flush();
  const copy = await copyWorkspace(session.ws, dir, {
    db: session.db,
    state: session.state,
    name: options.name,
    appVersion: options.appVersion,
  });
  const oldCache = s3CacheDir(session);
  await session.autosaver?.dispose();
  session.db.close();
  openHere.delete(session.ws.dir);
  await closeWorkspace(session.ws).catch(() => undefined);

  const newCache = join(copy.dir, basename(oldCache));
  const hasCache = await stat(oldCache).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (hasCache) {
    if (session.tempRoot) await rename(oldCache, newCache).catch(() => cp(oldCache, newCache, { recursive: true }));
    else await cp(oldCache, newCache, { recursive: true });
  }
  if (session.tempRoot) await rm(session.tempRoot, { recursive: true, force: true });

  const next = await withDatabase(copy, null, options);
  if (hasCache) {
    // The files table names where each S3 object's bytes are; they now live in the copy.
    await next.db.run(
      `UPDATE files SET local_path = $to || substr(local_path, length($from) + 1)
        WHERE starts_with(local_path, $from)`,
      { from: oldCache, to: newCache },
    );
    await refreshManifest(next.ws, next.db);
  }
  await remember(next, options);
  return next;
}
