import type { Scope } from '../../../shared/api/investigate';

/**
 * The entities a finding is about, as rows (finding_id, kind, value), in the same value
 * spelling the graph and the scope predicates use: access key id, instance id, bucket name,
 * remote IPv4, domain without the trailing dot, and the principal ARN (role ARN for sessions)
 * taken from the finding's own CloudTrail evidence, because GuardDuty's JSON names the user
 * but not the ARN.
 *
 * `findings` is the name of a relation with the findings table's columns (a CTE that already
 * applied the caller's filters keeps this cheap).
 */
export function findingEntitiesSql(findings: string, options: { cloudtrail: boolean }): string {
  const principal = options.cloudtrail
    ? `UNION ALL
       SELECT DISTINCT fe.finding_id, 'principal', coalesce(ct.session_issuer_arn, ct.principal_arn)
         FROM finding_events fe
         JOIN ${findings} sf ON sf.id = fe.finding_id
         JOIN cloudtrail ct ON ct.event_uid = fe.event_uid
        WHERE fe.source = 'cloudtrail'`
    : '';
  // One JSON parse per finding for the scalar paths (parsing dominates: ~1 s per 100k findings
  // per pass); the list-valued paths only for the finding types that can have them.
  return `
    SELECT finding_id, kind, CASE WHEN kind = 'domain' THEN rtrim(lower(value), '.') ELSE value END AS value FROM (
      SELECT id AS finding_id,
             unnest(['accessKey', 'instance', 'ip', 'ip', 'domain']) AS kind,
             unnest(json_extract_string(finding, [${SCALAR_PATHS.map((p) => `'${p}'`).join(', ')}])) AS value
        FROM ${findings}
      UNION ALL
      SELECT id, 'bucket', unnest(json_extract_string(finding, '$.resource.s3BucketDetails[*].name'))
        FROM ${findings} WHERE resource_type = 'S3Bucket'
      UNION ALL
      SELECT id, 'ip', unnest(json_extract_string(finding, '$.service.action.portProbeAction.portProbeDetails[*].remoteIpDetails.ipAddressV4'))
        FROM ${findings} WHERE contains(type, 'PortProbe')
      ${principal}
    ) WHERE value IS NOT NULL AND value <> ''`;
}

/** In the order of the kinds in `findingEntitiesSql`. */
const SCALAR_PATHS = [
  '$.resource.accessKeyDetails.accessKeyId',
  '$.resource.instanceDetails.instanceId',
  '$.service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
  '$.service.action.networkConnectionAction.remoteIpDetails.ipAddressV4',
  '$.service.action.dnsRequestAction.domain',
];

/**
 * WHERE fragment over `findings f` for the scope's accounts, regions and entity (time is the
 * caller's business: markers and lists treat it differently). Uses the same parameter names as
 * `prepareScope` plus `$entityKind`.
 */
export function findingScopeWhere(scope: Scope, options: { cloudtrail: boolean }): string {
  const parts = ['NOT f.archived'];
  if (scope.accounts && scope.accounts.length > 0)
    parts.push(`list_contains(from_json($accounts, '["VARCHAR"]'), f.account_id)`);
  if (scope.regions && scope.regions.length > 0)
    parts.push(`list_contains(from_json($regions, '["VARCHAR"]'), f.region)`);
  if (scope.entity) {
    if (scope.entity.kind === 'account') parts.push('f.account_id = $entity');
    else
      parts.push(
        `f.id IN (SELECT finding_id FROM (${findingEntitiesSql('findings', options)}) WHERE kind = $entityKind AND (value = $entity OR (kind = 'domain' AND value = rtrim(lower($entity), '.'))))`,
      );
  }
  return parts.join(' AND ');
}
