import type { Database, QueryOptions } from '../../db/database';
import type { Rule } from '../rule-schema';
import { analyzerRule } from './rule-def';
import { novelSql, profileSql } from './sql-common';

/**
 * Flow anomalies per instance (or interface when no log names the instance). Only traffic
 * between a private (instance) address and a public one counts; the side with the lower port
 * is taken as the server, so "outbound" means the instance opened the connection. Judged
 * against the instance's own earlier flows:
 * - Behavior:EC2/NetworkPortUnusual: a remote port it had never connected to (High on 389/1389);
 * - Backdoor:EC2/Spambot: the same for port 25;
 * - DefenseEvasion:EC2/UnusualDNSResolver / UnusualDoTActivity: a public server on 53 / 853 it
 *   had never used; UnusualDoHActivity: HTTPS to a listed DoH resolver it had never used;
 * - Behavior:EC2/TrafficVolumeUnusual: bytes sent to one remote host within an hour, counted up
 *   to the flow, above max(floor, factor x the most it ever sent to one host in an earlier hour).
 * An instance needs a day of history before it is judged.
 */
export const FLOW_VOLUME = { floorBytes: 64 * 1024 * 1024, factor: 5 };
/** More new remote ports than this within an hour is a scan, left to Recon:EC2/Portscan. */
export const FLOW_MAX_NEW_PORTS = 5;

