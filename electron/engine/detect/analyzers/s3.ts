import type { Database, QueryOptions } from '../../db/database';
import type { Rule } from '../rule-schema';
import { explainSql } from './iam';
import { S3_CLASSES, type S3Class } from './reference-data';
import { analyzerRule } from './rule-def';
import { novelSql } from './sql-common';

/**
 * S3 anomalies per principal and bucket. A call of an S3 class (read, write, delete,
 * permission, discovery) on a bucket is anomalous when either
 * - the principal had never used that class on that bucket (first use in the last 24 hours,
 *   after learning) and the call came from a network or client it had never used, or
 * - the principal's calls of that class in the current hour, counted up to this call, pass
 *   max(floor, factor x the most it ever made in one earlier hour, on any bucket): a CI role
 *   that reads in bulk every day, or a nightly backup burst, sets its own bar.
 */
export const S3_TYPES: Record<S3Class, string> = {
  read: 'Exfiltration:S3/AnomalousBehavior',
  write: 'Impact:S3/AnomalousBehavior.Write',
  delete: 'Impact:S3/AnomalousBehavior.Delete',
  permission: 'Impact:S3/AnomalousBehavior.Permission',
  discovery: 'Discovery:S3/AnomalousBehavior',
};

export const S3_VOLUME = { floor: 50, factor: 3 };

export async function prepareS3(db: Database, learningEnd: string, q: QueryOptions): Promise<number> {
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_s3_ev AS
     SELECT e.*, date_trunc('hour', e.event_time) AS hour FROM behaviour_ct e WHERE e.s3_class IS NOT NULL AND e.bucket_name IS NOT NULL`,
    undefined,
    q,
  );
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_s3_fs AS
     SELECT principal, bucket_name, s3_class, min(event_time) AS first_ts FROM behaviour_s3_ev GROUP BY ALL`,
    undefined,
    q,
  );
  // Most calls of a class a principal made in any one earlier hour (any bucket): the volume bar.
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_s3_hourly AS
     WITH h AS (SELECT principal, s3_class, hour, bucket_name, count(*) AS n FROM behaviour_s3_ev GROUP BY ALL),
          m AS (SELECT principal, s3_class, hour, max(n) AS n FROM h GROUP BY ALL)
     SELECT principal, s3_class, hour,
            max(n) OVER (PARTITION BY principal, s3_class ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior_max,
            count(*) OVER (PARTITION BY principal, s3_class ORDER BY hour ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior_hours
       FROM m`,
    undefined,
    q,
  );
  const novel = (col: string) => novelSql(col, 'e.event_time');
  await db.run(
    `CREATE OR REPLACE TABLE behaviour_s3_flagged AS
     WITH c AS (
       SELECT e.*, fp.first_ts AS principal_first, fp.first_ts <= e.event_time - INTERVAL 1 DAY AS warm,
              ${novel('fs.first_ts')} AS api_novel, ${novel('net.first_ts')} AS net_novel, ${novel('ua.first_ts')} AS ua_novel,
              ${novel('reg.first_ts')} AS region_novel, ${novel('anet.first_ts')} AS a_net_novel, ${novel('aua.first_ts')} AS a_ua_novel,
              false AS a_api_novel,
              count(*) OVER (PARTITION BY e.principal, e.bucket_name, e.s3_class, e.hour ORDER BY e.event_time, e.event_uid ROWS UNBOUNDED PRECEDING) AS hour_count,
              hr.prior_max, hr.prior_hours
         FROM behaviour_s3_ev e
         JOIN behaviour_fs_principal fp ON fp.k = e.principal
         JOIN behaviour_s3_fs fs ON fs.principal = e.principal AND fs.bucket_name = e.bucket_name AND fs.s3_class = e.s3_class
         JOIN behaviour_fs_p_net net ON net.k = e.principal AND net.v = e.network
         JOIN behaviour_fs_p_ua ua ON ua.k = e.principal AND ua.v = e.ua_family
         JOIN behaviour_fs_p_region reg ON reg.k = e.principal AND reg.v = e.region
         JOIN behaviour_fs_a_net anet ON anet.k = e.account_id AND anet.v = e.network
         JOIN behaviour_fs_a_ua aua ON aua.k = e.account_id AND aua.v = e.ua_family
         LEFT JOIN behaviour_s3_hourly hr ON hr.principal = e.principal AND hr.s3_class = e.s3_class AND hr.hour = e.hour)
     SELECT *, hour_count >= greatest($floor, $factor * coalesce(prior_max, 0)) AS volume_high
       FROM c
      WHERE event_time >= $learning_end::TIMESTAMPTZ
        AND ((warm AND api_novel AND (net_novel OR ua_novel))
          OR (NOT warm AND a_net_novel AND api_novel)
          OR (warm AND s3_class IN ('read', 'write', 'delete') AND prior_hours > 0
              AND hour_count >= greatest($floor, $factor * coalesce(prior_max, 0))))`,
    { learning_end: learningEnd, floor: S3_VOLUME.floor, factor: S3_VOLUME.factor },
    q,
  );
  await db.run(explainSql('behaviour_s3_flagged', 'behaviour_s3_hits'), undefined, q);
  // The volume figures join the explanation: GuardDuty's "number of API calls" factor.
  await db.run(
    `UPDATE behaviour_s3_hits SET
       unusual = concat_ws('; ', nullif(unusual, ''), CASE WHEN volume_high THEN hour_count || ' ' || s3_class || ' calls in this hour; at most ' || coalesce(prior_max, 0) || ' in any earlier hour' END),
       anomaly = json_merge_patch(anomaly, json_object('unusual', json_object('behavior', json_object('Bucket', json_object(
         'CallVolume', CASE WHEN volume_high THEN json_object('profileType', 'FREQUENCY', 'profileSubtype', 'UNSEEN', 'observations',
             json_object('text', [hour_count || ' ' || s3_class || ' calls on ' || bucket_name || ' in this hour', 'at most ' || coalesce(prior_max, 0) || ' per hour before'])) END,
         'Api', CASE WHEN api_novel THEN json_object('profileType', 'FREQUENCY', 'profileSubtype', 'UNSEEN', 'observations',
             json_object('text', [s3_class || ' on ' || bucket_name || ' never done by this principal before'])) END)))))`,
    undefined,
    q,
  );
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM behaviour_s3_hits`, undefined, q);
  return row?.n ?? 0;
}

