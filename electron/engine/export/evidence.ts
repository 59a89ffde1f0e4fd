import { eventSummarySql } from '../case/event-summary';
import { sourceTables, type SourceName, type SourceTable } from '../case/source-tables';
import type { Database } from '../db/database';
import { selectionSql, type FindingSelection, type ReadOptions } from './load-findings';

/**
 * The events behind findings, for the timeline and the report. Everything per event happens in
 * SQL: the one-line message (case/event-summary.ts, the same as the evidence panel's), the
 * Timesketch JSON line, the per-finding cap. Table and column names come only from the
 * allow-lists below, intersected with what the case database really has.
 */
interface SourceSpec {
  dataType: string;
  timestampDesc: string;
  /** Columns copied into each timeline line when present. */
  fields: readonly string[];
}

const SPECS: Record<SourceName, SourceSpec> = {
  cloudtrail: {
    dataType: 'aws:cloudtrail:event',
    timestampDesc: 'Event Time',
    fields: [
      'event_name',
      'event_source',
      'aws_region',
      'source_ip',
      'user_agent',
      'error_code',
      'error_message',
      'read_only',
      'recipient_account_id',
      'account_id',
      'principal_type',
      'principal_arn',
      'principal_name',
      'session_name',
      'access_key_id',
      'request_id',
      'bucket_name',
      'object_key',
      'vpc_endpoint_id',
    ],
  },
  vpcflow: {
    dataType: 'aws:vpcflow:record',
    timestampDesc: 'Flow Start',
    fields: [
      'account_id',
      'interface_id',
      'srcaddr',
      'dstaddr',
      'srcport',
      'dstport',
      'protocol',
      'packets',
      'bytes',
      'action',
      'log_status',
      'vpc_id',
      'subnet_id',
      'instance_id',
      'tcp_flags',
      'flow_direction',
      'pkt_srcaddr',
      'pkt_dstaddr',
      'region',
      'az_id',
      'end_time',
      'reject_reason',
    ],
  },
  dns: {
    dataType: 'aws:route53resolver:query',
    timestampDesc: 'Query Time',
    fields: [
      'query_name',
      'query_type',
      'query_class',
      'rcode',
      'answers',
      'srcaddr',
      'srcport',
      'transport',
      'instance_id',
      'vpc_id',
      'account_id',
      'region',
      'resolver_endpoint_id',
      'firewall_rule_action',
    ],
  },
};

/** Timeline messages and report lines use the same one-line summary as the evidence panel. */
const messageSql = eventSummarySql;

/** Tables that can be joined to finding_events and placed on a time line. */
async function usableTables(db: Database): Promise<Array<SourceTable & { timeColumn: string }>> {
  return (await sourceTables(db)).filter(
    (t): t is SourceTable & { timeColumn: string } =>
      t.timeColumn !== null && ['event_uid', 'file_id', 'position'].every((c) => t.columns.has(c)),
  );
}

export interface TimelineSource {
  source: SourceName;
  /** Runs `fn` on each page of Timesketch JSON lines, oldest first; returns how many lines. */
  pages(fn: (lines: string[]) => Promise<void>): Promise<number>;
}

/** Lines per page: about 50 MB of JSON in memory at once at most. */
const TIMELINE_PAGE = 50_000;

/**
 * One Timesketch line per evidence event (message, datetime, timestamp in microseconds,
 * timestamp_desc, plus the finding ids and types it supports and the source's fields).
 * Events without a time cannot sit on a timeline and are left out.
 *
 * Paging: LIMIT/OFFSET over this query rebuilt every line of every page (measured: 376 s for
 * 200k events). Instead one cheap query cuts the events into time buckets of about a page
 * each (ntile over their timestamps), and each page query reads only its bucket.
 */
