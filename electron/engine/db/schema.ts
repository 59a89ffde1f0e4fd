import type { Database } from './database';
import { EVENT_TABLES, FLOW_EXTRA_COLUMNS } from './schema-events';
import { FINDING_TABLES } from './schema-findings';

/**
 * Creates (or upgrades) every case table. Safe to run on every open.
 * 2: the investigation rollups (a case from version 1 gets them empty and marked stale; they are
 *    built on the first read, see electron/engine/investigate/rollups.ts).
 * 3: vpcflow keeps the fields nothing reads in one JSON column, `extra` (an older case has its
 *    values moved there and those columns dropped, see `moveFlowExtras`).
 */
export const SCHEMA_VERSION = 3;

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
  await moveFlowExtras(db);
  await db.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)`, { v: String(SCHEMA_VERSION) });
}

/**
 * Version 3: a case made before it has a vpcflow column per extra field. Their values move into
 * `extra` (only rows with one, so a default-format case only pays a scan), then the columns go.
 * DuckDB refuses an ALTER and an UPDATE of the same table in one transaction, so these are
 * separate statements; each is safe to repeat, so a case stopped half-way finishes on its next
 * open (the UPDATE merges into what `extra` already holds).
 */
async function moveFlowExtras(db: Database): Promise<void> {
  const present = await db.all<{ name: string }>(
    `SELECT column_name AS name FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'vpcflow'`,
  );
  const names = new Set(present.map((c) => c.name));
  const old = FLOW_EXTRA_COLUMNS.filter((c) => names.has(c));
  if (old.length === 0) return;
  const object = old.map((c) => `'${c}', ${c}`).join(', ');
  const any = old.map((c) => `${c} IS NOT NULL`).join(' OR ');
  if (!names.has('extra')) await db.run(`ALTER TABLE vpcflow ADD COLUMN extra JSON`);
  await db.run(
    `UPDATE vpcflow SET extra = json_merge_patch(coalesce(extra, '{}'), json_object(${object})) WHERE ${any}`,
  );
  for (const c of old) await db.run(`ALTER TABLE vpcflow DROP COLUMN ${c}`);
}
