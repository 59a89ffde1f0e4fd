/**
 * Tables the ingest path writes: the file manifest and one normalized table per log source.
 * Every event row keeps `file_id` and `position` (record index or line number inside the file)
 * so evidence always leads back to the exact bytes it came from, and `event_uid`, the key
 * `finding_events` points at. Owned by the sources module.
 */
export const EVENT_TABLES: readonly string[] = [
  `CREATE SEQUENCE IF NOT EXISTS file_id_seq START 1`,
  `CREATE TABLE IF NOT EXISTS files (
     file_id INTEGER PRIMARY KEY,
     path VARCHAR NOT NULL,          -- local path, or s3://bucket/key for downloaded objects
     local_path VARCHAR,             -- where the bytes were read from (cache or temp dir)
     size BIGINT NOT NULL,
     sha256 VARCHAR,
     type VARCHAR NOT NULL,          -- cloudtrail | cloudtrail-digest | vpcflow | dns | unknown
     records BIGINT NOT NULL DEFAULT 0,
     status VARCHAR NOT NULL,        -- loaded | skipped | failed | duplicate
     reason VARCHAR,
     account_id VARCHAR,
     region VARCHAR,
     loaded_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS cloudtrail (
     event_uid VARCHAR NOT NULL,     -- eventID; dedupes overlapping exports
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
     file_id INTEGER NOT NULL,
     position INTEGER NOT NULL
   )`,
];
