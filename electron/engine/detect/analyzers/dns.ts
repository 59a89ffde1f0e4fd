import type { Database, QueryOptions } from '../../db/database';
import type { Rule } from '../rule-schema';
import { dgaScoreSql, type DgaModel } from './reference-data';
import { analyzerRule } from './rule-def';
import { novelSql, profileSql } from './sql-common';

/**
 * DNS analyzers over Route 53 Resolver query logs, per instance (or source address):
 * - Trojan:EC2/DGADomainRequest.B: registrable domains whose second-level label the character
 *   model (resources/behaviour/dga-model.json) scores as generated; an instance must have asked
 *   for at least `burst` such domains within an hour (counted up to the query), because malware
 *   cycles through many names while a single odd name is usually a CDN or a vendor.
 * - Impact:EC2/SuspiciousDomainRequest.Reputation: a registrable domain never queried anywhere
 *   in the case before (first query after the learning period, within the last day), asked by at
 *   most two instances so far, that also looks cheap or odd: a much-abused top-level domain or a
 *   label the model finds unlikely.
 * Registrable domains come from a SQL approximation of the public suffix list (last two labels,
 * three under the usual second-level suffixes such as co.uk), good enough to group names.
 */
export const DGA_BURST = 3;
/** How far above the DGA threshold a label still counts as odd for the reputation type. */
export const ODD_MARGIN = 0.6;

const SECOND_LEVEL = `['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gob', 'mil', 'ltd', 'plc', 'sch', 'nic']`;