export async function prepareFlow(db: Database, learningEnd: string, q: QueryOptions): Promise<number> {
  // ip4_is_private() expands its argument many times: classify each distinct address once.
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow_ipn AS
     SELECT ip, ip4_to_int(ip) AS n FROM (SELECT srcaddr AS ip FROM vpcflow UNION SELECT dstaddr FROM vpcflow) WHERE ip IS NOT NULL`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow_ip AS SELECT ip, n, NOT ip4_is_private(n) AS public FROM behaviour_flow_ipn WHERE n IS NOT NULL`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow AS
     WITH eni AS (SELECT account_id, eni_id, any_value(instance_id) AS instance_id FROM instance_addresses WHERE eni_id IS NOT NULL GROUP BY ALL),
          ipm AS (SELECT account_id, private_ip, any_value(instance_id) AS instance_id FROM instance_addresses WHERE private_ip IS NOT NULL GROUP BY ALL),
          f AS (
            SELECT v.event_uid, v.start_time AS event_time, coalesce(v.account_id, 'unknown') AS account_id, coalesce(v.region, 'unknown') AS region,
                   v.interface_id, v.instance_id, v.vpc_id, v.subnet_id, v.protocol, coalesce(v.bytes, 0) AS bytes, v.action,
                   sa.public AS src_pub, da.public AS dst_pub, v.srcaddr, v.dstaddr, v.srcport, v.dstport
              FROM vpcflow v JOIN behaviour_flow_ip sa ON sa.ip = v.srcaddr JOIN behaviour_flow_ip da ON da.ip = v.dstaddr
             WHERE v.start_time IS NOT NULL AND v.srcaddr IS NOT NULL AND v.dstaddr IS NOT NULL AND coalesce(v.log_status, 'OK') = 'OK'
               AND v.protocol IN (6, 17)),
          d AS (
            SELECT f.*, CASE WHEN NOT src_pub AND dst_pub THEN true WHEN src_pub AND NOT dst_pub THEN false END AS egress
              FROM f)
     SELECT d.event_uid, d.event_time, d.account_id, d.region, d.vpc_id, d.subnet_id, d.interface_id AS eni_id, d.protocol, d.bytes,
            d.action, d.egress,
            coalesce(d.instance_id, eni.instance_id, ipm.instance_id) AS instance_id,
            coalesce(d.instance_id, eni.instance_id, ipm.instance_id, d.interface_id) AS entity,
            CASE WHEN d.egress THEN d.srcaddr ELSE d.dstaddr END AS local_ip,
            CASE WHEN d.egress THEN d.dstaddr ELSE d.srcaddr END AS remote_ip,
            CASE WHEN d.egress THEN d.srcport ELSE d.dstport END AS local_port,
            CASE WHEN d.egress THEN d.dstport ELSE d.srcport END AS remote_port
       FROM d
       LEFT JOIN eni ON eni.account_id = d.account_id AND eni.eni_id = d.interface_id
       LEFT JOIN ipm ON ipm.account_id = d.account_id AND ipm.private_ip = CASE WHEN d.egress THEN d.srcaddr ELSE d.dstaddr END
      WHERE d.egress IS NOT NULL`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow_entity AS SELECT entity, min(event_time) AS first_ts FROM behaviour_flow GROUP BY ALL`,
    undefined,
    q,
  );
  // Connections the instance opened: the remote side holds the lower (service) port.
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow_out AS
     WITH o AS (SELECT * FROM behaviour_flow f WHERE f.remote_port > 0 AND f.remote_port < f.local_port),
          doh AS (SELECT DISTINCT r.remote_ip FROM (SELECT DISTINCT remote_ip FROM o WHERE remote_port = 443) r
                    JOIN intel t ON t.category = 'doh-resolver' AND t.list_kind = 'threat' AND t.ip_start IS NOT NULL
                                AND ip4_to_int(r.remote_ip) BETWEEN t.ip_start AND t.ip_end)
     SELECT o.*, doh.remote_ip IS NOT NULL AS doh_listed FROM o LEFT JOIN doh ON doh.remote_ip = o.remote_ip`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow_fs AS
     SELECT entity, remote_port, NULL::VARCHAR AS remote_ip, min(event_time) AS first_ts, count(*)::INTEGER AS n FROM behaviour_flow_out GROUP BY ALL
     UNION ALL
     SELECT entity, remote_port, remote_ip, min(event_time), count(*)::INTEGER FROM behaviour_flow_out
      WHERE remote_port IN (53, 853) OR (remote_port = 443 AND doh_listed) GROUP BY ALL`,
    undefined,
    q,
  );
  const novel = (col: string) => novelSql(col, 'o.event_time');
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_flow_hits AS
     WITH o AS (
       SELECT o.*, e.first_ts AS entity_first, p.first_ts AS port_first, h.first_ts AS host_first
         FROM behaviour_flow_out o
         JOIN behaviour_flow_entity e ON e.entity = o.entity
         JOIN behaviour_flow_fs p ON p.entity = o.entity AND p.remote_port = o.remote_port AND p.remote_ip IS NULL
         LEFT JOIN behaviour_flow_fs h ON h.entity = o.entity AND h.remote_port = o.remote_port AND h.remote_ip = o.remote_ip
        WHERE o.event_time >= $learning_end::TIMESTAMPTZ AND e.first_ts <= o.event_time - INTERVAL 1 DAY),
     k AS (
       SELECT o.*, CASE
                WHEN o.remote_port = 53 AND ${novel('o.host_first')} THEN 'resolver'
                WHEN o.remote_port = 853 AND ${novel('o.host_first')} THEN 'dot'
                WHEN o.remote_port = 443 AND o.doh_listed AND ${novel('o.host_first')} THEN 'doh'
                WHEN o.remote_port = 25 AND ${novel('o.port_first')} THEN 'spambot'
                WHEN o.remote_port NOT IN (25, 53, 853) AND ${novel('o.port_first')} THEN 'port'
              END AS kind
         FROM o),
     k2 AS (
       SELECT k.*,
              (SELECT count(*)::INTEGER FROM behaviour_flow_fs x WHERE x.entity = k.entity AND x.remote_ip IS NULL AND x.first_ts < k.event_time) AS ports_before,
              (SELECT list(x.remote_port ORDER BY x.n DESC, x.remote_port) FROM behaviour_flow_fs x WHERE x.entity = k.entity AND x.remote_ip IS NULL AND x.first_ts < k.event_time) AS port_list,
              (SELECT count(*)::INTEGER FROM behaviour_flow_fs x WHERE x.entity = k.entity AND x.remote_ip IS NULL AND x.first_ts >= $learning_end::TIMESTAMPTZ
                                                     AND x.first_ts > k.event_time - INTERVAL 1 HOUR AND x.first_ts <= k.event_time) AS new_ports_hour
         FROM k WHERE k.kind IS NOT NULL)
     SELECT k.*, CASE WHEN k.kind = 'port' AND k.remote_port IN (389, 1389) THEN 8.0 END AS severity,
            CASE k.kind
              WHEN 'port' THEN 'remote port ' || k.remote_port || ' never used by this instance; it had connected out on ' || k.ports_before || ' port(s) before: ' || coalesce(array_to_string(list_slice(k.port_list, 1, 12), ', '), 'none')
              WHEN 'spambot' THEN 'SMTP (port 25) to ' || k.remote_ip || ' with no earlier port-25 traffic from this instance'
              ELSE 'server ' || k.remote_ip || ':' || k.remote_port || ' never used by this instance before'
            END AS unusual,
            json_object('unusual', json_object('behavior', json_object('Instance', json_object(
              CASE WHEN k.kind IN ('port', 'spambot') THEN 'RemotePort' ELSE 'RemoteHost' END,
              ${profileSql("'UNSEEN'", "[CASE WHEN k.kind IN ('port', 'spambot') THEN k.remote_port::VARCHAR ELSE k.remote_ip || ':' || k.remote_port END]")}))),
              'profiles', json_object('Instance', json_object('RemotePort', to_json([${profileSql("'FREQUENT'", 'list_transform(coalesce(list_slice(k.port_list, 1, 20), []), x -> x::VARCHAR)')}])))) AS anomaly
       FROM k2 k
      -- Many new ports within the hour is a port scan (its own rule), not one unusual port.
      WHERE k.kind NOT IN ('port', 'spambot') OR k.new_ports_hour <= $max_new_ports`,
    { learning_end: learningEnd, max_new_ports: FLOW_MAX_NEW_PORTS },
    q,
  );
  // Volume: bytes sent to one host in an hour against the most sent to any one host in an earlier hour.
  await db.run(
    `INSERT INTO behaviour_flow_hits BY NAME
     WITH eg AS (SELECT f.*, date_trunc('hour', f.event_time) AS hour FROM behaviour_flow f WHERE f.egress),
          per_host AS (SELECT entity, hour, remote_ip, sum(bytes) AS b FROM eg GROUP BY ALL),
          per_hour AS (SELECT entity, hour, max(b) AS b FROM per_host GROUP BY ALL),
          bar AS (SELECT entity, hour, max(b) OVER (PARTITION BY entity ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior_max,
                         count(*) OVER (PARTITION BY entity ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior_hours FROM per_hour),
          run AS (SELECT eg.*, sum(eg.bytes) OVER (PARTITION BY eg.entity, eg.remote_ip, eg.hour ORDER BY eg.event_time, eg.event_uid ROWS UNBOUNDED PRECEDING) AS sent,
                         bar.prior_max, bar.prior_hours, e.first_ts AS entity_first
                    FROM eg JOIN bar ON bar.entity = eg.entity AND bar.hour = eg.hour JOIN behaviour_flow_entity e ON e.entity = eg.entity)
     SELECT run.* EXCLUDE (hour, sent, prior_max, prior_hours), 'volume' AS kind, NULL::DOUBLE AS severity,
            round(run.sent / 1048576.0, 1) || ' MiB sent to ' || run.remote_ip || ' within the hour; at most ' || round(coalesce(run.prior_max, 0) / 1048576.0, 1)
              || ' MiB to any one host in an hour before' AS unusual,
            json_object('unusual', json_object('behavior', json_object('Instance', json_object('BytesOut',
              ${profileSql("'UNSEEN'", "[round(run.sent / 1048576.0, 1) || ' MiB to ' || run.remote_ip || ' in one hour']")}))),
              'profiles', json_object('Instance', json_object('BytesOut', to_json([${profileSql("'FREQUENT'", "['at most ' || round(coalesce(run.prior_max, 0) / 1048576.0, 1) || ' MiB to one host per hour over ' || run.prior_hours || ' earlier hours']")}])))) AS anomaly
       FROM run
      WHERE run.event_time >= $learning_end::TIMESTAMPTZ AND run.entity_first <= run.event_time - INTERVAL 1 DAY AND run.prior_hours > 0
        AND run.sent >= greatest($floor, $factor * coalesce(run.prior_max, 0))`,
    { learning_end: learningEnd, floor: FLOW_VOLUME.floorBytes, factor: FLOW_VOLUME.factor },
    q,
  );
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM behaviour_flow_hits`, undefined, q);
  return row?.n ?? 0;
}

