/**
 * Tables the detection path writes: findings (full GuardDuty JSON plus flattened columns for
 * filtering), the events behind each finding, and loaded threat/trusted list entries.
 * Owned by the detect and intel modules.
 */
export const FINDING_TABLES: readonly string[] = [
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