export async function timelineSources(
  db: Database,
  selection: FindingSelection,
  options: ReadOptions & { pageSize?: number } = {},
): Promise<TimelineSource[]> {
  const { where, params } = selectionSql(selection);
  const read = { signal: options.signal, timeoutMs: 5 * 60_000 };
  return (await usableTables(db)).map((t) => {
    const spec = SPECS[t.source];
    const fields = spec.fields.filter((c) => t.columns.has(c)).flatMap((c) => [`'${c}'`, `ev.${c}`]);
    const selected = `sel AS (SELECT id, type FROM findings WHERE ${where})`;
    const boundsSql = `
      WITH ${selected},
      keys AS (SELECT DISTINCT f.event_uid FROM finding_events f JOIN sel ON sel.id = f.finding_id WHERE f.source = '${t.source}'),
      ts AS (SELECT epoch_us(e.${t.timeColumn}) AS us FROM keys JOIN ${t.source} e ON e.event_uid = keys.event_uid
              WHERE e.${t.timeColumn} IS NOT NULL),
      b AS (SELECT us, ntile($buckets) OVER (ORDER BY us) AS bucket FROM ts)
      SELECT CAST(max(us) AS VARCHAR) AS upper FROM b GROUP BY bucket ORDER BY bucket`;
    const countSql = `
      WITH ${selected},
      keys AS (SELECT DISTINCT f.event_uid FROM finding_events f JOIN sel ON sel.id = f.finding_id WHERE f.source = '${t.source}')
      SELECT count(*)::INTEGER AS n FROM keys`;
    // Events of the bucket first (time filter + semi-join; the first copy of an event loaded
    // twice from overlapping exports), then the finding lists for just those events.
    const pageSql = `
      WITH ${selected},
      ev AS (SELECT e.*, e.${t.timeColumn} AS loupe_ts, ${messageSql(t)} AS loupe_message
               FROM ${t.source} e
              WHERE e.${t.timeColumn} IS NOT NULL
                AND epoch_us(e.${t.timeColumn}) > $lower::BIGINT AND epoch_us(e.${t.timeColumn}) <= $upper::BIGINT
                AND e.event_uid IN (SELECT f.event_uid FROM finding_events f JOIN sel ON sel.id = f.finding_id
                                     WHERE f.source = '${t.source}')
            QUALIFY row_number() OVER (PARTITION BY e.event_uid ORDER BY e.file_id, e.position) = 1),
      fe AS (SELECT f.event_uid, list(DISTINCT f.finding_id ORDER BY f.finding_id) AS finding_ids,
                    list(DISTINCT sel.type ORDER BY sel.type) AS finding_types
               FROM finding_events f JOIN sel ON sel.id = f.finding_id JOIN ev ON ev.event_uid = f.event_uid
              WHERE f.source = '${t.source}' GROUP BY f.event_uid)
      SELECT CAST(json_object(
               'message', ev.loupe_message,
               'datetime', iso_ts(ev.loupe_ts),
               'timestamp', epoch_us(ev.loupe_ts),
               'timestamp_desc', '${spec.timestampDesc}',
               'data_type', '${spec.dataType}',
               'source', '${t.source}',
               'event_uid', ev.event_uid,
               'finding_ids', fe.finding_ids,
               'finding_types', fe.finding_types,
               'file_path', fl.path,
               'file_position', ev.position
               ${fields.length ? ', ' + fields.join(', ') : ''}) AS VARCHAR) AS line
        FROM ev JOIN fe ON fe.event_uid = ev.event_uid LEFT JOIN files fl ON fl.file_id = ev.file_id
       ORDER BY ev.loupe_ts, ev.event_uid`;
    return {
      source: t.source,
      async pages(fn) {
        const n = (await db.one<{ n: number }>(countSql, params, read))?.n ?? 0;
        if (n === 0) return 0;
        const buckets = Math.max(1, Math.ceil(n / (options.pageSize ?? TIMELINE_PAGE)));
        const uppers = (await db.all<{ upper: string }>(boundsSql, { ...params, buckets }, read)).map((r) => r.upper);
        let lower = '-9223372036854775808';
        let total = 0;
        for (const upper of uppers) {
          if (upper === lower) continue; // equal timestamps spanning two buckets: already read
          const rows = await db.all<{ line: string }>(pageSql, { ...params, lower, upper }, read);
          if (rows.length) await fn(rows.map((r) => r.line));
          total += rows.length;
          lower = upper;
        }
        return total;
      },
    };
  });
}