const WORDS: Record<S3Class, string> = {
  read: 'object reads',
  write: 'object writes',
  delete: 'deletions',
  permission: 'permission changes',
  discovery: 'listing and discovery calls',
};

const MITRE: Record<S3Class, string[]> = {
  read: ['TA0010:T1530'],
  write: ['TA0040:T1565.001'],
  delete: ['TA0040:T1485'],
  permission: ['TA0040:T1222'],
  discovery: ['TA0007:T1619'],
};

const S3_QUERY = `SELECT event_uid, event_time, account_id, region, principal, bucket_name, object_key, access_key_id, principal_id,
       user_name, user_type, event_name AS api, event_source AS service_name, error_code, user_agent, source_ip AS remote_ip,
       s3_class, unusual, baseline, anomaly
  FROM behaviour_s3_hits WHERE s3_class = $s3_class`;

export function s3Rules(): Rule[] {
  return S3_CLASSES.map((cls) =>
    analyzerRule({
      id: `behaviour-s3-${cls}`,
      type: S3_TYPES[cls],
      source: 'cloudtrail',
      title: `Anomalous S3 ${WORDS[cls]} on {bucket_name} by {user_name}.`,
      description: `{user_name} made S3 ${WORDS[cls]} ({api}) on bucket {bucket_name} that its history does not explain: {unusual}. {baseline}`,
      mitre: MITRE[cls],
      query: S3_QUERY,
      params: { s3_class: cls },
      resource: 'bucket_name',
      by: ['principal'],
      evidence: ['unusual', 'baseline', 'anomaly'],
      runbook: [
        'Ask the owner of {user_name} whether the {api} calls on {bucket_name} from {remote_ip} around {first_seen} were theirs.',
        'If not, deactivate the credentials ({access_key_id}), then list every object the principal touched in {bucket_name} since {first_seen} (S3 data events).',
        'Restore deleted or overwritten objects from versions or backups and review the bucket policy and ACLs.',
      ],
    }),
  );
}
