import type { Rule } from '../rule-schema';
import { analyzerRule } from './rule-def';

/**
 * Extended-threat-detection style correlation: the signals (matched events of every rule and
 * analyzer that ran before it in this run, from detect_hits) tied to one credential (access
 * key, else the finding's principal) form an attack sequence when, within a rolling 24 hours
 * ending at a signal, they span at least two tactics and two finding types, with at least
 * three signals. AttackSequence:S3/CompromisedData when the window holds an S3 data signal
 * (S3 exfiltration, deletion, write or permission change, or a bucket made public), else
 * AttackSequence:IAM/CompromisedCredentials. Judged at each signal from the signals before
 * it, so later activity never creates an earlier sequence. The sequence (signals ordered by
 * tactic then time, actors, resources, endpoints, indicators) travels as `sequence` evidence.
 */
export const SEQUENCE = { windowHours: 24, minSignals: 3, minTactics: 2, minTypes: 2 };

/** GuardDuty type -> tactic stage; the order follows ATT&CK's kill chain. */
export const TACTIC_OF_TYPE_SQL = `CASE
    WHEN regexp_matches(type, '^(InitialAccess|UnauthorizedAccess|PenTest):') OR type = 'Policy:IAMUser/ShortTermRootCredentialUsage' THEN 'InitialAccess'
    WHEN regexp_matches(type, '^(Discovery|Recon):') THEN 'Discovery'
    WHEN starts_with(type, 'CredentialAccess:') THEN 'CredentialAccess'
    WHEN starts_with(type, 'PrivilegeEscalation:') THEN 'PrivilegeEscalation'
    WHEN starts_with(type, 'Persistence:') THEN 'Persistence'
    WHEN regexp_matches(type, '^(DefenseEvasion|Stealth):') THEN 'DefenseEvasion'
    WHEN starts_with(type, 'Exfiltration:') THEN 'Exfiltration'
    WHEN starts_with(type, 'Impact:') OR starts_with(type, 'Policy:S3/') THEN 'Impact'
  END`;

const STAGE_SQL = `list_position(['InitialAccess', 'Discovery', 'CredentialAccess', 'PrivilegeEscalation', 'Persistence', 'DefenseEvasion', 'Exfiltration', 'Impact'], tactic)`;

const S3_DATA_SQL = `(regexp_matches(type, '^(Exfiltration|Impact):S3/') OR type IN ('Policy:S3/BucketPublicAccessGranted', 'Policy:S3/BucketAnonymousAccessGranted', 'UnauthorizedAccess:S3/TorIPCaller', 'UnauthorizedAccess:S3/MaliciousIPCaller.Custom'))`;

