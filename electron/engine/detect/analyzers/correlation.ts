import { FINDING_TYPES } from '../../../../shared/findings/catalog';
import type { Database, QueryOptions } from '../../db/database';
import type { Rule } from '../rule-schema';
import { loadRows } from './reference-data';
import { analyzerRule } from './rule-def';

/**
 * Extended-threat-detection style correlation. A signal is a matched event of any rule or
 * analyzer that ran before this one (detect_hits), tied to one credential (access key, else
 * the finding's principal). Each call counts once, with the furthest kill-chain tactic of its
 * signals; InitialAccess (who calls, from where: Tor, a pentest distribution, stolen instance
 * credentials) yields to what the call does. A sequence starts at a call where the 24 hours
 * up to and including it hold, for that credential:
 *   - calls of at least two different tactics besides InitialAccess (a stolen key that only
 *     looks around is already its own finding; a sequence is the key being put to work),
 *   - at least three calls with signals,
 *   - at least one strong signal: a rule or threat-list finding of Medium severity or more,
 *     or a high-confidence anomaly (STRONG_ANOMALY_SQL).
 * Weak anomalies alone (a principal trying a new API from its usual place) never start one.
 * One sequence per credential per 24 hours: the first call that qualifies anchors day-long
 * buckets, the first qualifying call of a bucket starts that bucket's sequence, and the calls
 * from it to the bucket's end are its events. The type is settled when it starts:
 * AttackSequence:S3/CompromisedData when the window then holds an S3 data signal (exfiltration,
 * deletion, writes, permission changes, public access), else :IAM/CompromisedCredentials.
 * Every verdict uses only signals at or before the call judged, so later activity never
 * creates or retypes an earlier sequence. The sequence (signals ordered by tactic then time,
 * actors, resources, endpoints, indicators, including the signals of the 24 hours before it
 * started) travels as `sequence` evidence.
 */
export const SEQUENCE = { windowHours: 24, minCalls: 3, minTactics: 2, strongSeverity: 4 };

/** GuardDuty type -> tactic stage; the order follows ATT&CK's kill chain. */
export const TACTIC_OF_TYPE_SQL = `CASE
    WHEN regexp_matches(h.type, '^(InitialAccess|UnauthorizedAccess|PenTest):') OR h.type = 'Policy:IAMUser/ShortTermRootCredentialUsage' THEN 'InitialAccess'
    WHEN regexp_matches(h.type, '^(Discovery|Recon):') THEN 'Discovery'
    WHEN starts_with(h.type, 'CredentialAccess:') THEN 'CredentialAccess'
    WHEN starts_with(h.type, 'PrivilegeEscalation:') THEN 'PrivilegeEscalation'
    WHEN starts_with(h.type, 'Persistence:') THEN 'Persistence'
    WHEN regexp_matches(h.type, '^(DefenseEvasion|Stealth):') THEN 'DefenseEvasion'
    WHEN starts_with(h.type, 'Exfiltration:') THEN 'Exfiltration'
    WHEN starts_with(h.type, 'Impact:') OR starts_with(h.type, 'Policy:S3/') THEN 'Impact'
  END`;

const STAGE_SQL = `list_position(['InitialAccess', 'Discovery', 'CredentialAccess', 'PrivilegeEscalation', 'Persistence', 'DefenseEvasion', 'Exfiltration', 'Impact'], tactic)`;

const S3_DATA_SQL = `(regexp_matches(h.type, '^(Exfiltration|Impact):S3/') OR h.type IN ('Policy:S3/BucketPublicAccessGranted', 'Policy:S3/BucketAnonymousAccessGranted', 'UnauthorizedAccess:S3/TorIPCaller', 'UnauthorizedAccess:S3/MaliciousIPCaller.Custom'))`;

/**
 * A strong anomaly is unusual in who is calling, not only in what is called: the call came
 * from a network the principal never used, and either the anomaly is of a Medium-or-higher
 * type (persistence, privilege escalation, defense evasion...) or the call also came with a
 * client the principal never used or from a network nobody in its account ever used. A new
 * client from the usual place (an engineer trying Terraform), or a console user on a new
 * home connection merely looking around, stays weak.
 */
const STRONG_ANOMALY_SQL = `(json_exists(h.evidence, '$.anomaly.unusual.behavior.User.AsnOrg')
         AND (t.default_severity >= ${SEQUENCE.strongSeverity}
              OR json_exists(h.evidence, '$.anomaly.unusual.behavior.User.UserAgent')
              OR json_exists(h.evidence, '$.anomaly.unusual.behavior.Account.AsnOrg')))`;

/**
 * behaviour_signal_types: every GuardDuty type's default severity and basis (rule, intel,
 * anomaly...), from the shared catalog, so the correlation can tell strong signals from weak.
 */
