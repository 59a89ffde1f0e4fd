import type { EvidenceRow } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { eventSummarySql } from '../case/event-summary';
import { sourceTables } from '../case/source-tables';
import { notFound } from './get';

const UI_READ = { timeoutMs: 30_000 };

/** Paged raw events behind a finding, each traced to its file and position, oldest first. */
export async function findingEvidence(
  db: Database,
  input: { id: string; offset: number; limit: number },
): Promise<{ total: number; rows: EvidenceRow[] }> {
  const exists = await db.one(`SELECT 1 AS x FROM findings WHERE id = $id`, { id: input.id }, UI_READ);
  if (!exists) throw notFound(input.id);
  const tables = (await sourceTables(db)).filter((t) => t.columns.has('event_uid'));

  // An event id may sit in two overlapping exports: show its first occurrence once.
  const parts = tables.map(
    (t) => `SELECT ev.source, ev.event_uid AS "eventUid",
                   ${t.timeColumn ? `iso_ts(e.${t.timeColumn})` : 'NULL'} AS "eventTime",
                   ${eventSummarySql(t)} AS summary, e.file_id AS "fileId", f.path AS "filePath", e.position,
                   ${t.hasRaw ? 'CAST(e.raw AS VARCHAR)' : 'CAST(to_json(e) AS VARCHAR)'} AS raw,
                   ${t.timeColumn ? `e.${t.timeColumn}` : 'NULL::TIMESTAMPTZ'} AS sort_ts
              FROM ev JOIN ${t.source} e ON e.event_uid = ev.event_uid
              LEFT JOIN files f ON f.file_id = e.file_id
             WHERE ev.source = '${t.source}'
           QUALIFY row_number() OVER (PARTITION BY ev.event_uid ORDER BY e.file_id, e.position) = 1`,
  );
  // Events the finding names but the case no longer holds still appear, marked as missing.
  parts.push(`SELECT ev.source, ev.event_uid, NULL, 'event not found in the loaded logs', NULL, NULL, NULL, '', NULL::TIMESTAMPTZ
                FROM ev
               WHERE NOT EXISTS (${
                 tables.length
                   ? tables
                       .map(
                         (t) =>
                           `SELECT 1 FROM ${t.source} e WHERE ev.source = '${t.source}' AND e.event_uid = ev.event_uid`,
                       )
                       .join(' UNION ALL ')
                   : 'SELECT 1 WHERE false'
               })`);

  const cte = `WITH ev AS (SELECT DISTINCT source, event_uid FROM finding_events WHERE finding_id = $id)`;
  const total = await db.one<{ n: number }>(`${cte} SELECT count(*)::INTEGER AS n FROM ev`, { id: input.id }, UI_READ);
  const rows = await db.all<EvidenceRow & { sort_ts?: unknown }>(
    `${cte}
     SELECT * FROM (${parts.join('\nUNION ALL\n')})
      ORDER BY sort_ts NULLS LAST, source, "eventUid"
      LIMIT $limit OFFSET $offset`,
    { id: input.id, limit: input.limit, offset: input.offset },
    UI_READ,
  );
  return {
    total: total?.n ?? 0,
    rows: rows.map(({ sort_ts: _sortTs, ...row }) => row),
  };
}
