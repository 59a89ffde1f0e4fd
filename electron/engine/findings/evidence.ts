import type { EvidenceRow } from '../../../shared/api/schemas';
import type { Database } from '../db/database';
import { sourceTables, type SourceName, type SourceTable } from '../case/source-tables';
import { notFound } from './get';

const UI_READ = { timeoutMs: 30_000 };

/**
 * One-line summaries per source, as constant SQL over the event alias `e`. A summary is used
 * only when its table has every column it names (the flow and DNS tables arrive later);
 * otherwise the row still shows, with a plain fallback. concat_ws skips NULL parts.
 */
const SUMMARIES: Record<SourceName, { requires: readonly string[]; sql: string }> = {
  cloudtrail: {
    requires: [
      'event_source',
      'event_name',
      'principal_arn',
      'principal_name',
      'principal_type',
      'source_ip',
      'error_code',
    ],
    sql: `concat_ws(' ', e.event_name, '(' || e.event_source || ')',
            'by ' || coalesce(e.principal_arn, e.principal_name, e.principal_type),
            'from ' || e.source_ip, '-> ' || e.error_code)`,
  },
  vpcflow: {
    requires: ['srcaddr', 'srcport', 'dstaddr', 'dstport', 'protocol', 'action', 'bytes', 'interface_id'],
    sql: `concat_ws(' ',
            CASE e.protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMPv6'
              ELSE 'proto ' || e.protocol END,
            e.srcaddr || coalesce(':' || e.srcport, ''), '->', e.dstaddr || coalesce(':' || e.dstport, ''),
            e.action, e.bytes || ' bytes', 'on ' || e.interface_id)`,
  },
  dns: {
    requires: ['query_name', 'query_type', 'rcode', 'srcaddr', 'instance_id', 'firewall_rule_action'],
    sql: `concat_ws(' ', e.query_type, e.query_name, '->', e.rcode,
            'from ' || coalesce(e.instance_id || ' (' || e.srcaddr || ')', e.srcaddr), 'firewall ' || e.firewall_rule_action)`,
  },
};

function summarySql(t: SourceTable): string {
  const s = SUMMARIES[t.source];
  return s.requires.every((c) => t.columns.has(c)) ? s.sql : `'${t.source} event ' || e.event_uid`;
}

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
                   ${summarySql(t)} AS summary, e.file_id AS "fileId", f.path AS "filePath", e.position,
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