interface FlowKind {
  kind: string;
  id: string;
  type: string;
  title: string;
  mitre: string[];
  what: string;
  by?: string[];
  severityContext?: Array<{ value: number; when: string }>;
}

const KINDS: FlowKind[] = [
  {
    kind: 'port',
    id: 'behaviour-flow-port-unusual',
    type: 'Behavior:EC2/NetworkPortUnusual',
    title: '{resource_id} is communicating with {remote_ip} on unusual port {remote_port}.',
    mitre: ['TA0011:T1571'],
    what: 'opened connections to a remote port it had never used',
    severityContext: [{ value: 8, when: 'the port is 389 or 1389 (possible log4j callback)' }],
  },
  {
    kind: 'spambot',
    id: 'behaviour-flow-spambot',
    type: 'Backdoor:EC2/Spambot',
    title: '{resource_id} is sending mail traffic to {remote_ip} on port 25.',
    mitre: ['TA0011:T1071.003'],
    what: 'started talking SMTP (port 25) to remote hosts with no earlier port-25 traffic',
  },
  {
    kind: 'resolver',
    id: 'behaviour-flow-unusual-dns-resolver',
    type: 'DefenseEvasion:EC2/UnusualDNSResolver',
    title: '{resource_id} is using an unusual public DNS resolver {remote_ip}.',
    mitre: ['TA0005:T1562', 'TA0011:T1071.004'],
    what: 'sent DNS (port 53) to a public server it had no history with, bypassing the VPC resolver and its logs',
  },
  {
    kind: 'doh',
    id: 'behaviour-flow-unusual-doh',
    type: 'DefenseEvasion:EC2/UnusualDoHActivity',
    title: '{resource_id} is using DNS over HTTPS with {remote_ip}.',
    mitre: ['TA0005:T1562', 'TA0011:T1572'],
    what: 'connected over HTTPS to a public DNS-over-HTTPS resolver (bundled resolver list) it had no history with',
  },
  {
    kind: 'dot',
    id: 'behaviour-flow-unusual-dot',
    type: 'DefenseEvasion:EC2/UnusualDoTActivity',
    title: '{resource_id} is using DNS over TLS with {remote_ip}.',
    mitre: ['TA0005:T1562', 'TA0011:T1572'],
    what: 'connected to port 853 (DNS over TLS) of a public server it had no history with',
  },
  {
    kind: 'volume',
    id: 'behaviour-flow-traffic-volume',
    type: 'Behavior:EC2/TrafficVolumeUnusual',
    title: '{resource_id} is sending an unusually large amount of traffic to {remote_ip}.',
    mitre: ['TA0010:T1048'],
    what: 'sent far more data to one remote host within an hour than it ever sent to any one host before',
    by: ['remote_ip'],
  },
];