export async function prepareCorrelation(db: Database, q: QueryOptions): Promise<void> {
  await loadRows(
    db,
    'behaviour_signal_types',
    'signal_type VARCHAR, default_severity DOUBLE, basis VARCHAR',
    FINDING_TYPES.map((t) => [t.type, t.severity, t.basis]),
    q,
  );
}

function sequenceQuery(s3: boolean): string {
  const win = `INTERVAL ${SEQUENCE.windowHours} HOUR`;
  return `WITH s AS (
    SELECT *, ${STAGE_SQL} AS stage FROM (
      SELECT h.event_uid, h.event_time, h.account_id, h.region, h.type, h.finding_id, h.access_key_id, h.principal_id, h.user_name,
             h.user_type, h.api, h.service_name, h.user_agent, h.remote_ip, h.bucket_name,
             coalesce(h.access_key_id, h.resource_id) AS credential, ${TACTIC_OF_TYPE_SQL} AS tactic, ${S3_DATA_SQL} AS s3_data,
             coalesce(h.severity, t.default_severity) AS severity,
             CASE WHEN t.basis = 'anomaly' THEN ${STRONG_ANOMALY_SQL}
                  ELSE coalesce(h.severity, t.default_severity, 0) >= ${SEQUENCE.strongSeverity} END AS strong
        FROM detect_hits h LEFT JOIN behaviour_signal_types t ON t.signal_type = h.type
       WHERE h.source = 'cloudtrail' AND NOT starts_with(h.type, 'AttackSequence:') AND h.type <> 'Policy:IAMUser/RootCredentialUsage')
     WHERE tactic IS NOT NULL),
  calls AS (
    SELECT account_id, credential, event_uid, min(event_time) AS event_time,
           arg_max(tactic, CASE WHEN tactic = 'InitialAccess' THEN 0 ELSE stage END) AS tactic,
           bool_or(strong) AS strong, bool_or(s3_data) AS s3_data, min(region) AS region
      FROM s GROUP BY account_id, credential, event_uid),
  w AS (
    SELECT calls.*, count(DISTINCT nullif(tactic, 'InitialAccess')) OVER win AS tactics, count(*) OVER win AS n_calls,
           bool_or(strong) OVER win AS has_strong, bool_or(s3_data) OVER win AS has_s3
      FROM calls
    WINDOW win AS (PARTITION BY account_id, credential ORDER BY event_time RANGE BETWEEN ${win} PRECEDING AND CURRENT ROW)),
  cand AS (
    SELECT *, min(event_time) OVER (PARTITION BY account_id, credential) AS anchor FROM w
     WHERE tactics >= ${SEQUENCE.minTactics} AND n_calls >= ${SEQUENCE.minCalls} AND has_strong),
  fire AS (
    SELECT account_id, credential, date_diff('second', anchor, event_time) // 86400 AS k, any_value(anchor) AS anchor,
           min(event_time) AS fired_at, first(region ORDER BY event_time, region) AS region,
           first(has_s3 ORDER BY event_time, has_s3 DESC) AS s3
      FROM cand GROUP BY ALL),
  seqs AS (
    -- Calls before a sequence started are shown as its context (back 24 hours, never into the
    -- previous sequence) but are not its events.
    SELECT *, md5(account_id || '|' || credential || '|' || iso_ts(fired_at)) AS sequence_id,
           anchor + to_seconds((k + 1) * 86400) AS ends_at,
           CASE WHEN lag(k) OVER (PARTITION BY account_id, credential ORDER BY k) = k - 1
                THEN greatest(fired_at - ${win}, anchor + to_seconds(k * 86400)) ELSE fired_at - ${win} END AS context_from
      FROM fire),
  mine AS (SELECT * FROM seqs WHERE s3 = ${s3 ? 'true' : 'false'}),
  member AS (
    SELECT s.*, q.sequence_id, q.region AS sequence_region FROM s JOIN mine q
        ON q.account_id = s.account_id AND q.credential = s.credential AND s.event_time >= q.fired_at AND s.event_time < q.ends_at),
  context AS (
    SELECT s.*, q.sequence_id FROM s JOIN mine q
        ON q.account_id = s.account_id AND q.credential = s.credential AND s.event_time >= q.context_from AND s.event_time < q.ends_at),
  sig AS (
    SELECT sequence_id, finding_id, type, any_value(tactic) AS tactic, min(stage) AS stage, min(event_time) AS first_ts, max(event_time) AS last_ts,
           count(DISTINCT event_uid)::INTEGER AS n, max(severity) AS severity, bool_or(strong) AS strong,
           list(DISTINCT api) FILTER (WHERE api IS NOT NULL) AS apis, list(DISTINCT remote_ip) FILTER (WHERE remote_ip IS NOT NULL) AS ips,
           list(DISTINCT bucket_name) FILTER (WHERE bucket_name IS NOT NULL) AS buckets
      FROM context GROUP BY sequence_id, finding_id, type),
  seq AS (
    SELECT sequence_id,
           list(json_object('uid', finding_id, 'type', 'FINDING', 'name', type, 'description', tactic || ' signal: ' || n || ' event(s) of ' || type,
                            'firstSeenAt', iso_ts(first_ts), 'lastSeenAt', iso_ts(last_ts), 'count', n, 'severity', severity, 'strong', strong,
                            'signalIndicators', [json_object('key', 'ATTACK_TACTIC', 'values', [tactic], 'title', 'Tactic'),
                                                 json_object('key', 'HIGH_RISK_API', 'values', list_slice(apis, 1, 10), 'title', 'APIs')])
                ORDER BY stage, first_ts, type) AS signals,
           flatten(list(apis)) AS apis, flatten(list(ips)) AS ips, flatten(list(buckets)) AS buckets,
           min(first_ts) AS first_ts, max(last_ts) AS last_ts
      FROM sig GROUP BY sequence_id),
  tac AS (
    SELECT sequence_id, list(tactic ORDER BY stage) AS tactics
      FROM (SELECT sequence_id, tactic, min(stage) AS stage FROM sig GROUP BY ALL) GROUP BY sequence_id)
  SELECT m.event_uid, m.event_time, m.account_id, m.sequence_region AS region, m.credential, m.sequence_id, m.access_key_id, m.principal_id,
         m.user_name, m.user_type, m.api, m.service_name, m.user_agent, m.remote_ip, m.bucket_name, 9.0 AS severity,
         array_to_string(q.tactics, ' -> ') AS tactic_chain, len(q.signals)::INTEGER AS signal_count,
         json_object(
           'uid', m.sequence_id,
           'description', 'Signals tied to credential ' || m.credential || ' from ' || iso_ts(q.first_ts) || ' to ' || iso_ts(q.last_ts) || ': ' || array_to_string(q.tactics, ' -> '),
           'actors', [json_object('id', m.credential, 'user', json_object('name', m.user_name, 'uid', m.principal_id, 'type', m.user_type, 'credentialUid', m.access_key_id,
                                                                              'account', json_object('uid', m.account_id)))],
           'resources', list_transform(list_distinct(q.buckets), b -> json_object('uid', 'arn:aws:s3:::' || b, 'name', b, 'accountId', m.account_id, 'resourceType', 'S3_BUCKET'))
                        || CASE WHEN m.access_key_id IS NOT NULL THEN [json_object('uid', m.access_key_id, 'name', m.access_key_id, 'accountId', m.account_id, 'resourceType', 'ACCESS_KEY')] ELSE [] END,
           'endpoints', list_transform(list_slice(list_distinct(q.ips), 1, 20), ip -> json_object('id', ip, 'ip', ip)),
           'signals', q.signals,
           'sequenceIndicators', [json_object('key', 'ATTACK_TACTIC', 'values', q.tactics, 'title', 'Tactics in order'),
                                  json_object('key', 'HIGH_RISK_API', 'values', list_slice(list_distinct(q.apis), 1, 20), 'title', 'APIs')]) AS sequence
    FROM member m JOIN (SELECT seq.*, tac.tactics FROM seq JOIN tac USING (sequence_id)) q USING (sequence_id)`;
}

