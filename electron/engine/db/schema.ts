import type { Database } from './database';
import { EVENT_TABLES } from './schema-events';
import { FINDING_TABLES } from './schema-findings';

/** Creates (or upgrades) every case table. Safe to run on every open. */
export const SCHEMA_VERSION = 1;

const META = `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`;

export async function migrate(db: Database): Promise<void> {
  for (const sql of [META, ...EVENT_TABLES, ...FINDING_TABLES]) await db.run(sql);
  await db.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)`, { v: String(SCHEMA_VERSION) });
}
