import type { Database } from './database';
import { EVENT_TABLES } from './schema-events';
import { FINDING_TABLES } from './schema-findings';

/**
 * Creates (or upgrades) every case table. Safe to run on every open.
 * 2: the investigation rollups (a case from version 1 gets them empty and marked stale; they are
 *    built on the first read, see electron/engine/investigate/rollups.ts).
 */
export const SCHEMA_VERSION = 2;

const META = `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`;

/** Derived tables the investigation views read; rebuilt from the event tables whenever stale. */
export const ROLLUP_TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS rollup_state (
     name VARCHAR PRIMARY KEY,       -- event_minutes | graph_adjacency
     signature VARCHAR NOT NULL,     -- what the rollup was built from (row counts, files, version)
     built_at TIMESTAMPTZ NOT NULL,
     rows BIGINT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS event_minutes (
     source VARCHAR NOT NULL,        -- cloudtrail | vpcflow | dns
     minute TIMESTAMPTZ NOT NULL,    -- time_bucket(1 minute, event time)
     account_id VARCHAR,
     region VARCHAR,
     n BIGINT NOT NULL,
     first_seen TIMESTAMPTZ NOT NULL,
     last_seen TIMESTAMPTZ NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS graph_adjacency (
     node_kind VARCHAR NOT NULL,     -- the endpoint this row is filed under (each edge twice)
     node VARCHAR NOT NULL,
     side VARCHAR NOT NULL,          -- src | dst: which end of the edge the node is
     source VARCHAR NOT NULL,
     account_id VARCHAR,
     region VARCHAR,
     sk VARCHAR NOT NULL,
     s VARCHAR NOT NULL,
     dk VARCHAR NOT NULL,
     d VARCHAR NOT NULL,
     rel VARCHAR NOT NULL,
     n BIGINT NOT NULL,
     first_seen TIMESTAMPTZ NOT NULL,
     last_seen TIMESTAMPTZ NOT NULL
   )`,
];

export async function migrate(db: Database): Promise<void> {
  for (const sql of [META, ...EVENT_TABLES, ...FINDING_TABLES, ...ROLLUP_TABLES]) await db.run(sql);
  await db.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)`, { v: String(SCHEMA_VERSION) });
}