export interface EvidenceLine {
  source: SourceName;
  eventUid: string;
  time: string | null;
  summary: string;
  filePath: string | null;
  position: number | null;
}

export interface FindingEvidence {
  /** Distinct events the finding names (including any the case no longer holds). */
  total: number;
  /** The earliest `perFinding` of them that are loaded. */
  events: EvidenceLine[];
}

/** The first few events behind each selected finding, with how many there are in all. */
export async function evidenceByFinding(
  db: Database,
  selection: FindingSelection,
  perFinding: number,
  options: ReadOptions = {},
): Promise<Map<string, FindingEvidence>> {
  const { where, params } = selectionSql(selection);
  const read = { signal: options.signal, timeoutMs: 5 * 60_000 };
  const out = new Map<string, FindingEvidence>();
  const totals = await db.all<{ finding_id: string; n: number }>(
    `SELECT f.finding_id, count(DISTINCT (f.source, f.event_uid))::INTEGER AS n
       FROM finding_events f WHERE f.finding_id IN (SELECT id FROM findings WHERE ${where}) GROUP BY f.finding_id`,
    params,
    read,
  );
  for (const t of totals) out.set(t.finding_id, { total: t.n, events: [] });

  const tables = await usableTables(db);
  if (tables.length === 0) return out;
  // Two passes: rank events per finding on keys and time only, then build summaries for the
  // few kept rows (building one for every event first cost most of the query).
  const keys = tables.map(
    (t) => `
      SELECT fe.finding_id, '${t.source}' AS source, fe.event_uid, e.${t.timeColumn} AS ts, e.file_id, e.position
        FROM fe JOIN ${t.source} e ON e.event_uid = fe.event_uid
       WHERE fe.source = '${t.source}'
     QUALIFY row_number() OVER (PARTITION BY fe.finding_id, fe.event_uid ORDER BY e.file_id, e.position) = 1`,
  );
  const details = tables.map(
    (t) => `
      SELECT top.*, ${messageSql(t)} AS summary
        FROM top JOIN ${t.source} e ON e.file_id = top.file_id AND e.position = top.position AND e.event_uid = top.event_uid
       WHERE top.source = '${t.source}'`,
  );
  const rows = await db.all<{
    finding_id: string;
    source: SourceName;
    event_uid: string;
    time: string | null;
    summary: string;
    file_path: string | null;
    position: number | null;
  }>(
    `WITH fe AS (SELECT DISTINCT finding_id, source, event_uid FROM finding_events
                  WHERE finding_id IN (SELECT id FROM findings WHERE ${where})),
          ranked AS (${keys.join(' UNION ALL ')}),
          top AS (SELECT * FROM ranked
                 QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY ts NULLS LAST, event_uid) <= $per_finding),
          ev AS (${details.join(' UNION ALL ')})
     SELECT ev.finding_id, ev.source, ev.event_uid, iso_ts(ev.ts) AS time, ev.summary, fl.path AS file_path,
            ev.position::INTEGER AS position
       FROM ev LEFT JOIN files fl ON fl.file_id = ev.file_id
      ORDER BY ev.finding_id, ev.ts NULLS LAST, ev.event_uid`,
    { ...params, per_finding: perFinding },
    read,
  );
  for (const r of rows) {
    const entry = out.get(r.finding_id) ?? { total: 0, events: [] };
    entry.events.push({
      source: r.source,
      eventUid: r.event_uid,
      time: r.time,
      summary: r.summary,
      filePath: r.file_path,
      position: r.position,
    });
    out.set(r.finding_id, entry);
  }
  return out;
}
