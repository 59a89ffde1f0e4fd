import type { CaseState, IntelListRecord, IntelListView } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { listIntelLists, type IntelListInfo } from '../intel/lists';

/**
 * The case's threat and trusted lists as the analyst sees them: the rows DuckDB matches against
 * (`intel_lists`: bundled lists and imported ones) joined to the case record (`intelLists` in
 * case.json: when it was imported, and lists switched off, which are not in the database).
 */

/** The case record's id of an imported list. */
export function intelRecordId(kind: 'threat' | 'trusted', name: string): string {
  return `${kind}:${name}`.slice(0, 200);
}

/** The case record for a list just loaded; keeps when it was first imported. */
export function intelRecord(
  info: Pick<IntelListInfo, 'name' | 'kind' | 'format' | 'path' | 'sha256' | 'entries' | 'accounts'>,
  previous: IntelListRecord | undefined,
  at: string,
): IntelListRecord {
  return {
    id: intelRecordId(info.kind, info.name),
    name: info.name,
    kind: info.kind,
    format: info.format as IntelListRecord['format'],
    source: info.path,
    sha256: info.sha256.toLowerCase(),
    entries: info.entries,
    enabled: true,
    ...(info.accounts && info.accounts.length > 0 ? { accounts: info.accounts } : {}),
    importedAt: previous?.importedAt ?? at,
  };
}

export async function intelListViews(db: Database, state: Pick<CaseState, 'intelLists'>): Promise<IntelListView[]> {
  const loaded = await listIntelLists(db);
  const records = new Map(state.intelLists.map((r) => [r.id, r]));
  const views: IntelListView[] = [];
  const seen = new Set<string>();
  for (const l of loaded) {
    const id = l.bundled ? null : intelRecordId(l.kind, l.name);
    const record = id === null ? undefined : records.get(id);
    if (id !== null) seen.add(id);
    views.push({
      id,
      name: l.name,
      kind: l.kind,
      format: l.format,
      category: l.category,
      entries: Number(l.entries),
      sha256: l.sha256 || null,
      path: l.path || null,
      bundled: Boolean(l.bundled),
      accounts: l.accounts && l.accounts.length > 0 ? [...l.accounts] : null,
      enabled: true,
      importedAt: record?.importedAt ?? null,
    });
  }
  // Lists the case keeps but does not match against (switched off by the analyst).
  for (const r of state.intelLists) {
    if (seen.has(r.id)) continue;
    views.push({
      id: r.id,
      name: r.name,
      kind: r.kind,
      format: r.format,
      category: 'custom',
      entries: r.entries,
      sha256: r.sha256,
      path: r.source,
      bundled: false,
      accounts: r.accounts && r.accounts.length > 0 ? r.accounts : null,
      enabled: false,
      importedAt: r.importedAt,
    });
  }
  return views.sort((a, b) => Number(a.bundled) - Number(b.bundled) || a.name.localeCompare(b.name));
}

/** Sets the accounts a loaded list applies to (null: every account), in both intel tables. */
export async function setIntelAccounts(db: Database, name: string, accounts: string[] | null): Promise<void> {
  const params = { name, accounts: accounts && accounts.length > 0 ? JSON.stringify(accounts) : null };
  const value = `CASE WHEN $accounts::VARCHAR IS NULL THEN NULL ELSE from_json($accounts::VARCHAR, '["VARCHAR"]') END`;
  await db.run(`UPDATE intel SET accounts = ${value} WHERE list_name = $name`, params);
  await db.run(`UPDATE intel_lists SET accounts = ${value} WHERE list_name = $name`, params);
}
