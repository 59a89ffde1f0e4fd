/**
 * Tables the ingest path writes: the file manifest and one normalized table per log source.
 * Every event row keeps `file_id` and `position` so evidence always leads back to the exact
 * bytes it came from, and `event_uid`, the key `finding_events` points at. Owned by the
 * sources module (electron/engine/sources/README.md explains how each column is filled).
 *
 * position: CloudTrail = 0-based record index in the file (the index in `Records` / the array,
 * or the row of a CSV export); VPC flow and DNS = 1-based line number (header lines counted).
 */
export const EVENT_TABLES: readonly string[] = [
  `CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS files (
     file_id INTEGER PRIMARY KEY,
     path VARCHAR NOT NULL,          -- local path, archive.zip!/inner/path, or s3://bucket/key
     local_path VARCHAR,             -- where the bytes were read from (cache or temp dir)
     size BIGINT NOT NULL,
     sha256 VARCHAR,
     type VARCHAR NOT NULL,          -- cloudtrail | cloudtrail-digest | vpcflow | dns | unknown
     records BIGINT NOT NULL DEFAULT 0,
     status VARCHAR NOT NULL,        -- loaded | skipped | failed | duplicate
     reason VARCHAR,
     account_id VARCHAR,
     region VARCHAR,
     loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
     format VARCHAR,                 -- how it was read: records | ndjson | document | csv | lookup | flow-text | parquet
     compression VARCHAR             -- gzip | none (from the bytes, not the name)
   )`,
  `CREATE TABLE IF NOT EXISTS cloudtrail (
     event_uid VARCHAR NOT NULL,     -- eventID; dedupes overlapping exports ('md5:<hash>' if absent)
     event_time TIMESTAMPTZ,
     event_version VARCHAR,
     event_source VARCHAR,
     event_name VARCHAR,
     event_type VARCHAR,
     event_category VARCHAR,         -- Management | Data | Insight
     aws_region VARCHAR,             -- kept as written, even when not a real region
     source_ip VARCHAR,              -- kept as written, even when not a valid IP
     user_agent VARCHAR,
     error_code VARCHAR,
     error_message VARCHAR,
     read_only BOOLEAN,
     management_event BOOLEAN,
     recipient_account_id VARCHAR,
     account_id VARCHAR,             -- userIdentity.accountId
     principal_type VARCHAR,         -- Root | IAMUser | AssumedRole | FederatedUser | AWSService | ...
     principal_id VARCHAR,
     principal_arn VARCHAR,
     principal_name VARCHAR,         -- userName, or the role name for sessions
     session_name VARCHAR,
     access_key_id VARCHAR,
     session_issuer_arn VARCHAR,
     session_issuer_type VARCHAR,
     session_creation_date TIMESTAMPTZ,
     mfa_authenticated BOOLEAN,
     invoked_by VARCHAR,
     ec2_role_delivery VARCHAR,
     vpc_endpoint_id VARCHAR,
     request_id VARCHAR,
     bucket_name VARCHAR,
     object_key VARCHAR,
     user_identity JSON,
     request_parameters JSON,
     response_elements JSON,
     additional_event_data JSON,
     resources JSON,
     raw JSON,
     shared_event_id VARCHAR,
     tls_details JSON,
     service_event_details JSON,
     file_id INTEGER NOT NULL,
     position INTEGER NOT NULL
   )`,
  // Every v2-v8 field; names are the AWS field names with '-' as '_' (start/end get a suffix
  // because END is an SQL keyword). '-' in the file (NODATA/SKIPDATA rows) is NULL here. The
  // fields nothing in Loupe reads are keys of `extra` (see sources/vpcflow/fields.ts for why).
  `CREATE TABLE IF NOT EXISTS vpcflow (
     event_uid VARCHAR NOT NULL,     -- '<file_id>:<line>'
     version INTEGER,
     account_id VARCHAR,
     interface_id VARCHAR,
     srcaddr VARCHAR,
     dstaddr VARCHAR,
     srcport INTEGER,
     dstport INTEGER,
     protocol INTEGER,               -- IANA number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6
     packets BIGINT,
     bytes BIGINT,
     start_time TIMESTAMPTZ,
     end_time TIMESTAMPTZ,
     action VARCHAR,                 -- ACCEPT | REJECT
     log_status VARCHAR,             -- OK | NODATA | SKIPDATA
     vpc_id VARCHAR,
     subnet_id VARCHAR,
     instance_id VARCHAR,
     tcp_flags INTEGER,
     type VARCHAR,                   -- IPv4 | IPv6 | EFA
     pkt_srcaddr VARCHAR,
     pkt_dstaddr VARCHAR,
     region VARCHAR,                 -- the field, else the region of the S3 key layout
     az_id VARCHAR,
     flow_direction VARCHAR,         -- ingress | egress
     reject_reason VARCHAR,
     -- sublocation_type/_id, pkt_src/dst_aws_service, traffic_path and the ten ecs_* fields, keyed
     -- by those names, only the ones with a value; NULL when none has (the default format)
     extra JSON,
     file_id INTEGER NOT NULL,
     position INTEGER NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS dns (
     event_uid VARCHAR NOT NULL,     -- '<file_id>:<line>'
     query_time TIMESTAMPTZ,
     version VARCHAR,
     account_id VARCHAR,
     region VARCHAR,
     vpc_id VARCHAR,
     query_name VARCHAR,             -- as logged, with the trailing dot
     query_type VARCHAR,
     query_class VARCHAR,
     rcode VARCHAR,
     answers JSON,                   -- [{Rdata, Type, Class}]
     srcaddr VARCHAR,
     srcport INTEGER,
     transport VARCHAR,
     srcids JSON,
     instance_id VARCHAR,            -- srcids.instance
     resolver_endpoint_id VARCHAR,   -- srcids.resolver_endpoint
     firewall_rule_action VARCHAR,   -- ALLOW | BLOCK | ALERT
     firewall_rule_group_id VARCHAR,
     firewall_domain_list_id VARCHAR,
     firewall_protection VARCHAR,
     raw JSON,
     file_id INTEGER NOT NULL,
     position INTEGER NOT NULL
   )`,
];

/**
 * VPC flow fields kept as keys of `vpcflow.extra` rather than as columns: nothing in Loupe reads
 * them, and the default format leaves them all NULL (why that matters: sources/vpcflow/fields.ts).
 */
export const FLOW_EXTRA_COLUMNS: readonly string[] = [
  'sublocation_type',
  'sublocation_id',
  'pkt_src_aws_service',
  'pkt_dst_aws_service',
  'traffic_path',
  'ecs_cluster_arn',
  'ecs_cluster_name',
  'ecs_container_instance_arn',
  'ecs_container_instance_id',
  'ecs_container_id',
  'ecs_second_container_id',
  'ecs_service_name',
  'ecs_task_definition_arn',
  'ecs_task_arn',
  'ecs_task_id',
];
