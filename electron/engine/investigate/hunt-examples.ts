import type { EntityRef, HuntExample } from '../../../shared/api/investigate';
import type { ResolvedSource } from './sources';

/**
 * Starting points for the hunt console. Each names the columns it needs, so the console only
 * offers what this case's tables can answer. A unit test runs every one of them.
 */
export interface HuntExampleDef extends HuntExample {
  needs: Record<string, readonly string[]>;
}

const CT = ['event_time', 'event_name', 'event_source', 'principal_arn', 'source_ip', 'error_code'] as const;

export const HUNT_EXAMPLES: readonly HuntExampleDef[] = [
  {
    title: 'Busiest principals and their APIs',
    description: 'Who called what, how often, from how many addresses.',
    sql: `SELECT coalesce(session_issuer_arn, principal_arn, invoked_by) AS principal,
       event_name,
       count(*) AS calls,
       count(DISTINCT source_ip) AS source_ips,
       iso_ts(min(event_time)) AS first_seen,
       iso_ts(max(event_time)) AS last_seen
  FROM cloudtrail
 GROUP BY ALL
 ORDER BY calls DESC
 LIMIT 200`,
    params: {},
    needs: { cloudtrail: [...CT, 'session_issuer_arn', 'invoked_by'] },
  },
  {
    title: 'Denied calls by principal',
    description: 'Bursts of AccessDenied / UnauthorizedOperation often mean someone probing permissions.',
    sql: `SELECT principal_arn, error_code, count(*) AS failures,
       count(DISTINCT event_name) AS distinct_apis,
       list(DISTINCT event_name)[1:10] AS sample_apis
  FROM cloudtrail
 WHERE error_code IS NOT NULL
 GROUP BY ALL
 ORDER BY failures DESC`,
    params: {},
    needs: { cloudtrail: CT },
  },
  {
    title: 'Console sign-ins',
    description: 'Every ConsoleLogin with its result, MFA and source address.',
    sql: `SELECT iso_ts(event_time) AS time, principal_arn, source_ip, user_agent,
       (response_elements->>'ConsoleLogin') AS result,
       (additional_event_data->>'MFAUsed') AS mfa_used
  FROM cloudtrail
 WHERE event_name = 'ConsoleLogin'
 ORDER BY event_time`,
    params: {},
    needs: { cloudtrail: [...CT, 'user_agent', 'response_elements', 'additional_event_data'] },
  },
  {
    title: 'Root account activity',
    description: 'Anything the root user did, oldest first.',
    sql: `SELECT iso_ts(event_time) AS time, recipient_account_id AS account, event_name, source_ip, user_agent, error_code
  FROM cloudtrail
 WHERE principal_type = 'Root'
 ORDER BY event_time`,
    params: {},
    needs: { cloudtrail: [...CT, 'principal_type', 'recipient_account_id', 'user_agent'] },
  },
  {
    title: 'First time a principal used a source IP',
    description: 'New addresses per principal after the first day of the case: a cheap look for stolen credentials.',
    sql: `WITH firsts AS (
  SELECT coalesce(session_issuer_arn, principal_arn) AS principal, source_ip, min(event_time) AS first_use, count(*) AS calls
    FROM cloudtrail
   WHERE ip4_is_public(source_ip)
   GROUP BY ALL
)
SELECT principal, source_ip, iso_ts(first_use) AS first_use, calls
  FROM firsts
 WHERE first_use > (SELECT min(event_time) + INTERVAL 1 DAY FROM cloudtrail)
 ORDER BY first_use`,
    params: {},
    needs: { cloudtrail: [...CT, 'session_issuer_arn'] },
  },
  {
    title: 'S3 reads and writes by bucket',
    description: 'Object-level activity per bucket and principal (needs S3 data events in the trail).',
    sql: `SELECT bucket_name, principal_arn,
       count(*) FILTER (WHERE read_only) AS reads,
       count(*) FILTER (WHERE NOT read_only) AS writes,
       count(DISTINCT object_key) AS objects
  FROM cloudtrail
 WHERE bucket_name IS NOT NULL
 GROUP BY ALL
 ORDER BY reads + writes DESC`,
    params: {},
    needs: { cloudtrail: [...CT, 'bucket_name', 'object_key', 'read_only'] },
  },
  {
    title: 'Findings with their evidence',
    description: 'Each finding, how many events back it, and the sources they came from.',
    sql: `SELECT f.type, f.severity, f.resource_id, f.account_id, f.region, f.count,
       count(fe.event_uid) AS evidence_events,
       list(DISTINCT fe.source) AS sources
  FROM findings f
  LEFT JOIN finding_events fe ON fe.finding_id = f.id
 GROUP BY ALL
 ORDER BY f.severity DESC, evidence_events DESC`,
    params: {},
    needs: {
      findings: ['type', 'severity', 'resource_id', 'count'],
      finding_events: ['finding_id', 'event_uid', 'source'],
    },
  },
  {
    title: 'Files that did not load',
    description: 'Failed and skipped inputs, with the reason recorded at load time.',
    sql: `SELECT path, type, status, reason, size
  FROM files
 WHERE status <> 'loaded'
 ORDER BY status, path`,
    params: {},
    needs: { files: ['path', 'type', 'status', 'reason', 'size'] },
  },
  {
    title: 'Top talkers to public addresses',
    description: 'Interfaces that sent the most bytes to public IPs (VPC Flow Logs).',
    sql: `SELECT coalesce(instance_id, interface_id) AS local, dstaddr AS remote, dstport,
       sum(bytes) AS bytes, count(*) AS flows
  FROM vpcflow
 WHERE action = 'ACCEPT' AND ip4_is_public(dstaddr)
 GROUP BY ALL
 ORDER BY bytes DESC
 LIMIT 200`,
    params: {},
    needs: { vpcflow: ['instance_id', 'interface_id', 'dstaddr', 'dstport', 'bytes', 'action'] },
  },
  {
    title: 'Rejected inbound by port',
    description: 'What the internet knocks on: rejected flows from public sources by destination port.',
    sql: `SELECT dstport, count(*) AS flows, count(DISTINCT srcaddr) AS sources, count(DISTINCT interface_id) AS interfaces
  FROM vpcflow
 WHERE action = 'REJECT' AND ip4_is_public(srcaddr)
 GROUP BY ALL
 ORDER BY flows DESC
 LIMIT 100`,
    params: {},
    needs: { vpcflow: ['dstport', 'srcaddr', 'interface_id', 'action'] },
  },
  {
    title: 'Rare domains',
    description: 'Domains resolved by a single instance, least queried first (Route 53 Resolver logs).',
    sql: `SELECT rtrim(lower(query_name), '.') AS domain, any_value(instance_id) AS instance,
       count(*) AS queries, list(DISTINCT rcode) AS rcodes
  FROM dns
 GROUP BY 1
HAVING count(DISTINCT instance_id) <= 1
 ORDER BY queries, domain
 LIMIT 200`,
    params: {},
    needs: { dns: ['query_name', 'instance_id', 'rcode'] },
  },
  {
    title: 'Long query names',
    description: 'Unusually long labels can carry data out through DNS.',
    sql: `SELECT rtrim(lower(query_name), '.') AS domain, length(query_name) AS length, instance_id, srcaddr,
       iso_ts(query_time) AS time
  FROM dns
 WHERE length(query_name) > 60
 ORDER BY length DESC
 LIMIT 200`,
    params: {},
    needs: { dns: ['query_name', 'instance_id', 'srcaddr', 'query_time'] },
  },
];

