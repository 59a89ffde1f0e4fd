import type { Database, QueryOptions } from '../db/database';
import { HIT_COLUMNS } from './hit-columns';

/**
 * Rolls the run's hits up into one row per finding id, in SQL: count, first/last seen, the
 * highest context severity, and the details of the latest occurrence (GuardDuty overwrites a
 * finding with its latest occurrence; the older ones stay reachable through finding_events).
 * The previous state of each finding comes along so createdAt and archived can be kept.
 */
export interface IntelMatch {
  list: string;
  name: string | null;
  entry: string | null;
  sha: string | null;
}

export interface AggregatedFinding {
  id: string;
  type: string;
  rule_id: string;
  source: 'cloudtrail' | 'vpcflow' | 'dns';
  account_id: string;
  region: string;
  resource_id: string;
  resource_role: 'TARGET' | 'ACTOR';
  discriminator: string;
  count: number;
  first_seen: string;
  last_seen: string;
  severity: number | null;
  access_key_id: string | null;
  principal_id: string | null;
  user_name: string | null;
  user_type: string | null;
  api: string | null;
  service_name: string | null;
  caller_type: string | null;
  error_code: string | null;
  user_agent: string | null;
  remote_ip: string | null;
  remote_account_id: string | null;
  remote_account_affiliated: boolean | null;
  bucket_name: string | null;
  object_key: string | null;
  effective_permission: string | null;
  permission_configuration: unknown;
  instance_id: string | null;
  eni_id: string | null;
  vpc_id: string | null;
  subnet_id: string | null;
  local_ip: string | null;
  local_port: number | null;
  remote_port: number | null;
  protocol: string | null;
  direction: string | null;
  blocked: boolean | null;
  domain: string | null;
  dns_protocol: string | null;
  threat_list_name: string | null;
  threat_name: string | null;
  threat_entry: string | null;
  threat_list_sha256: string | null;
  intel: IntelMatch[] | null;
  buckets: string[] | null;
  evidence: unknown;
  prev_created_at: string | null;
  prev_updated_at: string | null;
  prev_archived: boolean | null;
  prev_count: number | null;
  prev_first_seen: string | null;
  prev_last_seen: string | null;
}

const KEY_COLUMNS = new Set(['event_uid', 'event_time', 'account_id', 'region', 'resource_role', 'severity']);

export function aggregateSql(): string {
  const latest = HIT_COLUMNS.filter((c) => !KEY_COLUMNS.has(c.name)).map(
    (c) => `arg_max(${c.name}, event_time) AS ${c.name}`,
  );
  return `WITH a AS (
  SELECT finding_id AS id, any_value(type) AS type, arg_max(rule_id, event_time) AS rule_id, any_value(source) AS source,
         any_value(account_id) AS account_id, any_value(region) AS region, any_value(resource_id) AS resource_id,
         any_value(resource_role) AS resource_role, any_value(discriminator) AS discriminator,
         count(DISTINCT event_uid)::INTEGER AS count, min(event_time) AS first_ts, max(event_time) AS last_ts,
         max(severity) AS severity,
         ${latest.join(',\n         ')},
         list_slice(list(DISTINCT {'list': threat_list_name, 'name': threat_name, 'entry': threat_entry, 'sha': threat_list_sha256})
                    FILTER (WHERE threat_list_name IS NOT NULL), 1, 20) AS intel,
         list_slice(list(DISTINCT bucket_name) FILTER (WHERE bucket_name IS NOT NULL), 1, 20) AS buckets,
         arg_max(evidence, event_time) AS evidence
    FROM detect_hits
   GROUP BY finding_id)
SELECT a.* EXCLUDE (first_ts, last_ts), iso_ts(a.first_ts) AS first_seen, iso_ts(a.last_ts) AS last_seen,
       iso_ts(f.created_at) AS prev_created_at, iso_ts(f.updated_at) AS prev_updated_at, f.archived AS prev_archived,
       f.count::INTEGER AS prev_count, iso_ts(f.first_seen) AS prev_first_seen, iso_ts(f.last_seen) AS prev_last_seen
  FROM a LEFT JOIN findings f ON f.id = a.id
 ORDER BY a.id`;
}

export async function aggregateHits(db: Database, options: QueryOptions = {}): Promise<AggregatedFinding[]> {
  return db.all<AggregatedFinding & Record<string, unknown>>(aggregateSql(), undefined, options);
}