export async function prepareDns(db: Database, learningEnd: string, model: DgaModel, q: QueryOptions): Promise<number> {
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_dns AS
     WITH ipm AS (SELECT account_id, private_ip, any_value(instance_id) AS instance_id FROM instance_addresses WHERE private_ip IS NOT NULL GROUP BY ALL),
          d AS (
            SELECT q.event_uid, q.query_time AS event_time, coalesce(q.account_id, 'unknown') AS account_id, coalesce(q.region, 'unknown') AS region,
                   q.vpc_id, q.srcaddr, q.rcode, coalesce(upper(q.transport), 'UDP') AS dns_protocol, coalesce(q.firewall_rule_action = 'BLOCK', false) AS blocked,
                   coalesce(q.instance_id, ipm.instance_id) AS instance_id, coalesce(q.instance_id, ipm.instance_id, q.srcaddr) AS entity,
                   rtrim(lower(q.query_name), '.') AS name
              FROM dns q LEFT JOIN ipm ON ipm.account_id = q.account_id AND ipm.private_ip = q.srcaddr
             WHERE q.query_name IS NOT NULL AND q.query_time IS NOT NULL),
          p AS (SELECT d.*, string_split(d.name, '.') AS parts FROM d
                 WHERE contains(d.name, '.') AND NOT regexp_matches(d.name, '\\.(internal|arpa|local|localdomain|amazonaws\\.com|amazonaws\\.com\\.cn|aws)$')
                   AND NOT regexp_matches(d.name, '^[0-9.]+$'))
     SELECT p.* EXCLUDE (parts),
            CASE WHEN len(p.parts) >= 3 AND length(p.parts[-1]) = 2 AND list_contains(${SECOND_LEVEL}, p.parts[-2])
                 THEN array_to_string(list_slice(p.parts, -3, -1), '.') ELSE array_to_string(list_slice(p.parts, -2, -1), '.') END AS domain,
            CASE WHEN len(p.parts) >= 3 AND length(p.parts[-1]) = 2 AND list_contains(${SECOND_LEVEL}, p.parts[-2])
                 THEN p.parts[-3] ELSE p.parts[-2] END AS label,
            p.parts[-1] AS tld
       FROM p`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_dns_labels AS
     ${dgaScoreSql(`SELECT DISTINCT label FROM behaviour_dns WHERE length(label) >= ${Math.max(1, Math.floor(model.minLength))} AND regexp_matches(label, '^[a-z0-9-]+$')`, model)}`,
    undefined,
    q,
  );
  // DGA: first touch of each generated-looking domain per instance, and how many such first
  // touches fell in the hour up to it.
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_dga_touch AS
     WITH t AS (
       SELECT d.entity, d.domain, min(d.event_time) AS first_ts, any_value(s.score) AS score
         FROM behaviour_dns d JOIN behaviour_dns_labels s ON s.label = d.label
        WHERE s.score < $threshold::DOUBLE GROUP BY ALL)
     SELECT t.*, count(*) OVER (PARTITION BY t.entity ORDER BY t.first_ts RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW) AS burst
       FROM t`,
    { threshold: model.threshold },
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_dns_hits AS
     SELECT d.*, 'dga' AS kind, t.score, t.burst,
            'label "' || d.label || '" scores ' || round(t.score, 2) || ' (generated below ' || $threshold::DOUBLE || '); ' || t.burst
              || ' generated-looking domains first asked for by this instance within the hour' AS unusual,
            json_object('unusual', json_object('behavior', json_object('Instance', json_object('Domain',
              ${profileSql("'UNSEEN'", "[d.domain, 'character model score ' || round(t.score, 2) || ' < ' || $threshold::DOUBLE, t.burst || ' such domains in one hour']")})))) AS anomaly
       FROM behaviour_dns d JOIN behaviour_dga_touch t ON t.entity = d.entity AND t.domain = d.domain
      WHERE t.burst >= $burst::INTEGER AND d.event_time >= t.first_ts`,
    { threshold: model.threshold, burst: DGA_BURST },
    q,
  );
  const novel = novelSql('f.first_ts', 'd.event_time');
  await db.run(
    `INSERT INTO behaviour_dns_hits BY NAME
     WITH f AS (SELECT domain, min(event_time) AS first_ts FROM behaviour_dns GROUP BY ALL),
          who AS (SELECT domain, entity, min(event_time) AS first_ts FROM behaviour_dns GROUP BY ALL),
          rank AS (SELECT *, row_number() OVER (PARTITION BY domain ORDER BY first_ts, entity) AS nth FROM who),
          c AS (
            SELECT d.*, s.score, r.nth, tl.tld IS NOT NULL AS cheap_tld
              FROM behaviour_dns d JOIN f ON f.domain = d.domain
              JOIN rank r ON r.domain = d.domain AND r.entity = d.entity
              LEFT JOIN behaviour_dns_labels s ON s.label = d.label
              LEFT JOIN behaviour_suspicious_tlds tl ON tl.tld = d.tld
             WHERE d.event_time >= $learning_end::TIMESTAMPTZ AND ${novel} AND r.nth <= 2
               AND NOT EXISTS (SELECT 1 FROM behaviour_dns_hits h WHERE h.entity = d.entity AND h.domain = d.domain))
     SELECT c.* EXCLUDE (nth, cheap_tld), 'suspicious' AS kind, NULL::BIGINT AS burst,
            'domain ' || c.domain || ' never queried in this case before ' || iso_ts(c.event_time - INTERVAL 1 DAY) || ', asked by '
              || c.nth || ' instance(s) so far; ' || CASE WHEN c.cheap_tld THEN 'its top-level domain .' || c.tld || ' is cheap and much abused'
                                                          ELSE 'its name scores ' || round(c.score, 2) || ' in the character model' END AS unusual,
            json_object('unusual', json_object('behavior', json_object('Account', json_object('Domain',
              ${profileSql("'UNSEEN'", "[c.domain, CASE WHEN c.cheap_tld THEN 'top-level domain .' || c.tld || ' is much abused' ELSE 'character model score ' || round(c.score, 2) END]")})))) AS anomaly
       FROM c
      WHERE c.cheap_tld OR (c.score IS NOT NULL AND c.score < $odd::DOUBLE)`,
    { learning_end: learningEnd, odd: model.threshold + ODD_MARGIN },
    q,
  );
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM behaviour_dns_hits`, undefined, q);
  return row?.n ?? 0;
}

const DNS_QUERY = `SELECT event_uid, event_time, account_id, region, entity, instance_id, vpc_id, srcaddr AS local_ip, name AS domain,
       dns_protocol, blocked, domain AS parent_domain, unusual, anomaly
  FROM behaviour_dns_hits WHERE kind = $kind`;

export function dnsRules(): Rule[] {
  return [
    analyzerRule({
      id: 'behaviour-dns-dga',
      type: 'Trojan:EC2/DGADomainRequest.B',
      source: 'dns',
      title: '{resource_id} is querying algorithmically generated domains such as {domain}.',
      description:
        '{resource_id} asked for several domains whose names look machine-generated, as malware does when it searches for its command server: {unusual}. The character model is trained by the project on benign names (resources/behaviour/dga-model.json).',
      mitre: ['TA0011:T1568.002'],
      query: DNS_QUERY,
      params: { kind: 'dga' },
      resource: 'entity',
      evidence: ['unusual', 'anomaly'],
      runbook: [
        'List every domain {resource_id} asked for around {first_seen}; most generated names fail (NXDOMAIN) and the one that resolves is the command server.',
        'Isolate {resource_id}, block the resolving domain with Route 53 Resolver DNS Firewall and collect the instance volumes.',
        'Check flow logs for connections to the addresses the resolving domain returned.',
      ],
    }),
    analyzerRule({
      id: 'behaviour-dns-suspicious-domain',
      type: 'Impact:EC2/SuspiciousDomainRequest.Reputation',
      source: 'dns',
      title: '{resource_id} is querying {parent_domain}, a rare domain never seen before in this case.',
      description:
        '{resource_id} queried {domain}: {unusual}. New, rarely asked and odd-looking domains are how phishing kits, droppers and fresh command servers show up first.',
      mitre: ['TA0011:T1071.004'],
      query: DNS_QUERY,
      params: { kind: 'suspicious' },
      resource: 'entity',
      by: ['parent_domain'],
      evidence: ['parent_domain', 'unusual', 'anomaly'],
      runbook: [
        'Find the process on {resource_id} that resolved {domain} around {first_seen} and what it fetched.',
        'If it is not expected, block {parent_domain} with Route 53 Resolver DNS Firewall; if it is a new vendor, add it to the trusted list.',
        'Look for the same domain on other instances and in flow logs to the addresses it resolved to.',
      ],
    }),
  ];
}
