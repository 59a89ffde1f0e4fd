/**
 * Tables the detection path writes: findings (full GuardDuty JSON plus flattened columns for
 * filtering), the events behind each finding, loaded threat/trusted list entries, the per-run
 * staging table of rule matches, and the offline enrichment tables (IP -> ASN / country).
 * Owned by the detect, intel and enrich modules.
 */
/**
 * Every flow between a VPC address and a public one, classified once per detection pass: which
 * side is ours, the direction, the remote address as an integer (for intel range joins), the
 * hour, and the instance the interface belongs to. The runner rebuilds `loupe_scratch.flow_sides`
 * from this before the flow rules run and empties it afterwards (`electron/engine/detect/stage.ts`);
 * the rules read it (through the `flow_sides` view) instead of re-classifying `vpcflow` each.
 *
 * VPC addresses are RFC 1918 or 100.64/10; "public" is any other routable IPv4 address. A prefix
 * test on the text per flow is much cheaper than address arithmetic and a join; the arithmetic
 * (ip4_to_int) runs once per distinct remote address. East-west traffic is left out.
 */
export const FLOW_SIDES_SELECT = `WITH f AS (
  SELECT v.event_uid, v.account_id, v.region, v.interface_id, v.instance_id AS flow_instance_id, v.vpc_id, v.subnet_id,
         v.srcaddr, v.dstaddr, v.srcport, v.dstport, v.protocol, v.packets, v.bytes, v.start_time, v.end_time,
         v.action, v.tcp_flags,
         CASE WHEN regexp_matches(v.srcaddr, '^(10|192\\.168|172\\.(1[6-9]|2[0-9]|3[01])|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))\\.') THEN 'private'
              WHEN regexp_full_match(v.srcaddr, '[0-9]{1,3}(\\.[0-9]{1,3}){3}')
                   AND NOT regexp_matches(v.srcaddr, '^(0|127|169\\.254|22[4-9]|2[3-5][0-9])\\.') THEN 'public' END AS src_kind,
         CASE WHEN regexp_matches(v.dstaddr, '^(10|192\\.168|172\\.(1[6-9]|2[0-9]|3[01])|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))\\.') THEN 'private'
              WHEN regexp_full_match(v.dstaddr, '[0-9]{1,3}(\\.[0-9]{1,3}){3}')
                   AND NOT regexp_matches(v.dstaddr, '^(0|127|169\\.254|22[4-9]|2[3-5][0-9])\\.') THEN 'public' END AS dst_kind
    FROM vpcflow v
   WHERE coalesce(v.log_status, 'OK') = 'OK' AND v.srcaddr IS NOT NULL AND v.dstaddr IS NOT NULL
),
d AS (
  SELECT *, CASE WHEN dst_kind = 'private' AND src_kind = 'public' THEN 'INBOUND'
                 WHEN src_kind = 'private' AND dst_kind = 'public' THEN 'OUTBOUND' END AS direction
    FROM f
),
located AS (
  SELECT * EXCLUDE (src_kind, dst_kind),
         CASE WHEN direction = 'INBOUND' THEN dstaddr ELSE srcaddr END AS local_addr,
         CASE WHEN direction = 'INBOUND' THEN srcaddr ELSE dstaddr END AS remote_addr,
         CASE WHEN direction = 'INBOUND' THEN dstport ELSE srcport END AS local_p,
         CASE WHEN direction = 'INBOUND' THEN srcport ELSE dstport END AS remote_p,
         -- Epoch arithmetic, not date_trunc: the same UTC hour, several times cheaper on TIMESTAMPTZ.
         to_timestamp(floor(epoch(start_time) / 3600) * 3600) AS hour
    FROM d WHERE direction IS NOT NULL
),
remotes AS MATERIALIZED (
  SELECT addr, ip4_to_int(addr) AS n FROM (SELECT DISTINCT remote_addr AS addr FROM located)
),
eni_map AS MATERIALIZED (
  SELECT eni_id, any_value(instance_id) AS instance_id FROM instance_addresses WHERE eni_id IS NOT NULL GROUP BY eni_id
),
ip_map AS MATERIALIZED (
  SELECT account_id, private_ip, any_value(instance_id) AS instance_id FROM instance_addresses WHERE private_ip IS NOT NULL GROUP BY ALL
)
SELECT l.*, r.n AS remote_n,
       coalesce(l.flow_instance_id, em.instance_id, im.instance_id) AS instance_id,
       coalesce(l.flow_instance_id, em.instance_id, im.instance_id, l.interface_id) AS instance
  FROM located l
  JOIN remotes r ON r.addr = l.remote_addr
  LEFT JOIN eni_map em ON em.eni_id = l.interface_id
  LEFT JOIN ip_map im ON im.private_ip = l.local_addr AND im.account_id = l.account_id`;

/** The scratch database and the (empty) stage; the runner re-runs these before it stages flows. */
export const FLOW_STAGE_DDL: readonly string[] = [
  `ATTACH IF NOT EXISTS ':memory:' AS loupe_scratch`,
  `CREATE OR REPLACE TABLE loupe_scratch.flow_sides AS SELECT * FROM (${FLOW_SIDES_SELECT}) WHERE false`,
  `CREATE OR REPLACE VIEW flow_sides AS SELECT * FROM loupe_scratch.flow_sides`,
];

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
     category VARCHAR NOT NULL DEFAULT 'custom', -- one of INTEL_CATEGORIES (electron/engine/intel/lists.ts)
     bundled BOOLEAN NOT NULL DEFAULT false,     -- shipped in resources/intel, not loaded by the user
     entry_type VARCHAR NOT NULL,    -- ip | cidr | domain | ua_pattern
     value VARCHAR NOT NULL,
     ip_start BIGINT,                -- IPv4 range, inclusive
     ip_end BIGINT,
     domain VARCHAR,                 -- lower case, without a leading '*.'
     wildcard BOOLEAN NOT NULL DEFAULT false,
     threat_name VARCHAR,
     line INTEGER,
     list_sha256 VARCHAR,
     accounts VARCHAR[]              -- the list applies only to these accounts; NULL = every account
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
     loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
     accounts VARCHAR[]
   )`,
  // Cases made before lists could be scoped to accounts.
  `ALTER TABLE intel ADD COLUMN IF NOT EXISTS accounts VARCHAR[]`,
  `ALTER TABLE intel_lists ADD COLUMN IF NOT EXISTS accounts VARCHAR[]`,
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
  // The per-pass flow stage lives in an in-memory database attached to the instance: writing
  // ~0.5M staged rows into the case file cost twice as long as computing them. `flow_sides` in
  // the case is a view on it, so rule SQL names one table; empty until a detection pass fills it.
  ...FLOW_STAGE_DDL,
];
