import { readFileSync } from 'node:fs';
import { LoupeError } from '../../../../shared/errors';
import type { Database, QueryOptions } from '../../db/database';
import { resourcePath } from '../../resources-dir';

/**
 * Reference data the analyzers join on, shipped in resources/behaviour and loaded into small
 * tables at the start of a run: the API -> tactic map, the S3 API classes, the DGA character
 * model and the list of cheap, much-abused top-level domains. Loading takes milliseconds and
 * keeps every analyzer a plain join.
 */
export const BEHAVIOUR_DIR = resourcePath('behaviour');

export const TACTICS = [
  'CredentialAccess',
  'DefenseEvasion',
  'Discovery',
  'Exfiltration',
  'Impact',
  'InitialAccess',
  'Persistence',
  'PrivilegeEscalation',
] as const;
export type Tactic = (typeof TACTICS)[number];
export const S3_CLASSES = ['read', 'write', 'delete', 'permission', 'discovery'] as const;
export type S3Class = (typeof S3_CLASSES)[number];

export interface ApiTacticMap {
  tactics: Record<string, string[]>;
  prefixes: Array<[string, string]>;
  s3: Record<string, string[] | string>;
}

export interface DgaModel {
  order: number;
  /** log P(last char | the chars before) for every n-gram seen in training. */
  grams: Record<string, number>;
  /** log P for an n-gram never seen after this context. */
  contexts: Record<string, number>;
  unseen: number;
  /** Mean log-likelihood per n-gram below which a label counts as generated. */
  threshold: number;
  minLength: number;
  about?: string;
  measured?: unknown;
}

function readJson<T>(name: string, dir: string): T {
  const path = `${dir}/${name}`;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new LoupeError('FILE_CORRUPT', `Behaviour data ${path} could not be read: ${(error as Error).message}`, {
      hint: 'Reinstall Loupe or restore resources/behaviour from the repository.',
    });
  }
}

export function loadApiTactics(dir = BEHAVIOUR_DIR): ApiTacticMap {
  return readJson<ApiTacticMap>('api-tactics.json', dir);
}

export function loadDgaModel(dir = BEHAVIOUR_DIR): DgaModel {
  return readJson<DgaModel>('dga-model.json', dir);
}

export function loadSuspiciousTlds(dir = BEHAVIOUR_DIR): string[] {
  const text = readFileSync(`${dir}/suspicious-tlds.txt`, 'utf8');
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim().toLowerCase().replace(/^\./, ''))
    .filter((l) => l !== '');
}

/** The tactic of one event name, as the SQL join resolves it (explicit entry, else first matching prefix). */
export function tacticOf(map: ApiTacticMap, eventName: string): string | null {
  for (const [tactic, names] of Object.entries(map.tactics)) if (names.includes(eventName)) return tactic;
  for (const [prefix, tactic] of map.prefixes) if (eventName.startsWith(prefix)) return tactic;
  return null;
}

/** Creates `table` from rows of values (bound as one JSON parameter). */
export async function loadRows(
  db: Database,
  table: string,
  columns: string,
  rows: unknown[][],
  options: QueryOptions,
): Promise<void> {
  // Table and column names are the fixed literals of the callers below, never input.
  const casts = columns.split(',').map((c, i) => {
    const [name, type] = c.trim().split(' ');
    return `(r->>${i})::${type} AS ${name}`;
  });
  await db.run(`CREATE OR REPLACE TABLE ${table} (${columns})`, undefined, options);
  if (rows.length === 0) return;
  await db.run(
    `INSERT INTO ${table} SELECT ${casts.join(', ')} FROM (SELECT unnest(from_json($rows::JSON, '["JSON"]')) AS r)`,
    { rows: JSON.stringify(rows) },
    options,
  );
}

export interface ReferenceData {
  tactics: ApiTacticMap;
  dga: DgaModel;
}

/** (Re)creates the behaviour_* reference tables. */
export async function loadReferenceData(
  db: Database,
  options: QueryOptions & { dir?: string } = {},
): Promise<ReferenceData> {
  const dir = options.dir ?? BEHAVIOUR_DIR;
  const q: QueryOptions = {};
  if (options.signal) q.signal = options.signal;
  const tactics = loadApiTactics(dir);
  const dga = loadDgaModel(dir);
  const tlds = loadSuspiciousTlds(dir);

  const explicit: unknown[][] = [];
  for (const [tactic, names] of Object.entries(tactics.tactics))
    for (const n of names) explicit.push([n, tactic === 'None' ? null : tactic]);
  await loadRows(db, 'behaviour_api_tactics', 'event_name VARCHAR, tactic VARCHAR', explicit, q);
  await loadRows(
    db,
    'behaviour_api_prefixes',
    'prefix VARCHAR, tactic VARCHAR, ord INTEGER',
    tactics.prefixes.map(([p, t], i) => [p, t, i]),
    q,
  );
  const s3: unknown[][] = [];
  for (const cls of S3_CLASSES) {
    const names = tactics.s3[cls];
    if (Array.isArray(names)) for (const n of names) s3.push([n, cls]);
  }
  await loadRows(db, 'behaviour_s3_classes', 'event_name VARCHAR, s3_class VARCHAR', s3, q);
  await loadDgaTables(db, dga, q);
  await loadRows(
    db,
    'behaviour_suspicious_tlds',
    'tld VARCHAR',
    tlds.map((t) => [t]),
    q,
  );
  return { tactics, dga };
}

/** The DGA model as two lookup tables (also used by the training script to measure it). */
export async function loadDgaTables(
  db: Database,
  dga: Pick<DgaModel, 'grams' | 'contexts'>,
  options: QueryOptions = {},
): Promise<void> {
  await loadRows(
    db,
    'behaviour_dga_grams',
    'gram VARCHAR, lp DOUBLE',
    Object.entries(dga.grams).map(([g, lp]) => [g, lp]),
    options,
  );
  await loadRows(
    db,
    'behaviour_dga_contexts',
    'ctx VARCHAR, lp DOUBLE',
    Object.entries(dga.contexts).map(([c, lp]) => [c, lp]),
    options,
  );
}

/**
 * SQL for the mean n-gram log-likelihood of every label in `labelsSql` (a query returning a
 * `label` column), scored against behaviour_dga_grams by a join, never in JavaScript. Labels
 * are padded with order-1 '^' in front and '$' behind, as in training.
 */
export function dgaScoreSql(labelsSql: string, model: Pick<DgaModel, 'order' | 'unseen'>): string {
  const pad = '^'.repeat(model.order - 1);
  const unseen = Number(model.unseen).toFixed(6);
  return `SELECT l.label, avg(coalesce(g.lp, c.lp, ${unseen})) AS score, count(*)::INTEGER AS grams
  FROM (SELECT label, '${pad}' || label || '$' AS padded FROM (${labelsSql})) l,
       LATERAL (SELECT substr(l.padded, i, ${model.order}) AS gram FROM range(1, length(l.padded) - ${model.order - 2}) t(i)) x
  LEFT JOIN behaviour_dga_grams g ON g.gram = x.gram
  LEFT JOIN behaviour_dga_contexts c ON c.ctx = substr(x.gram, 1, ${model.order - 1})
 GROUP BY l.label`;
}
