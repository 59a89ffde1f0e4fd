import type { FindingGroup } from '../../../shared/api/investigate';
import type { FindingFilter } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { findingWhere } from '../findings/filter';

const UI_READ = { timeoutMs: 30_000 };

/**
 * Findings grouped by type or by primary resource, most severe first, for the grouped list.
 * The filter is the findings list's own (`findings/filter.ts`), so a group's counts always
 * match what the list shows when drilled into.
 */
export async function findingGroups(
  db: Database,
  filter: FindingFilter,
  by: 'type' | 'resource',
  limit: number,
): Promise<{ total: number; groups: FindingGroup[] }> {
  const { sql: where, params } = findingWhere(filter);
  const key = by === 'type' ? 'type' : 'resource_id';
  const resourceType = by === 'type' ? 'NULL' : 'any_value(resource_type)';
  const total = await db.one<{ n: number }>(
    `SELECT count(DISTINCT ${key})::INTEGER AS n FROM findings ${where}`,
    params,
    UI_READ,
  );
  const groups = await db.all<FindingGroup>(
    `SELECT ${key} AS key, ${resourceType} AS "resourceType", count(*)::INTEGER AS findings,
            sum(count)::DOUBLE AS occurrences, max(severity) AS "maxSeverity", iso_ts(max(last_seen)) AS "lastSeen"
       FROM findings ${where}
      GROUP BY ${key}
      ORDER BY "maxSeverity" DESC, findings DESC, key
      LIMIT $limit`,
    { ...params, limit },
    UI_READ,
  );
  return { total: total?.n ?? 0, groups };
}
