import type { Database, QueryOptions } from '../../db/database';
import type { Rule } from '../rule-schema';
import { TACTICS, type Tactic } from './reference-data';
import { analyzerRule } from './rule-def';
import { frequencySql, novelSql, profileSql } from './sql-common';

/**
 * IAM anomalies per principal (user, root, role + session family, federated family). An
 * API call with a tactic class is anomalous when, judged only against the principal's own
 * earlier calls, the API is new (first used in the last 24 hours, after the learning period)
 * AND the call came from a network (ASN) or a client family the principal had not used
 * before either: "not seen for this identity making this API call in this way". A principal
 * with less than a day of history is judged against its account instead. S3 bucket calls go
 * to the S3 analyzer, data events are never IAM anomalies.
 */
export const IAM_TYPES: Record<Tactic, string> = {
  CredentialAccess: 'CredentialAccess:IAMUser/AnomalousBehavior',
  DefenseEvasion: 'DefenseEvasion:IAMUser/AnomalousBehavior',
  Discovery: 'Discovery:IAMUser/AnomalousBehavior',
  Exfiltration: 'Exfiltration:IAMUser/AnomalousBehavior',
  Impact: 'Impact:IAMUser/AnomalousBehavior',
  InitialAccess: 'InitialAccess:IAMUser/AnomalousBehavior',
  Persistence: 'Persistence:IAMUser/AnomalousBehavior',
  PrivilegeEscalation: 'PrivilegeEscalation:IAMUser/AnomalousBehavior',
};

const MITRE: Record<Tactic, string[]> = {
  CredentialAccess: ['TA0006:T1552'],
  DefenseEvasion: ['TA0005:T1562'],
  Discovery: ['TA0007:T1087'],
  Exfiltration: ['TA0010:T1537'],
  Impact: ['TA0040:T1485'],
  InitialAccess: ['TA0001:T1078.004'],
  Persistence: ['TA0003:T1098'],
  PrivilegeEscalation: ['TA0004:T1098.003'],
};

const WORDS: Record<Tactic, string> = {
  CredentialAccess: 'credential access',
  DefenseEvasion: 'defense evasion',
  Discovery: 'discovery',
  Exfiltration: 'exfiltration',
  Impact: 'impact',
  InitialAccess: 'initial access',
  Persistence: 'persistence',
  PrivilegeEscalation: 'privilege escalation',
};

