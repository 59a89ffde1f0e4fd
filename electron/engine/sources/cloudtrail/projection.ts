/**
 * Record JSON -> `cloudtrail` row, as one SQL projection over (file_id, position, rec).
 * The record is parsed once by json_transform into a struct of the fields we flatten; open-ended
 * fields stay JSON; the whole record is kept in `raw` so fields AWS adds later are never lost.
 * Values that are not what the field should be (a region that does not exist, an IP that is not
 * an IP) are kept as written: anonymised real exports are full of them.
 */
const RECORD_SHAPE = JSON.stringify({
  eventVersion: 'VARCHAR',
  eventTime: 'VARCHAR',
  eventSource: 'VARCHAR',
  eventName: 'VARCHAR',
  eventType: 'VARCHAR',
  eventCategory: 'VARCHAR',
  awsRegion: 'VARCHAR',
  sourceIPAddress: 'VARCHAR',
  userAgent: 'VARCHAR',
  errorCode: 'VARCHAR',
  errorMessage: 'VARCHAR',
  readOnly: 'VARCHAR',
  managementEvent: 'VARCHAR',
  recipientAccountId: 'VARCHAR',
  requestID: 'VARCHAR',
  eventID: 'VARCHAR',
  sharedEventID: 'VARCHAR',
  vpcEndpointId: 'VARCHAR',
  userIdentity: 'JSON',
  requestParameters: 'JSON',
  responseElements: 'JSON',
  additionalEventData: 'JSON',
  resources: 'JSON',
  tlsDetails: 'JSON',
  serviceEventDetails: 'JSON',
});

const IDENTITY_SHAPE = JSON.stringify({
  type: 'VARCHAR',
  principalId: 'VARCHAR',
  arn: 'VARCHAR',
  accountId: 'VARCHAR',
  accessKeyId: 'VARCHAR',
  userName: 'VARCHAR',
  invokedBy: 'VARCHAR',
  sessionContext: {
    sessionIssuer: { type: 'VARCHAR', arn: 'VARCHAR', userName: 'VARCHAR' },
    attributes: { creationDate: 'VARCHAR', mfaAuthenticated: 'VARCHAR' },
    ec2RoleDelivery: 'VARCHAR',
  },
});

export const CLOUDTRAIL_COLUMNS = [
  'event_uid',
  'event_time',
  'event_version',
  'event_source',
  'event_name',
  'event_type',
  'event_category',
  'aws_region',
  'source_ip',
  'user_agent',
  'error_code',
  'error_message',
  'read_only',
  'management_event',
  'recipient_account_id',
  'account_id',
  'principal_type',
  'principal_id',
  'principal_arn',
  'principal_name',
  'session_name',
  'access_key_id',
  'session_issuer_arn',
  'session_issuer_type',
  'session_creation_date',
  'mfa_authenticated',
  'invoked_by',
  'ec2_role_delivery',
  'vpc_endpoint_id',
  'request_id',
  'bucket_name',
  'object_key',
  'user_identity',
  'request_parameters',
  'response_elements',
  'additional_event_data',
  'resources',
  'raw',
  'shared_event_id',
  'tls_details',
  'service_event_details',
  'file_id',
  'position',
] as const;

