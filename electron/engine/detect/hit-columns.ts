/**
 * The contract between a rule's query and the runner: the columns a query may return, with
 * the DuckDB type each is cast to on its way into `detect_hits`. This list is the allow-list
 * every identifier the runner writes into SQL comes from (besides the query's own DESCRIBE).
 *
 * Required: event_uid, event_time, account_id, region, and the resource column named by the
 * rule's `aggregate.resource` (default `resource_id`). Everything else is optional; a column
 * a query does not return is NULL. Extra columns are allowed and only matter when the rule's
 * `evidence` list names them.
 */
export interface HitColumn {
  name: string;
  type: 'VARCHAR' | 'TIMESTAMPTZ' | 'DOUBLE' | 'INTEGER' | 'BOOLEAN' | 'JSON';
  doc: string;
}

export const REQUIRED_HIT_COLUMNS = ['event_uid', 'event_time', 'account_id', 'region'] as const;

export const HIT_COLUMNS: readonly HitColumn[] = [
  { name: 'event_uid', type: 'VARCHAR', doc: 'event id in the source table (finding_events points at it)' },
  { name: 'event_time', type: 'TIMESTAMPTZ', doc: 'when the event happened' },
  { name: 'account_id', type: 'VARCHAR', doc: 'account the activity happened in' },
  { name: 'region', type: 'VARCHAR', doc: 'region of the event' },
  { name: 'resource_role', type: 'VARCHAR', doc: 'TARGET (default) or ACTOR' },
  {
    name: 'severity',
    type: 'DOUBLE',
    doc: "context severity for this event; the finding takes the highest (default: the rule's)",
  },
  { name: 'access_key_id', type: 'VARCHAR', doc: 'resource.accessKeyDetails.accessKeyId' },
  { name: 'principal_id', type: 'VARCHAR', doc: 'resource.accessKeyDetails.principalId' },
  { name: 'user_name', type: 'VARCHAR', doc: 'resource.accessKeyDetails.userName' },
  { name: 'user_type', type: 'VARCHAR', doc: 'resource.accessKeyDetails.userType (Root, IAMUser, AssumedRole...)' },
  { name: 'api', type: 'VARCHAR', doc: 'awsApiCallAction.api (event name)' },
  { name: 'service_name', type: 'VARCHAR', doc: 'awsApiCallAction.serviceName (event source)' },
  { name: 'caller_type', type: 'VARCHAR', doc: 'awsApiCallAction.callerType (derived from remote_ip when absent)' },
  { name: 'error_code', type: 'VARCHAR', doc: 'awsApiCallAction.errorCode' },
  { name: 'user_agent', type: 'VARCHAR', doc: 'awsApiCallAction.userAgent' },
  { name: 'remote_ip', type: 'VARCHAR', doc: 'the other side: API caller or flow peer (trusted lists suppress on it)' },
  { name: 'remote_account_id', type: 'VARCHAR', doc: 'awsApiCallAction.remoteAccountDetails.accountId' },
  { name: 'remote_account_affiliated', type: 'BOOLEAN', doc: 'awsApiCallAction.remoteAccountDetails.affiliated' },
  { name: 'bucket_name', type: 'VARCHAR', doc: 'S3 bucket (resource.s3BucketDetails)' },
  { name: 'object_key', type: 'VARCHAR', doc: 'S3 object key (s3ObjectDetails)' },
  { name: 'effective_permission', type: 'VARCHAR', doc: 'PUBLIC | NOT_PUBLIC | UNKNOWN' },
  { name: 'permission_configuration', type: 'JSON', doc: 's3BucketDetails.publicAccess.permissionConfiguration' },
  { name: 'instance_id', type: 'VARCHAR', doc: 'resource.instanceDetails.instanceId' },
  { name: 'eni_id', type: 'VARCHAR', doc: 'network interface' },
  { name: 'vpc_id', type: 'VARCHAR', doc: 'VPC of the instance or resolver query' },
  { name: 'subnet_id', type: 'VARCHAR', doc: 'subnet of the instance' },
  { name: 'local_ip', type: 'VARCHAR', doc: 'our side of a connection' },
  { name: 'local_port', type: 'INTEGER', doc: 'our port' },
  { name: 'remote_port', type: 'INTEGER', doc: 'their port' },
  { name: 'protocol', type: 'VARCHAR', doc: 'TCP | UDP | ICMP ...' },
  { name: 'direction', type: 'VARCHAR', doc: 'INBOUND | OUTBOUND | UNKNOWN' },
  { name: 'blocked', type: 'BOOLEAN', doc: 'connection or query was rejected' },
  { name: 'domain', type: 'VARCHAR', doc: 'queried domain (trusted lists suppress on it)' },
  { name: 'dns_protocol', type: 'VARCHAR', doc: 'UDP | TCP for DNS findings' },
  { name: 'threat_list_name', type: 'VARCHAR', doc: 'intel list that matched' },
  { name: 'threat_name', type: 'VARCHAR', doc: 'threat name of the matching entry' },
  { name: 'threat_entry', type: 'VARCHAR', doc: 'the matching entry as written in the list' },
  { name: 'threat_list_sha256', type: 'VARCHAR', doc: 'hash of the list file' },
];

/** Columns the runner fills itself: a query may not return them. */
export const RESERVED_HIT_COLUMNS = ['rule_id', 'type', 'source', 'finding_id', 'discriminator', 'evidence'] as const;

export const HIT_COLUMN_NAMES: ReadonlySet<string> = new Set(HIT_COLUMNS.map((c) => c.name));

/** Names a title or description template may use: hit columns plus what aggregation adds. */
export const TEMPLATE_FIELDS: ReadonlySet<string> = new Set([
  ...HIT_COLUMN_NAMES,
  'resource_id',
  'discriminator',
  'count',
  'first_seen',
  'last_seen',
]);

/** A plain SQL identifier: the only shape of column name the runner will quote into SQL. */
export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
