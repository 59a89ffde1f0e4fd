import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LoupeError } from '../../../shared/errors';
import { Database } from '../db/database';
import { migrate } from '../db/schema';
import { DB_THREADS, memoryLimitFor, type Workspace } from './workspace';

/** One open case: its database inside the workspace, and the name shown in the UI. */
export interface CaseSession {
  readonly db: Database;
  readonly dbPath: string;
  name: string;
}

export async function openCaseDatabase(workspace: Workspace, caseIndex: number): Promise<Database> {
  const path = workspace.dbPath(caseIndex);
  mkdirSync(dirname(path), { recursive: true });
  let db: Database;
  try {
    db = await Database.open({
      path,
      tempDirectory: workspace.spillDir(),
      threads: DB_THREADS,
      memoryLimit: memoryLimitFor(),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lock/i.test(message)) {
      throw new LoupeError('WORKSPACE_LOCKED', `The case database ${path} is open in another Loupe process.`, {
        hint: 'Close the other Loupe window or command using this workspace, or choose another workspace folder.',
        cause: error,
      });
    }
    throw new LoupeError('WORKSPACE_CORRUPT', `The case database ${path} could not be opened: ${message}`, {
      hint: 'Open the evidence into a new workspace folder.',
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

const NAME_KEY = 'case_name';

export async function readCaseName(db: Database): Promise<string | null> {
  const row = await db.one<{ value: string }>(`SELECT value FROM meta WHERE key = $key`, { key: NAME_KEY });
  return row?.value ?? null;
}

export async function writeCaseName(db: Database, name: string): Promise<void> {
  await db.run(`INSERT OR REPLACE INTO meta VALUES ($key, $value)`, { key: NAME_KEY, value: name });
}
