/**
 * Tables the detection path writes: findings (full GuardDuty JSON plus flattened columns for
 * filtering), the events behind each finding, loaded threat/trusted list entries, the per-run
 * staging table of rule matches, and the offline enrichment tables (IP -> ASN / country).
 * Owned by the detect, intel and enrich modules.
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
     category VARCHAR NOT NULL DEFAULT 'custom', -- custom | malicious | tor-exit | mining-pool | doh-resolver | test-domain | pentest-ua | dyndns
     bundled BOOLEAN NOT NULL DEFAULT false,     -- shipped in resources/intel, not loaded by the user
     entry_type VARCHAR NOT NULL,    -- ip | cidr | domain | ua_pattern
     value VARCHAR NOT NULL,
     ip_start BIGINT,                -- IPv4 range, inclusive
     ip_end BIGINT,
     domain VARCHAR,                 -- lower case, without a leading '*.'
     wildcard BOOLEAN NOT NULL DEFAULT false,
     threat_name VARCHAR,
     line INTEGER,
     list_sha256 VARCHAR
   )`,
  // One row per loaded list: what the finding evidence and the UI name.
  `CREATE TABLE IF NOT EXISTS intel_lists (
     list_name VARCHAR PRIMARY KEY,
     list_kind VARCHAR NOT NULL,
     category VARCHAR NOT NULL,
     bundled BOOLEAN NOT NULL,
     path VARCHAR NOT NULL,
     format VARCHAR NOT NULL,
     sha256 VARCHAR NOT NULL,
     entries INTEGER NOT NULL,
     loaded_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  // Every event a rule matched in the current detection run, in the fixed shape rules return
  // (see electron/engine/detect/README.md). Rebuilt on each run; findings aggregate from it.
  `CREATE TABLE IF NOT EXISTS detect_hits (
     rule_id VARCHAR NOT NULL,
     type VARCHAR NOT NULL,
     source VARCHAR NOT NULL,
     finding_id VARCHAR NOT NULL,
     event_uid VARCHAR NOT NULL,
     event_time TIMESTAMPTZ NOT NULL,
     account_id VARCHAR NOT NULL,
     region VARCHAR NOT NULL,
     resource_id VARCHAR NOT NULL,
     resource_role VARCHAR NOT NULL,
     discriminator VARCHAR NOT NULL,
     severity DOUBLE,
     access_key_id VARCHAR,
     principal_id VARCHAR,
     user_name VARCHAR,
     user_type VARCHAR,
     api VARCHAR,
     service_name VARCHAR,
     caller_type VARCHAR,
     error_code VARCHAR,
     user_agent VARCHAR,
     remote_ip VARCHAR,
     remote_account_id VARCHAR,
     remote_account_affiliated BOOLEAN,
     bucket_name VARCHAR,
     object_key VARCHAR,
     effective_permission VARCHAR,
     permission_configuration JSON,
     instance_id VARCHAR,
     eni_id VARCHAR,
     vpc_id VARCHAR,
     subnet_id VARCHAR,
     local_ip VARCHAR,
     local_port INTEGER,
     remote_port INTEGER,
     protocol VARCHAR,
     direction VARCHAR,
     blocked BOOLEAN,
     domain VARCHAR,
     dns_protocol VARCHAR,
     threat_list_name VARCHAR,
     threat_name VARCHAR,
     threat_entry VARCHAR,
     threat_list_sha256 VARCHAR,
     evidence JSON
   )`,
  // Offline enrichment, loaded once per case from npm data packages (see enrich/README.md).
  `CREATE TABLE IF NOT EXISTS ip_asn (ip_start BIGINT NOT NULL, ip_end BIGINT NOT NULL, asn BIGINT, org VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ip_country (ip_start BIGINT NOT NULL, ip_end BIGINT NOT NULL, country_code VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS country_info (country_code VARCHAR PRIMARY KEY, name VARCHAR, lat DOUBLE, lon DOUBLE)`,
  // Which instance owns an interface or private address, from every source that says so: flow
  // logs v3+ (instance-id), Resolver query logs (srcids.instance) and RunInstances responses.
  // Default-format (v2) flow logs name only the interface, so the flow rules resolve through this.
  `CREATE OR REPLACE VIEW instance_addresses AS
     SELECT account_id, interface_id AS eni_id, NULL::VARCHAR AS private_ip, instance_id, 'vpcflow' AS source
       FROM vpcflow WHERE instance_id IS NOT NULL AND interface_id IS NOT NULL GROUP BY ALL
     UNION ALL
     SELECT account_id, NULL::VARCHAR, srcaddr, instance_id, 'dns'
       FROM dns WHERE instance_id IS NOT NULL AND srcaddr IS NOT NULL GROUP BY ALL
     UNION ALL
     SELECT account_id, (i->'networkInterfaceSet'->'items'->0->>'networkInterfaceId'), (i->>'privateIpAddress'), (i->>'instanceId'), 'cloudtrail'
       FROM (SELECT coalesce(recipient_account_id, account_id) AS account_id,
                    unnest(json_extract(response_elements, '$.instancesSet.items[*]')) AS i
               FROM cloudtrail WHERE event_name = 'RunInstances' AND error_code IS NULL)
      GROUP BY ALL`,
  // Not publicly routable IPv4 space, as a table: rules anti-join on it once per distinct address.
  // (The ip4_is_private macro is the same list; as a scalar filter the optimizer may push it
  // below a DISTINCT onto every event, where its textual expansion costs ~9 regex evaluations.)
  `CREATE OR REPLACE VIEW private_ip4_ranges AS
     SELECT * FROM (VALUES (0, 16777215), (167772160, 184549375), (1681915904, 1686110207), (2130706432, 2147483647),
                           (2851995648, 2852061183), (2886729728, 2887778303), (3232235520, 3232301055),
                           (3758096384, 4294967295)) AS r(ip_start, ip_end)`,
  // Amazon's own address space (AS16509, AS14618): "inside AWS" for credential-exfiltration rules.
  `CREATE OR REPLACE VIEW aws_ip_ranges AS
     SELECT ip_start, ip_end, asn, org FROM ip_asn WHERE asn IN (16509, 14618)`,
];
