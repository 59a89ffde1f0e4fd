import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database } from '../db/database';

/**
 * Reads findings for export: the full GuardDuty JSON from `findings.finding`, most severe
 * first, in batches so a large case never sits in memory as one result. Archived findings are
 * left out unless asked (GuardDuty's own S3 export and EventBridge skip them too). The
 * `archived` column is the truth (archiving updates it); the JSON's `service.archived` is
 * brought in line with it.
 */
export interface FindingSelection {
  includeArchived?: boolean;
  /** Only these ids (an empty list selects nothing). */
  ids?: readonly string[];
}

export interface ReadOptions {
  signal?: AbortSignal;
}

const BATCH = 500;

/** SQL predicate over `findings` (alias-free) for a selection; values are bound. */
export function selectionSql(selection: FindingSelection): { where: string; params: Record<string, string | boolean> } {
  const params: Record<string, string | boolean> = { include_archived: selection.includeArchived ?? false };
  let where = `($include_archived OR NOT archived)`;
  if (selection.ids) {
    // A list travels as JSON text: the Database wrapper binds scalars, DuckDB unpacks the list.
    params['ids'] = JSON.stringify(selection.ids);
    where += ` AND list_contains(from_json($ids, '["VARCHAR"]'), id)`;
  }
  return { where, params };
}

export async function countFindings(
  db: Database,
  selection: FindingSelection,
  options: ReadOptions = {},
): Promise<number> {
  const { where, params } = selectionSql(selection);
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM findings WHERE ${where}`, params, {
    signal: options.signal,
    timeoutMs: 60_000,
  });
  return row?.n ?? 0;
}

export async function* findingBatches(
  db: Database,
  selection: FindingSelection,
  options: ReadOptions = {},
): AsyncGenerator<GuardDutyFinding[]> {
  const { where, params } = selectionSql(selection);
  for (let offset = 0; ; offset += BATCH) {
    const rows = await db.all<{ finding: string; archived: boolean }>(
      `SELECT CAST(finding AS VARCHAR) AS finding, archived FROM findings WHERE ${where}
        ORDER BY severity DESC, last_seen DESC, id LIMIT $limit OFFSET $offset`,
      { ...params, limit: BATCH, offset },
      { signal: options.signal, timeoutMs: 60_000 },
    );
    if (rows.length > 0) yield rows.map((r) => withArchived(JSON.parse(r.finding) as GuardDutyFinding, r.archived));
    if (rows.length < BATCH) return;
  }
}

export async function loadFindings(
  db: Database,
  selection: FindingSelection,
  options: ReadOptions = {},
): Promise<GuardDutyFinding[]> {
  const all: GuardDutyFinding[] = [];
  for await (const batch of findingBatches(db, selection, options)) all.push(...batch);
  return all;
}

function withArchived(finding: GuardDutyFinding, archived: boolean): GuardDutyFinding {
  if (finding.service?.archived === archived) return finding;
  return { ...finding, service: { ...finding.service, archived } };
}
