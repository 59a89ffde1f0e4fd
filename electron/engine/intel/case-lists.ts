import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IntelListRecord } from '../../../shared/api/schemas';
import { toErrorShape } from '../../../shared/errors';
import type { Database } from '../db/database';
import { readBundledHeader } from './bundled';
import { storedFeeds } from './feeds';
import { listIntelLists, loadIntelList, removeIntelList, type IntelFormat, type IntelListInfo } from './lists';

/**
 * A case's lists kept in step with the database: the case record (`intelLists` in case.json) says
 * which lists the case uses, switched on or off and for which accounts; `intel` / `intel_lists`
 * hold what detection matches. Everything that changes one goes through here so both agree.
 */

export interface ListSource {
  origin: 'bundled' | 'feed' | 'file';
  /** Compiled (bundled header) or fetched (feed index) date; null when unknown. */
  sourceDate: string | null;
  url: string | null;
}

/** Bundled lists name their compile date in their header; feed copies are described by the feed folder's index. */
export function listSource(path: string | null, bundled: boolean): ListSource {
  if (!path) return { origin: bundled ? 'bundled' : 'file', sourceDate: null, url: null };
  if (bundled) {
    try {
      const compiled = readBundledHeader(readHead(path), path).compiled;
      return { origin: 'bundled', sourceDate: /^\d{4}-\d{2}-\d{2}/.exec(compiled)?.[0] ?? compiled, url: null };
    } catch {
      return { origin: 'bundled', sourceDate: null, url: null };
    }
  }
  const full = resolve(path);
  const feed = storedFeeds(dirname(full)).find((f) => resolve(f.path) === full);
  return feed
    ? { origin: 'feed', sourceDate: feed.fetchedAt, url: feed.url }
    : { origin: 'file', sourceDate: null, url: null };
}

/** The leading comments of a list: enough for its header, without reading a 35 MB file. */
function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function sameAccounts(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Sets the accounts a loaded list applies to (null: every account), in both intel tables. */
export async function setIntelAccounts(db: Database, name: string, accounts: readonly string[] | null): Promise<void> {
  const params = { name, accounts: accounts && accounts.length > 0 ? JSON.stringify([...accounts].sort()) : null };
  const value = `CASE WHEN $accounts::VARCHAR IS NULL THEN NULL ELSE from_json($accounts::VARCHAR, '["VARCHAR"]') END`;
  await db.run(`UPDATE intel SET accounts = ${value} WHERE list_name = $name`, params);
  await db.run(`UPDATE intel_lists SET accounts = ${value} WHERE list_name = $name`, params);
}

export interface ReconcileResult {
  /** The case records after reconciling (unchanged objects where nothing had to change). */
  records: IntelListRecord[];
  /** The records changed (write case.json). */
  changed: boolean;
  /** The intel tables changed (findings are stale until detections run again). */
  databaseChanged: boolean;
  /** Record id -> why a list the case had switched on could not be loaded again (it is now off). */
  problems: Map<string, string>;
}

/**
 * Brings the database in line with the case record, which is the analyst's word: lists switched
 * off are dropped, scopes are set as recorded, a list switched on but missing is read again from
 * its file (switched off, with the reason, when that fails), and an imported list the record does
 * not know (loaded before lists were recorded) gets a record. Bundled lists are not touched.
 */
export async function reconcileIntelLists(
  db: Database,
  records: readonly IntelListRecord[],
  at: string,
): Promise<ReconcileResult> {
  const loaded = new Map((await listIntelLists(db)).filter((l) => !l.bundled).map((l) => [l.name, l]));
  const problems = new Map<string, string>();
  const out: IntelListRecord[] = [];
  let changed = false;
  let databaseChanged = false;
  const known = new Set<string>();
  for (const record of records) {
    known.add(record.name);
    const row = loaded.get(record.name);
    if (!record.enabled) {
      if (row) {
        await removeIntelList(db, record.name);
        databaseChanged = true;
      }
      out.push(record);
      continue;
    }
    if (!row) {
      try {
        await loadIntelList(db, record.source, record.kind, {
          name: record.name,
          format: record.format,
          ...(record.accounts?.length ? { accounts: record.accounts } : {}),
        });
        out.push(record);
        databaseChanged = true;
      } catch (error) {
        problems.set(record.id, toErrorShape(error).message);
        out.push({ ...record, enabled: false });
        changed = true;
      }
      continue;
    }
    if (!sameAccounts(row.accounts, record.accounts)) {
      await setIntelAccounts(db, record.name, record.accounts ?? null);
      databaseChanged = true;
    }
    out.push(record);
  }
  for (const [name, row] of loaded) {
    if (known.has(name)) continue;
    out.push(caseRecord(row, undefined, at));
    changed = true;
  }
  return { records: out, changed, databaseChanged, problems };
}

/** The case record's id of an imported list. */
export function intelRecordId(kind: 'threat' | 'trusted', name: string): string {
  return `${kind}:${name}`.slice(0, 200);
}

/** The case record for a list just loaded; keeps when it was first imported. */
export function caseRecord(
  info: Pick<IntelListInfo, 'name' | 'kind' | 'format' | 'path' | 'sha256' | 'entries' | 'accounts'>,
  previous: IntelListRecord | undefined,
  at: string,
): IntelListRecord {
  return {
    id: intelRecordId(info.kind, info.name),
    name: info.name,
    kind: info.kind,
    format: info.format as IntelFormat,
    source: info.path,
    sha256: info.sha256.toLowerCase(),
    entries: Number(info.entries),
    enabled: true,
    ...(info.accounts && info.accounts.length > 0 ? { accounts: [...info.accounts] } : {}),
    importedAt: previous?.importedAt ?? at,
  };
}
