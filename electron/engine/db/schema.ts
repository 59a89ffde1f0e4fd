import type { Database } from './database';

/**
 * The normalized case tables. Every event row keeps `file_id` and `position` (record index or
 * line number inside the file) so evidence always leads back to the exact bytes it came from,
 * and `event_uid`, the key `finding_events` points at.
 */
export const SCHEMA_VERSION = 1;

export const TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
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
  `CREATE TABLE IF NOT EXISTS findings (
     id VARCHAR PRIMARY KEY,
     type VARCHAR NOT NULL,
     severity DOUBLE NOT NULL,
     title VARCHAR NOT NULL,
     account_id VARCHAR NOT NULL,
     region VARCHAR NOT NULL,
     resource_type VARCHAR NOT NULL,
     resource_id VARCHAR NOT NULL,
     rule_id VARCHAR NOT NULL,
     count BIGINT NOT NULL,
     first_seen TIMESTAMPTZ NOT NULL,
     last_seen TIMESTAMPTZ NOT NULL,
     created_at TIMESTAMPTZ NOT NULL,
     updated_at TIMESTAMPTZ NOT NULL,
     archived BOOLEAN NOT NULL DEFAULT false,
     finding JSON NOT NULL           -- the full GuardDuty finding
   )`,
  `CREATE TABLE IF NOT EXISTS finding_events (
     finding_id VARCHAR NOT NULL,
     source VARCHAR NOT NULL,        -- cloudtrail | vpcflow | dns
     event_uid VARCHAR NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS intel (
     list_name VARCHAR NOT NULL,
     list_kind VARCHAR NOT NULL,     -- threat | trusted
     entry_type VARCHAR NOT NULL,    -- ip | cidr | domain
     value VARCHAR NOT NULL,
     ip_start BIGINT,                -- IPv4 range, inclusive
     ip_end BIGINT,
     domain VARCHAR,                 -- lower case, without a leading '*.'
     wildcard BOOLEAN NOT NULL DEFAULT false,
     threat_name VARCHAR,
     line INTEGER,
     list_sha256 VARCHAR
   )`,
];

export async function migrate(db: Database): Promise<void> {
  for (const sql of TABLES) await db.run(sql);
  await db.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)`, { v: String(SCHEMA_VERSION) });
}
