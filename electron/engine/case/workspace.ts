import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where a case lives on disk: one folder holding `case.duckdb` and DuckDB's spill directory.
 * A workspace nobody named is a temp folder that belongs to the engine and is removed on close;
 * a named one is the user's and only its spill directory is cleaned up.
 */
export interface Workspace {
  readonly dir: string;
  readonly owned: boolean;
  /** Path of the case database inside the workspace. */
  dbPath(caseIndex: number): string;
  spillDir(): string;
  dispose(): void;
}

export const CASE_DB_FILE = 'case.duckdb';

export function createWorkspace(dir?: string): Workspace {
  const owned = dir === undefined;
  const root = owned ? mkdtempSync(join(tmpdir(), 'loupe-case-')) : resolve(dir);
  mkdirSync(root, { recursive: true });
  return {
    dir: root,
    owned,
    // A temp workspace gives every opened case a fresh database; a named workspace is one case,
    // so reopening it adds evidence to the same database (ingest skips files it already has).
    dbPath: (caseIndex) => (owned ? join(root, `case-${caseIndex}`, CASE_DB_FILE) : join(root, CASE_DB_FILE)),
    spillDir: () => join(root, '.spill'),
    dispose: () => {
      rmSync(owned ? root : join(root, '.spill'), { recursive: true, force: true });
    },
  };
}

/** True when `dir` already holds a case database (so `serve <dir>` reopens it instead of ingesting). */
export function isWorkspaceDir(dir: string): boolean {
  return existsSync(join(dir, CASE_DB_FILE));
}

/**
 * DuckDB settings chosen on purpose rather than left to defaults: two threads (the loaders were
 * measured to saturate two cores; more only adds contention with the UI), and a memory limit
 * derived from the machine so a big case spills to the workspace instead of taking the laptop.
 */
export const DB_THREADS = 2;

export function memoryLimitFor(totalBytes: number = totalmem()): string {
  const mib = Math.floor((totalBytes * 0.4) / (1024 * 1024));
  return `${Math.min(16 * 1024, Math.max(512, mib))}MB`;
}