const RUNBOOK = [
  'Read the signals in order ({tactic_chain}); each links to its own finding and events.',
  'Deactivate the credential {resource_id} (access key or role sessions) now, then list everything it did since {first_seen}.',
  'Undo the changes (keys, users, policies, bucket settings) and restore data from versions or backups.',
];

export function correlationRules(): Rule[] {
  return [
    analyzerRule({
      id: 'behaviour-sequence-s3-compromised-data',
      type: 'AttackSequence:S3/CompromisedData',
      source: 'cloudtrail',
      title: 'Potential data compromise of S3 buckets through credential {resource_id}.',
      description:
        'A sequence of {signal_count} suspicious signals tied to credential {resource_id} within 24 hours ({tactic_chain}) ends in S3 data access, deletion, writes or exposure: the pattern of stolen credentials used against data.',
      mitre: ['TA0010:T1530', 'TA0040:T1485'],
      query: sequenceQuery(true),
      resource: 'credential',
      by: ['sequence_id'],
      evidence: ['tactic_chain', 'signal_count', 'sequence'],
      runbook: RUNBOOK,
    }),
    analyzerRule({
      id: 'behaviour-sequence-iam-compromised-credentials',
      type: 'AttackSequence:IAM/CompromisedCredentials',
      source: 'cloudtrail',
      title: 'Potentially compromised credential {resource_id} used in a sequence of suspicious calls.',
      description:
        'A sequence of {signal_count} suspicious signals tied to credential {resource_id} within 24 hours ({tactic_chain}): the pattern of stolen credentials being used.',
      mitre: ['TA0001:T1078.004'],
      query: sequenceQuery(false),
      resource: 'credential',
      by: ['sequence_id'],
      evidence: ['tactic_chain', 'signal_count', 'sequence'],
      runbook: RUNBOOK,
    }),
  ];
}