function sequenceQuery(s3: boolean): string {
  return `WITH s AS (
    SELECT h.*, coalesce(h.access_key_id, h.resource_id) AS credential, ${TACTIC_OF_TYPE_SQL} AS tactic, ${S3_DATA_SQL} AS s3_data
      FROM detect_hits h
     WHERE h.source = 'cloudtrail' AND NOT starts_with(h.type, 'AttackSequence:') AND h.type <> 'Policy:IAMUser/RootCredentialUsage'),
  w AS (
    SELECT s.*,
           count(DISTINCT tactic) OVER win AS tactics, count(DISTINCT type) OVER win AS types, count(*) OVER win AS signals,
           bool_or(s3_data) OVER win AS has_s3
      FROM s WHERE tactic IS NOT NULL
    WINDOW win AS (PARTITION BY account_id, credential ORDER BY event_time RANGE BETWEEN INTERVAL ${SEQUENCE.windowHours} HOUR PRECEDING AND CURRENT ROW)),
  fire AS (
    SELECT credential, account_id, event_time AS fired_at, has_s3 FROM w
     WHERE tactics >= ${SEQUENCE.minTactics} AND types >= ${SEQUENCE.minTypes} AND signals >= ${SEQUENCE.minSignals}),
  member AS (
    -- A signal is part of the sequence once a window of the right kind has fired at or before
    -- it (within 24 hours): later signals never pull earlier ones in, so verdicts stay causal.
    SELECT s.*, ${STAGE_SQL} AS stage FROM s
     WHERE s.tactic IS NOT NULL
       AND EXISTS (SELECT 1 FROM fire f WHERE f.credential = s.credential AND f.account_id = s.account_id AND f.has_s3 = ${s3 ? 'true' : 'false'}
                                          AND s.event_time BETWEEN f.fired_at AND f.fired_at + INTERVAL ${SEQUENCE.windowHours} HOUR)),
  context AS (
    -- What the sequence shows: every signal of its windows, including those before it fired.
    SELECT s.*, ${STAGE_SQL} AS stage FROM s
     WHERE s.tactic IS NOT NULL
       AND EXISTS (SELECT 1 FROM fire f WHERE f.credential = s.credential AND f.account_id = s.account_id AND f.has_s3 = ${s3 ? 'true' : 'false'}
                                          AND s.event_time BETWEEN f.fired_at - INTERVAL ${SEQUENCE.windowHours} HOUR AND f.fired_at + INTERVAL ${SEQUENCE.windowHours} HOUR)),
  sig AS (
    SELECT credential, account_id, finding_id, type, any_value(tactic) AS tactic, min(stage) AS stage, min(event_time) AS first_ts, max(event_time) AS last_ts,
           count(DISTINCT event_uid)::INTEGER AS n, max(severity) AS severity,
           list(DISTINCT api) FILTER (WHERE api IS NOT NULL) AS apis, list(DISTINCT remote_ip) FILTER (WHERE remote_ip IS NOT NULL) AS ips,
           list(DISTINCT bucket_name) FILTER (WHERE bucket_name IS NOT NULL) AS buckets
      FROM context GROUP BY ALL),
  seq AS (
    SELECT credential, account_id,
           list(json_object('uid', finding_id, 'type', 'FINDING', 'name', type, 'description', tactic || ' signal: ' || n || ' event(s) of ' || type,
                            'firstSeenAt', iso_ts(first_ts), 'lastSeenAt', iso_ts(last_ts), 'count', n, 'severity', severity,
                            'signalIndicators', [json_object('key', 'ATTACK_TACTIC', 'values', [tactic], 'title', 'Tactic'),
                                                 json_object('key', 'HIGH_RISK_API', 'values', list_slice(apis, 1, 10), 'title', 'APIs')])
                ORDER BY stage, first_ts) AS signals,
           flatten(list(apis)) AS apis, flatten(list(ips)) AS ips, flatten(list(buckets)) AS buckets,
           min(first_ts) AS first_ts, max(last_ts) AS last_ts
      FROM sig GROUP BY ALL),
  tac AS (
    SELECT credential, account_id, list(tactic ORDER BY stage) AS tactics
      FROM (SELECT credential, account_id, tactic, min(stage) AS stage FROM sig GROUP BY ALL) GROUP BY ALL)
  SELECT m.event_uid, m.event_time, m.account_id, m.region, m.credential, m.access_key_id, m.principal_id, m.user_name, m.user_type,
         m.api, m.service_name, m.user_agent, m.remote_ip, m.bucket_name, 9.0 AS severity,
         array_to_string(q.tactics, ' -> ') AS tactic_chain, len(q.signals)::INTEGER AS signal_count,
         json_object(
           'uid', md5(m.account_id || '|' || m.credential),
           'description', 'Signals tied to credential ' || m.credential || ' from ' || iso_ts(q.first_ts) || ' to ' || iso_ts(q.last_ts) || ': ' || array_to_string(q.tactics, ' -> '),
           'actors', [json_object('id', m.credential, 'user', json_object('name', m.user_name, 'uid', m.principal_id, 'type', m.user_type, 'credentialUid', m.access_key_id,
                                                                              'account', json_object('uid', m.account_id)))],
           'resources', list_transform(list_distinct(q.buckets), b -> json_object('uid', 'arn:aws:s3:::' || b, 'name', b, 'accountId', m.account_id, 'resourceType', 'S3_BUCKET'))
                        || CASE WHEN m.access_key_id IS NOT NULL THEN [json_object('uid', m.access_key_id, 'name', m.access_key_id, 'accountId', m.account_id, 'resourceType', 'ACCESS_KEY')] ELSE [] END,
           'endpoints', list_transform(list_slice(list_distinct(q.ips), 1, 20), ip -> json_object('id', ip, 'ip', ip)),
           'signals', q.signals,
           'sequenceIndicators', [json_object('key', 'ATTACK_TACTIC', 'values', q.tactics, 'title', 'Tactics in order'),
                                  json_object('key', 'HIGH_RISK_API', 'values', list_slice(list_distinct(q.apis), 1, 20), 'title', 'APIs')]) AS sequence
    FROM member m JOIN (SELECT seq.*, tac.tactics FROM seq JOIN tac USING (credential, account_id)) q
      ON q.credential = m.credential AND q.account_id = m.account_id`;
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
      evidence: ['tactic_chain', 'signal_count', 'sequence'],
      runbook: RUNBOOK,
    }),
  ];
}
