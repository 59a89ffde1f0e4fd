/**
 * SQL fragments shared by the analyzers. Kept as functions of column expressions written in
 * this folder (never of input), so every statement is still assembled from fixed text.
 */

/** One principal per identity: user, root, role + session-name family, federated family. */
export function principalKeySql(c: string): string {
  const family = `regexp_replace(regexp_replace(coalesce(${c}.session_name, ''), '[0-9a-f]{8,}', '*', 'g'), '[0-9]+', '#', 'g')`;
  return `CASE ${c}.principal_type
    WHEN 'Root' THEN 'root:' || coalesce(${c}.recipient_account_id, ${c}.account_id)
    WHEN 'IAMUser' THEN coalesce(${c}.principal_arn, 'user:' || ${c}.principal_name)
    WHEN 'AssumedRole' THEN coalesce(${c}.session_issuer_arn, regexp_replace(${c}.principal_arn, '/[^/]*$', '')) || '/' || ${family}
    WHEN 'FederatedUser' THEN regexp_replace(coalesce(${c}.principal_arn, ${c}.principal_id), '[0-9]+$', '#')
    ELSE NULL END`;
}

/**
 * Client family from a user agent: aws-cli, boto3, terraform, console, a service name... A
 * console user's calls carry the browser's agent, console.*.amazonaws.com or AWS Internal at
 * random, so all three are one family.
 */
export function uaFamilySql(ua: string): string {
  return `CASE
    WHEN ${ua} IS NULL OR ${ua} = '' THEN 'none'
    WHEN ${ua} = 'AWS Internal' OR regexp_matches(${ua}, '^console\\.([a-z0-9-]+\\.)?amazonaws\\.com$') OR regexp_matches(${ua}, '^\\[?Mozilla/') THEN 'console'
    WHEN regexp_matches(${ua}, '^[a-z0-9.-]+\\.amazonaws\\.com$') THEN ${ua}
    WHEN contains(${ua}, 'amazon-ssm-agent') THEN 'ssm-agent'
    WHEN contains(${ua}, 'Terraform') THEN 'terraform'
    WHEN regexp_matches(${ua}, '^\\[?aws-cli/') THEN 'aws-cli'
    WHEN regexp_matches(${ua}, '(?i)boto3/') THEN 'boto3'
    WHEN regexp_matches(${ua}, '(?i)botocore/') THEN 'botocore'
    WHEN contains(${ua}, 'aws-sdk-java') THEN 'aws-sdk-java'
    WHEN contains(${ua}, 'aws-sdk-go') THEN 'aws-sdk-go'
    WHEN contains(${ua}, 'aws-sdk-js') OR contains(${ua}, 'aws-sdk-nodejs') THEN 'aws-sdk-js'
    ELSE coalesce(nullif(lower(regexp_extract(ltrim(${ua}, '['), '^([A-Za-z][A-Za-z0-9_.-]*)', 1)), ''), 'other')
  END`;
}

/**
 * The network of calls AWS makes for a principal (source "AWS Internal" or a service name):
 * never a sign of someone else using the credentials, so never novel (cloudtrail-features.ts).
 */
export const AWS_NETWORK = 'aws';

/** Network of an address: its ASN when the enrichment knows it, else a /16 (IPv4) or /48 (IPv6). */
export function networkSql(ip: string, asn: string): string {
  return `CASE
    WHEN ${ip} IS NULL THEN 'none'
    WHEN ${ip} = 'AWS Internal' OR regexp_matches(${ip}, '^[a-z0-9.-]+\\.amazonaws\\.com$') THEN '${AWS_NETWORK}'
    WHEN ${asn} IS NOT NULL THEN 'AS' || ${asn}::VARCHAR
    WHEN ip4_to_int(${ip}) IS NOT NULL THEN 'net:' || split_part(${ip}, '.', 1) || '.' || split_part(${ip}, '.', 2) || '.0.0/16'
    WHEN regexp_matches(${ip}, '^[0-9A-Fa-f:]+$') AND contains(${ip}, ':') THEN 'net:' || array_to_string(list_slice(string_split(lower(${ip}), ':'), 1, 3), ':') || '::/48'
    ELSE ${ip} END`;
}

/** GuardDuty's frequency words from days seen over the days of history (per month). */
export function frequencySql(daysSeen: string, historyDays: string): string {
  return `CASE WHEN coalesce(${daysSeen}, 0) = 0 THEN 'UNSEEN'
    WHEN ${daysSeen} * 30.0 / greatest(${historyDays}, 1) >= 4 THEN 'FREQUENT'
    WHEN ${daysSeen} * 30.0 / greatest(${historyDays}, 1) >= 1 THEN 'INFREQUENT'
    ELSE 'RARE' END`;
}

/** One GuardDuty anomaly profile entry. */
export function profileSql(subtype: string, texts: string): string {
  return `json_object('profileType', 'FREQUENCY', 'profileSubtype', ${subtype}, 'observations', json_object('text', ${texts}))`;
}

/** The 24-hour novelty test: a value first seen after learning and within the last day. */
export function novelSql(firstSeen: string, eventTime: string): string {
  return `(${firstSeen} >= $learning_end::TIMESTAMPTZ AND ${firstSeen} > ${eventTime} - INTERVAL 1 DAY)`;
}
