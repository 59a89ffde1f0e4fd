import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database, QueryOptions } from '../db/database';
import { inTransaction } from '../intel/transaction';

/**
 * Writes a run's findings in one transaction: upsert by id (createdAt and archived are carried
 * in the JSON by the builder and kept in the columns by the upsert), drop findings of rules
 * that ran cleanly but no longer match (e.g. the caller was added to a trusted list), and
 * relink every finding of this run to all of its events.
 */
export interface StoredFinding {
  finding: GuardDutyFinding;
  ruleId: string;
  resourceId: string;
}

export async function storeFindings(
  db: Database,
  found: StoredFinding[],
  rulesRan: string[],
  options: QueryOptions = {},
): Promise<{ removed: number }> {
  const rows = JSON.stringify(
    found.map(({ finding: f, ruleId, resourceId }) => [
      f.id,
      f.type,
      f.severity,
      f.title,
      f.accountId,
      f.region,
      f.resource.resourceType,
      resourceId,
      ruleId,
      f.service.count,
      f.service.eventFirstSeen,
      f.service.eventLastSeen,
      f.createdAt,
      f.updatedAt,
      f.service.archived,
      JSON.stringify(f),
    ]),
  );
  const ids = JSON.stringify(found.map((f) => f.finding.id));
  const ran = JSON.stringify(rulesRan);
  const stale = await db.all<{ id: string }>(
    `SELECT id FROM findings
      WHERE rule_id IN (SELECT unnest(from_json($ran::JSON, '["VARCHAR"]')))
        AND id NOT IN (SELECT unnest(from_json($ids::JSON, '["VARCHAR"]')))`,
    { ran, ids },
    options,
  );
  const staleIds = JSON.stringify(stale.map((s) => s.id));
  await inTransaction(
    db,
    async (run) => {
      await run(
        `DELETE FROM finding_events WHERE finding_id IN (SELECT unnest(from_json($stale::JSON, '["VARCHAR"]')))`,
        { stale: staleIds },
      );
      await run(`DELETE FROM findings WHERE id IN (SELECT unnest(from_json($stale::JSON, '["VARCHAR"]')))`, {
        stale: staleIds,
      });
      await run(
        `INSERT INTO findings (id, type, severity, title, account_id, region, resource_type, resource_id, rule_id, count,
                               first_seen, last_seen, created_at, updated_at, archived, finding)
         SELECT r->>0, r->>1, (r->>2)::DOUBLE, r->>3, r->>4, r->>5, r->>6, r->>7, r->>8, (r->>9)::BIGINT,
                (r->>10)::TIMESTAMPTZ, (r->>11)::TIMESTAMPTZ, (r->>12)::TIMESTAMPTZ, (r->>13)::TIMESTAMPTZ,
                (r->>14)::BOOLEAN, (r->>15)::JSON
           FROM (SELECT unnest(from_json($rows::JSON, '["JSON"]')) AS r)
         ON CONFLICT (id) DO UPDATE SET
           type = excluded.type, severity = excluded.severity, title = excluded.title, resource_type = excluded.resource_type,
           resource_id = excluded.resource_id, rule_id = excluded.rule_id, count = excluded.count,
           first_seen = excluded.first_seen, last_seen = excluded.last_seen, updated_at = excluded.updated_at,
           finding = excluded.finding`,
        { rows },
      );
      await run(`DELETE FROM finding_events WHERE finding_id IN (SELECT DISTINCT finding_id FROM detect_hits)`);
      await run(
        `INSERT INTO finding_events (finding_id, source, event_uid) SELECT DISTINCT finding_id, source, event_uid FROM detect_hits`,
      );
    },
    options,
  );
  return { removed: stale.length };
}
