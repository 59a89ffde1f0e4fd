import type { EntityKind, SourceName } from '../../../shared/api/investigate';
import type { Database } from '../db/database';

/**
 * What the investigation queries need from each event table, as SQL fragments chosen from this
 * allow-list only. The vpcflow and dns tables arrive with their loaders and their column names
 * may still move, so each role lists candidates and the first whose columns all exist wins;
 * a source whose table is missing (or lacks a time column) is simply left out.
 *
 * Entity predicates compare against the bound parameter `$entity`.
 */
interface Candidate {
  needs: readonly string[];
  sql: string;
}

interface SourceSpec {
  time: readonly Candidate[];
  account: readonly Candidate[];
  region: readonly Candidate[];
  actor: readonly Candidate[];
  summary: readonly Candidate[];
  raw: readonly Candidate[];
  entity: Partial<Record<EntityKind, readonly Candidate[]>>;
}

const c = (sql: string, ...needs: string[]): Candidate => ({ sql, needs });

/** Quoted JSON string match: `"i-0abc"` inside a JSON column, without matching `i-0abcd`. */
const jsonHas = (column: string) => `contains(CAST(${column} AS VARCHAR), '"' || $entity || '"')`;

const SPECS: Record<SourceName, SourceSpec> = {
  cloudtrail: {
    time: [c('event_time', 'event_time')],
    account: [c('recipient_account_id', 'recipient_account_id')],
    region: [c('aws_region', 'aws_region')],
    actor: [c('coalesce(principal_arn, principal_name, invoked_by)', 'principal_arn', 'principal_name', 'invoked_by')],
    summary: [
      c(
        `concat_ws(' ', event_name, '(' || replace(event_source, '.amazonaws.com', '') || ')',
                   'from ' || source_ip, CASE WHEN error_code IS NOT NULL THEN '→ ' || error_code END,
                   CASE WHEN bucket_name IS NOT NULL THEN 's3://' || bucket_name || coalesce('/' || object_key, '') END)`,
        'event_name',
        'event_source',
        'source_ip',
        'error_code',
        'bucket_name',
        'object_key',
      ),
    ],
    raw: [c('CAST(raw AS VARCHAR)', 'raw')],
    entity: {
      principal: [
        c(
          '(principal_arn = $entity OR session_issuer_arn = $entity OR principal_id = $entity OR principal_name = $entity)',
          'principal_arn',
          'session_issuer_arn',
          'principal_id',
          'principal_name',
        ),
      ],
      accessKey: [c('access_key_id = $entity', 'access_key_id')],
      ip: [c('source_ip = $entity', 'source_ip')],
      instance: [
        c(
          `(session_name = $entity OR ${jsonHas('request_parameters')} OR ${jsonHas('resources')})`,
          'session_name',
          'request_parameters',
          'resources',
        ),
      ],
      bucket: [
        c(
          `(bucket_name = $entity OR (request_parameters->>'bucketName') = $entity)`,
          'bucket_name',
          'request_parameters',
        ),
      ],
      account: [c('(recipient_account_id = $entity OR account_id = $entity)', 'recipient_account_id', 'account_id')],
    },
  },
  vpcflow: {
    time: [c('start_time', 'start_time'), c('"start"', 'start'), c('event_time', 'event_time')],
    account: [c('account_id', 'account_id')],
    region: [c('region', 'region')],
    actor: [c('coalesce(instance_id, interface_id)', 'instance_id', 'interface_id'), c('interface_id', 'interface_id')],
    summary: [
      c(
        `concat_ws(' ', CASE protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' WHEN 1 THEN 'ICMP' WHEN 58 THEN 'ICMPv6'
                              ELSE 'proto ' || CAST(protocol AS VARCHAR) END,
                   coalesce(srcaddr, '-') || ':' || coalesce(CAST(srcport AS VARCHAR), '-'), '→',
                   coalesce(dstaddr, '-') || ':' || coalesce(CAST(dstport AS VARCHAR), '-'),
                   action, CAST(bytes AS VARCHAR) || ' B', CASE WHEN log_status <> 'OK' THEN log_status END)`,
        'srcaddr',
        'srcport',
        'dstaddr',
        'dstport',
        'protocol',
        'action',
        'bytes',
        'log_status',
      ),
    ],
    raw: [c('CAST(raw AS VARCHAR)', 'raw'), c('CAST(to_json(t) AS VARCHAR)')],
    entity: {
      ip: [c('(srcaddr = $entity OR dstaddr = $entity)', 'srcaddr', 'dstaddr')],
      instance: [
        c('(instance_id = $entity OR interface_id = $entity)', 'instance_id', 'interface_id'),
        c('interface_id = $entity', 'interface_id'),
      ],
      account: [c('account_id = $entity', 'account_id')],
    },
  },
  dns: {
    time: [c('query_time', 'query_time'), c('event_time', 'event_time')],
    account: [c('account_id', 'account_id')],
    region: [c('region', 'region')],
    actor: [
      c('coalesce(instance_id, srcaddr)', 'instance_id', 'srcaddr'),
      c('coalesce(srcids_instance, srcaddr)', 'srcids_instance', 'srcaddr'),
      c('srcaddr', 'srcaddr'),
    ],
    summary: [
      c(
        `concat_ws(' ', query_name, query_type, rcode, 'from ' || srcaddr)`,
        'query_name',
        'query_type',
        'rcode',
        'srcaddr',
      ),
    ],
    raw: [c('CAST(raw AS VARCHAR)', 'raw'), c('CAST(to_json(t) AS VARCHAR)')],
    entity: {
      ip: [c('srcaddr = $entity', 'srcaddr')],
      instance: [c('instance_id = $entity', 'instance_id'), c('srcids_instance = $entity', 'srcids_instance')],
      domain: [c(`(query_name = $entity OR rtrim(lower(query_name), '.') = rtrim(lower($entity), '.'))`, 'query_name')],
      account: [c('account_id = $entity', 'account_id')],
    },
  },
};