const FLOW_QUERY = `SELECT event_uid, event_time, account_id, region, entity, instance_id, eni_id, vpc_id, subnet_id, local_ip, local_port,
       remote_ip, remote_port, CASE protocol WHEN 6 THEN 'TCP' WHEN 17 THEN 'UDP' ELSE protocol::VARCHAR END AS protocol,
       CASE WHEN egress THEN 'OUTBOUND' ELSE 'INBOUND' END AS direction, action = 'REJECT' AS blocked, 'ACTOR' AS resource_role,
       severity, unusual, anomaly
  FROM behaviour_flow_hits WHERE kind = $kind`;

export function flowRules(): Rule[] {
  return KINDS.map((k) =>
    analyzerRule({
      id: k.id,
      type: k.type,
      source: 'vpcflow',
      title: k.title,
      description: `{resource_id} ${k.what}: {unusual}. Judged only against this instance's own earlier flows, after the learning period.`,
      mitre: k.mitre,
      query: FLOW_QUERY,
      params: { kind: k.kind },
      resource: 'entity',
      ...(k.by ? { by: k.by } : {}),
      evidence: ['unusual', 'anomaly'],
      ...(k.severityContext ? { severityContext: k.severityContext } : {}),
      runbook: [
        'Find the process on {resource_id} that talks to {remote_ip}:{remote_port} (connection tables, EDR, or the instance timeline around {first_seen}).',
        'If nobody expects it, isolate {resource_id} (security group without egress), snapshot its volumes and block {remote_ip}.',
        'Check CloudTrail for use of the instance role from outside the instance since {first_seen}.',
      ],
    }),
  );
}
