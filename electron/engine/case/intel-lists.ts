import type { CaseState, IntelListView } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { caseRecord, intelRecordId, listSource, setIntelAccounts } from '../intel/case-lists';
import { listIntelLists } from '../intel/lists';

/**
 * The case's threat and trusted lists as the analyst sees them: the rows DuckDB matches against
 * (`intel_lists`: bundled lists and imported ones) joined to the case record (`intelLists` in
 * case.json: when it was imported, and lists switched off, which are not in the database).
 */

export { intelRecordId, setIntelAccounts };
/** The case record for a list just loaded; keeps when it was first imported. */
export const intelRecord = caseRecord;

export async function intelListViews(
  db: Database,
  state: Pick<CaseState, 'intelLists'>,
  problems: ReadonlyMap<string, string> = new Map(),
): Promise<IntelListView[]> {
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
      ...listSource(l.path || null, Boolean(l.bundled)),
      problem: null,
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
      ...listSource(r.source, false),
      problem: problems.get(r.id) ?? null,
    });
  }
  return views.sort((a, b) => Number(a.bundled) - Number(b.bundled) || a.name.localeCompare(b.name));
}