export interface ResolvedSource {
  source: SourceName;
  /** The table is always aliased `t` in queries built from these fragments. */
  time: string;
  account: string | null;
  region: string | null;
  actor: string;
  summary: string;
  raw: string;
  entity: Partial<Record<EntityKind, string>>;
  columns: ReadonlySet<string>;
}

function pick(columns: ReadonlySet<string>, candidates: readonly Candidate[] | undefined): string | null {
  return candidates?.find((cand) => cand.needs.every((n) => columns.has(n)))?.sql ?? null;
}

export const SOURCE_ORDER: readonly SourceName[] = ['cloudtrail', 'vpcflow', 'dns'];

/** The event tables present in this case, with the fragments that fit their columns. */
export async function resolveSources(db: Database): Promise<ResolvedSource[]> {
  const rows = await db.all<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM duckdb_columns()
      WHERE schema_name = 'main' AND list_contains(['cloudtrail', 'vpcflow', 'dns'], table_name)`,
    undefined,
    { timeoutMs: 10_000 },
  );
  const out: ResolvedSource[] = [];
  for (const source of SOURCE_ORDER) {
    const columns = new Set(rows.filter((r) => r.table_name === source).map((r) => r.column_name));
    if (columns.size === 0) continue;
    const spec = SPECS[source];
    const time = pick(columns, spec.time);
    if (!time) continue;
    const entity: Partial<Record<EntityKind, string>> = {};
    for (const [kind, candidates] of Object.entries(spec.entity) as Array<[EntityKind, readonly Candidate[]]>) {
      const sql = pick(columns, candidates);
      if (sql) entity[kind] = sql;
    }
    out.push({
      source,
      time,
      account: pick(columns, spec.account),
      region: pick(columns, spec.region),
      actor: pick(columns, spec.actor) ?? 'NULL',
      summary: pick(columns, spec.summary) ?? `'${source} event'`,
      raw: pick(columns, spec.raw) ?? `'{}'`,
      entity,
      columns,
    });
  }
  return out;
}