/**
 * "All activity of this entity" as an editable hunt query, the value bound as `$value`.
 * Table and column names come from the resolved sources, never from the entity.
 */
export function pivotQuery(entity: EntityRef, sources: ResolvedSource[]): HuntExample {
  const has = (source: string, ...cols: string[]) => {
    const s = sources.find((x) => x.source === source);
    return !!s && cols.every((c) => s.columns.has(c));
  };
  const ctCols = `iso_ts(event_time) AS time, event_name, event_source, principal_arn, source_ip, user_agent, error_code,
       bucket_name, recipient_account_id AS account, aws_region AS region`;
  const ct = (where: string) => `SELECT ${ctCols}
  FROM cloudtrail
 WHERE ${where}
 ORDER BY event_time`;
  const params = { value: entity.value };
  const title = `All activity of ${entity.kind} ${entity.value}`;
  switch (entity.kind) {
    case 'principal':
      return {
        title,
        description:
          'CloudTrail calls made by this principal (ARN, user name or principal id) or by sessions of this role.',
        params,
        sql: ct(
          'principal_arn = $value OR session_issuer_arn = $value OR principal_name = $value OR principal_id = $value',
        ),
      };
    case 'accessKey':
      return {
        title,
        description: 'CloudTrail calls signed with this access key.',
        params,
        sql: ct('access_key_id = $value'),
      };
    case 'bucket':
      return {
        title,
        description: 'CloudTrail calls on this bucket (management and data events).',
        params,
        sql: ct(`bucket_name = $value OR (request_parameters->>'bucketName') = $value`),
      };
    case 'account':
      return {
        title,
        description: 'CloudTrail calls recorded in or made by this account.',
        params,
        sql: ct('recipient_account_id = $value OR account_id = $value'),
      };
    case 'ip': {
      const parts = [
        `SELECT 'cloudtrail' AS source, event_time AS ts, principal_arn AS who, event_name AS what FROM cloudtrail WHERE source_ip = $value`,
      ];
      if (has('vpcflow', 'srcaddr', 'dstaddr', 'start_time', 'interface_id', 'dstport', 'action'))
        parts.push(
          `SELECT 'vpcflow', start_time, coalesce(instance_id, interface_id), srcaddr || ' → ' || dstaddr || ':' || dstport || ' ' || action FROM vpcflow WHERE srcaddr = $value OR dstaddr = $value`,
        );
      if (has('dns', 'srcaddr', 'query_time', 'query_name'))
        parts.push(
          `SELECT 'dns', query_time, coalesce(instance_id, srcaddr), query_name FROM dns WHERE srcaddr = $value`,
        );
      return {
        title,
        description: 'Every event where this address appears, across sources.',
        params,
        sql: `SELECT source, iso_ts(ts) AS time, who, what FROM (\n  ${parts.join('\n  UNION ALL\n  ')}\n) ORDER BY ts`,
      };
    }
    case 'instance': {
      const parts = [
        `SELECT 'cloudtrail' AS source, event_time AS ts, event_name AS what, source_ip AS remote FROM cloudtrail WHERE session_name = $value`,
      ];
      if (has('vpcflow', 'instance_id', 'interface_id', 'start_time'))
        parts.push(
          `SELECT 'vpcflow', start_time, srcaddr || ':' || srcport || ' → ' || dstaddr || ':' || dstport || ' ' || action, dstaddr FROM vpcflow WHERE instance_id = $value OR interface_id = $value`,
        );
      if (has('dns', 'instance_id', 'query_time'))
        parts.push(
          `SELECT 'dns', query_time, query_name || ' ' || query_type || ' ' || rcode, srcaddr FROM dns WHERE instance_id = $value`,
        );
      return {
        title,
        description: 'Calls with this instance’s role credentials, its flows and its DNS queries.',
        params,
        sql: `SELECT source, iso_ts(ts) AS time, what, remote FROM (\n  ${parts.join('\n  UNION ALL\n  ')}\n) ORDER BY ts`,
      };
    }
    case 'domain':
      if (has('dns', 'query_name', 'query_time'))
        return {
          title,
          description: 'Every query for this domain or its subdomains.',
          params,
          sql: `SELECT iso_ts(query_time) AS time, query_name, query_type, rcode, instance_id, srcaddr, answers
  FROM dns
 WHERE rtrim(lower(query_name), '.') = rtrim(lower($value), '.')
    OR rtrim(lower(query_name), '.') LIKE '%.' || rtrim(lower($value), '.')
 ORDER BY query_time`,
        };
      return {
        title,
        description: 'No DNS logs in this case.',
        params,
        sql: `SELECT 'no dns table in this case' AS note, $value AS domain`,
      };
  }
}