/** SELECT list over `p` (file_id, position, rec, r = record struct, u = identity struct). */
const SELECT_LIST = `
  coalesce(nullif(r.eventID, ''), 'md5:' || md5(rec::VARCHAR)) AS event_uid,
  TRY_CAST(r.eventTime AS TIMESTAMPTZ) AS event_time,
  r.eventVersion AS event_version,
  r.eventSource AS event_source,
  r.eventName AS event_name,
  r.eventType AS event_type,
  r.eventCategory AS event_category,
  r.awsRegion AS aws_region,
  r.sourceIPAddress AS source_ip,
  r.userAgent AS user_agent,
  r.errorCode AS error_code,
  r.errorMessage AS error_message,
  TRY_CAST(r.readOnly AS BOOLEAN) AS read_only,
  TRY_CAST(r.managementEvent AS BOOLEAN) AS management_event,
  r.recipientAccountId AS recipient_account_id,
  u.accountId AS account_id,
  u.type AS principal_type,
  u.principalId AS principal_id,
  u.arn AS principal_arn,
  CASE
    WHEN u.type = 'Root' THEN coalesce(nullif(u.userName, ''), 'Root')
    WHEN u.type = 'AssumedRole' THEN coalesce(nullif(u.sessionContext.sessionIssuer.userName, ''), nullif(split_part(u.arn, '/', 2), ''))
    WHEN u.type = 'FederatedUser' THEN coalesce(nullif(regexp_extract(u.arn, 'federated-user/(.+)$', 1), ''), u.userName)
    WHEN u.type = 'AWSService' THEN u.invokedBy
    ELSE coalesce(nullif(u.userName, ''), nullif(regexp_extract(u.arn, '/([^/]+)$', 1), ''))
  END AS principal_name,
  CASE
    WHEN u.type = 'AssumedRole' THEN nullif(regexp_extract(u.arn, 'assumed-role/[^/]+/(.+)$', 1), '')
    WHEN u.type = 'FederatedUser' THEN nullif(regexp_extract(u.arn, 'federated-user/(.+)$', 1), '')
  END AS session_name,
  nullif(u.accessKeyId, '') AS access_key_id,
  u.sessionContext.sessionIssuer.arn AS session_issuer_arn,
  u.sessionContext.sessionIssuer.type AS session_issuer_type,
  TRY_CAST(u.sessionContext.attributes.creationDate AS TIMESTAMPTZ) AS session_creation_date,
  coalesce(
    TRY_CAST(u.sessionContext.attributes.mfaAuthenticated AS BOOLEAN),
    CASE (r.additionalEventData ->> 'MFAUsed') WHEN 'Yes' THEN true WHEN 'No' THEN false END
  ) AS mfa_authenticated,
  u.invokedBy AS invoked_by,
  u.sessionContext.ec2RoleDelivery AS ec2_role_delivery,
  r.vpcEndpointId AS vpc_endpoint_id,
  r.requestID AS request_id,
  CASE WHEN r.eventSource = 's3.amazonaws.com' THEN
    coalesce(
      nullif((r.requestParameters ->> 'bucketName'), ''),
      nullif(regexp_extract(CAST(r.resources AS VARCHAR), '"arn:aws[a-z-]*:s3:::([^/"]+)', 1), '')
    )
  END AS bucket_name,
  CASE WHEN r.eventSource = 's3.amazonaws.com' THEN nullif((r.requestParameters ->> 'key'), '') END AS object_key,
  r.userIdentity AS user_identity,
  r.requestParameters AS request_parameters,
  r.responseElements AS response_elements,
  r.additionalEventData AS additional_event_data,
  r.resources AS resources,
  rec AS raw,
  r.sharedEventID AS shared_event_id,
  r.tlsDetails AS tls_details,
  r.serviceEventDetails AS service_event_details,
  file_id,
  position`;

/**
 * INSERT of every record `source` yields (a subquery of file_id, position, rec) into `cloudtrail`.
 * No dedupe here: a window over wide rows cost more than the whole read. `dedupe.ts` checks the
 * narrow event_uid column afterwards and only then removes the repeats.
 */
export function insertSql(source: string): string {
  return `INSERT INTO cloudtrail (${CLOUDTRAIL_COLUMNS.join(', ')})
    SELECT ${SELECT_LIST}
    FROM (
      SELECT file_id, position, rec, r, json_transform(r.userIdentity, '${IDENTITY_SHAPE}') AS u
      FROM (SELECT file_id, position, rec, json_transform(rec, '${RECORD_SHAPE}') AS r FROM ${source})
    )`;
}
