import { existsSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { CASE_DB, CASE_JSON, caseDirFor } from '../workspace/workspace';

/**
 * Where a case folder is, given what a person typed: the folder itself when it holds a case,
 * else the same name with `.loupe` when that does (so `--workspace acme` finds `acme.loupe`).
 * Null when neither is a case folder.
 */
export function findCaseDir(path: string): string | null {
  for (const dir of [resolve(path), caseDirFor(path)]) if (isCaseDir(dir)) return dir;
  return null;
}

/** True when `dir` is a case folder: case.json and case.duckdb inside. */
export function isCaseDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, CASE_JSON)) && existsSync(join(dir, CASE_DB));
  } catch {
    return false;
  }
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