/** Builds behaviour_iam_hits: one row per anomalous call, with its explanation. */
export async function prepareIam(db: Database, learningEnd: string, q: QueryOptions): Promise<number> {
  const novel = (col: string) => novelSql(col, 'e.event_time');
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_iam_candidates AS
     SELECT e.*, fp.first_ts AS principal_first,
            fp.first_ts <= e.event_time - INTERVAL 1 DAY AS warm,
            ${novel('api.first_ts')} AS api_novel, ${novel('net.first_ts')} AS net_novel, ${novel('ua.first_ts')} AS ua_novel,
            ${novel('reg.first_ts')} AS region_novel,
            ${novel('aapi.first_ts')} AS a_api_novel, ${novel('anet.first_ts')} AS a_net_novel, ${novel('aua.first_ts')} AS a_ua_novel,
            api.first_ts AS api_first, net.first_ts AS net_first, ua.first_ts AS ua_first
       FROM behaviour_ct e
       JOIN behaviour_fs_principal fp ON fp.k = e.principal
       JOIN behaviour_fs_p_api api ON api.k = e.principal AND api.v = e.event_name
       JOIN behaviour_fs_p_net net ON net.k = e.principal AND net.v = e.network
       JOIN behaviour_fs_p_ua ua ON ua.k = e.principal AND ua.v = e.ua_family
       JOIN behaviour_fs_p_region reg ON reg.k = e.principal AND reg.v = e.region
       JOIN behaviour_fs_a_api aapi ON aapi.k = e.account_id AND aapi.v = e.event_name
       JOIN behaviour_fs_a_net anet ON anet.k = e.account_id AND anet.v = e.network
       JOIN behaviour_fs_a_ua aua ON aua.k = e.account_id AND aua.v = e.ua_family
      WHERE NOT e.data_event AND e.tactic IS NOT NULL AND e.event_time >= $learning_end::TIMESTAMPTZ
        AND NOT (e.s3_class IS NOT NULL AND e.bucket_name IS NOT NULL)`,
    { learning_end: learningEnd },
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_iam_flagged AS
     SELECT * FROM behaviour_iam_candidates
      WHERE (warm AND api_novel AND (net_novel OR ua_novel))
         OR (NOT warm AND a_api_novel AND (a_net_novel OR a_ua_novel))`,
    undefined,
    q,
  );
  await db.run(explainSql('behaviour_iam_flagged', 'behaviour_iam_hits'), undefined, q);
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM behaviour_iam_hits`, undefined, q);
  return row?.n ?? 0;
}

/**
 * The anomaly explanation in GuardDuty's service.detection.anomaly shape, from the principal's
 * history before the day of the call (behaviour_ct_daily), plus a one-line baseline summary.
 * Used by the IAM and the S3 analyzers (both flag rows of behaviour_ct).
 */
export function explainSql(flagged: string, out: string): string {
  const sub = frequencySql('d.days', 'd.history_days');
  return `CREATE OR REPLACE TABLE ${out} AS
  WITH f AS (SELECT f.*, greatest(1, date_diff('day', date_trunc('day', f.principal_first), f.day))::INTEGER AS history_days FROM ${flagged} f),
  hist AS (
    SELECT f.event_uid, count(DISTINCT d.event_name)::INTEGER AS p_apis, count(DISTINCT d.day)::INTEGER AS p_days,
           count(DISTINCT d.network)::INTEGER AS p_nets, count(DISTINCT d.ua_family)::INTEGER AS p_uas,
           count(DISTINCT d.region)::INTEGER AS p_regions, coalesce(sum(d.n), 0)::BIGINT AS p_calls
      FROM f LEFT JOIN behaviour_ct_daily d ON d.principal = f.principal AND d.day < f.day
     GROUP BY f.event_uid),
  api_days AS (
    SELECT f.event_uid, d.event_name AS v, count(DISTINCT d.day)::INTEGER AS days, any_value(f.history_days) AS history_days
      FROM f JOIN behaviour_ct_daily d ON d.principal = f.principal AND d.day < f.day GROUP BY ALL),
  net_days AS (
    SELECT f.event_uid, d.network || coalesce(' ' || any_value(d.org), '') AS v, count(DISTINCT d.day)::INTEGER AS days, any_value(f.history_days) AS history_days
      FROM f JOIN behaviour_ct_daily d ON d.principal = f.principal AND d.day < f.day GROUP BY f.event_uid, d.network),
  ua_days AS (
    SELECT f.event_uid, d.ua_family AS v, count(DISTINCT d.day)::INTEGER AS days, any_value(f.history_days) AS history_days
      FROM f JOIN behaviour_ct_daily d ON d.principal = f.principal AND d.day < f.day GROUP BY ALL),
  prof AS (
    SELECT h.event_uid,
           (SELECT list_slice(list(${profileSql(sub, '[d.v]')} ORDER BY d.days DESC, d.v), 1, 20) FROM api_days d WHERE d.event_uid = h.event_uid) AS apis,
           (SELECT list_slice(list(${profileSql(sub, '[d.v]')} ORDER BY d.days DESC, d.v), 1, 10) FROM net_days d WHERE d.event_uid = h.event_uid) AS nets,
           (SELECT list_slice(list(${profileSql(sub, '[d.v]')} ORDER BY d.days DESC, d.v), 1, 10) FROM ua_days d WHERE d.event_uid = h.event_uid) AS uas
      FROM hist h),
  acct AS (
    SELECT f.event_uid, count(DISTINCT d.principal)::INTEGER AS a_principals, count(DISTINCT d.event_name)::INTEGER AS a_apis
      FROM f LEFT JOIN behaviour_ct_daily d ON d.account_id = f.account_id AND d.day < f.day GROUP BY f.event_uid)
  SELECT f.*, h.p_apis, h.p_days, h.p_nets, h.p_uas, h.p_regions, h.p_calls, a.a_principals, a.a_apis,
         concat_ws('; ',
           CASE WHEN f.api_novel THEN 'API ' || f.event_name || ' never called by this principal before' END,
           CASE WHEN f.net_novel THEN 'network ' || f.network || coalesce(' (' || f.org || ')', '') || ' never used by this principal' END,
           CASE WHEN f.ua_novel THEN 'client ' || f.ua_family || ' never used by this principal' END,
           CASE WHEN f.region_novel THEN 'region ' || f.region || ' never used by this principal' END,
           CASE WHEN f.a_api_novel THEN 'API never called in account ' || f.account_id END,
           CASE WHEN f.a_net_novel THEN 'network never seen in the account' END) AS unusual,
         'Before this day, this principal made ' || h.p_calls || ' calls to ' || h.p_apis || ' APIs on ' || h.p_days || ' days from '
           || h.p_nets || ' network(s) with ' || h.p_uas || ' client type(s) in ' || h.p_regions || ' region(s); this call came from '
           || f.network || coalesce(' (' || f.org || ')', '') || ' with ' || f.ua_family
           || CASE WHEN f.net_novel THEN ', a network it had never used' ELSE '' END
           || CASE WHEN f.ua_novel THEN ', a client it had never used' ELSE '' END || '.' AS baseline,
         json_object(
           'profiles', json_object(
             'User', json_object('Api', to_json(coalesce(p.apis, [])), 'AsnOrg', to_json(coalesce(p.nets, [])), 'UserAgent', to_json(coalesce(p.uas, []))),
             'Account', json_object('Principals', to_json([${profileSql("'FREQUENT'", "['principals before this day: ' || a.a_principals, 'APIs called before this day: ' || a.a_apis]")}]))),
           'unusual', json_object('behavior', json_object(
             'User', json_merge_patch('{}', json_object(
               'Api', CASE WHEN f.api_novel THEN ${profileSql("'UNSEEN'", "[f.event_name || ' (' || coalesce(f.tactic, f.s3_class) || ')']")} END,
               'AsnOrg', CASE WHEN f.net_novel THEN ${profileSql("'UNSEEN'", "[f.network || coalesce(' ' || f.org, '')]")} END,
               'UserAgent', CASE WHEN f.ua_novel THEN ${profileSql("'UNSEEN'", '[f.ua_family]')} END,
               'Region', CASE WHEN f.region_novel THEN ${profileSql("'UNSEEN'", '[f.region]')} END)),
             'Account', json_merge_patch('{}', json_object(
               'Api', CASE WHEN f.a_api_novel THEN ${profileSql("'UNSEEN'", '[f.event_name]')} END,
               'AsnOrg', CASE WHEN f.a_net_novel THEN ${profileSql("'UNSEEN'", "[f.network || coalesce(' ' || f.org, '')]")} END,
               'UserAgent', CASE WHEN f.a_ua_novel THEN ${profileSql("'UNSEEN'", '[f.ua_family]')} END))))) AS anomaly
    FROM f JOIN hist h USING (event_uid) JOIN prof p USING (event_uid) JOIN acct a USING (event_uid)`;
}

const IAM_QUERY = `SELECT event_uid, event_time, account_id, region, principal, access_key_id, principal_id, user_name, user_type,
       event_name AS api, event_source AS service_name, error_code, user_agent, source_ip AS remote_ip,
       tactic, unusual, baseline, anomaly
  FROM behaviour_iam_hits WHERE tactic = $tactic`;

export function iamRules(): Rule[] {
  return TACTICS.map((tactic) =>
    analyzerRule({
      id: `behaviour-iam-${tactic.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `-${c.toLowerCase()}`))}`,
      type: IAM_TYPES[tactic],
      source: 'cloudtrail',
      title: `Anomalous ${WORDS[tactic]} API {api} was invoked by {user_name}.`,
      description: `{user_name} called {api} ({service_name}), an API used for ${WORDS[tactic]}, in a way its own history does not explain: {unusual}. {baseline} The learning period and anything the principal already did routinely never count.`,
      mitre: MITRE[tactic],
      query: IAM_QUERY,
      params: { tactic },
      resource: 'principal',
      evidence: ['unusual', 'baseline', 'anomaly'],
      runbook: [
        'Ask the owner of {user_name} whether they called {api} from {remote_ip} around {first_seen}; if not, treat the credentials as stolen.',
        'Deactivate the access key {access_key_id} (or revoke the role sessions) and list every call it made from {remote_ip} since {first_seen}.',
        'Undo what the calls changed and look for new keys, users, roles or policies the caller created.',
      ],
    }),
  );
}
