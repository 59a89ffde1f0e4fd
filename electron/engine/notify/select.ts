import type { NotificationRule } from '../../../shared/api/schemas';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database, QueryOptions } from '../db/database';
import { SEVERITY_LABEL_SQL } from '../findings/filter';

/**
 * The findings a notification rule sends after a detection run: created or updated by that run
 * (`updated_at` at or after its clock), not archived (GuardDuty sends nothing for findings a
 * suppression rule archived), and matching the rule's filter. Most severe first; at most
 * `limit` are read, `total` says how many matched.
 */
export async function notifiableFindings(
  db: Database,
  filter: NotificationRule['filter'],
  since: string,
  limit: number,
  options: QueryOptions = {},
): Promise<{ total: number; findings: GuardDutyFinding[] }> {
  const clauses = ['NOT archived', 'updated_at >= CAST($since AS TIMESTAMPTZ)'];
  const params: Record<string, string | number> = { since };
  if (filter.severities?.length) {
    clauses.push(`list_contains(from_json($severities::JSON, '["VARCHAR"]'), ${SEVERITY_LABEL_SQL})`);
    params['severities'] = JSON.stringify(filter.severities);
  }
  if (filter.minSeverity !== undefined) {
    clauses.push('severity >= $min_severity');
    params['min_severity'] = filter.minSeverity;
  }
  if (filter.types?.length) {
    // '*' is the only wildcard a person means here; GLOB's other specials are escaped.
    clauses.push(`len(list_filter(from_json($types::JSON, '["VARCHAR"]'), lambda t: type GLOB t)) > 0`);
    params['types'] = JSON.stringify(filter.types.map(globOf));
  }
  if (filter.accounts?.length) {
    clauses.push(`list_contains(from_json($accounts::JSON, '["VARCHAR"]'), account_id)`);
    params['accounts'] = JSON.stringify(filter.accounts);
  }
  const where = clauses.join(' AND ');
  const read = { timeoutMs: 60_000, ...options };
  const total = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM findings WHERE ${where}`, params, read);
  const rows = await db.all<{ finding: string }>(
    `SELECT CAST(finding AS VARCHAR) AS finding FROM findings WHERE ${where}
      ORDER BY severity DESC, last_seen DESC, id LIMIT $limit`,
    { ...params, limit },
    read,
  );
  return {
    total: total?.n ?? 0,
    findings: rows.map((r) => {
      const f = JSON.parse(r.finding) as GuardDutyFinding;
      return { ...f, service: { ...f.service, archived: false } };
    }),
  };
}

function globOf(type: string): string {
  return type.replace(/[?[\]]/g, (c) => `[${c}]`);
}
