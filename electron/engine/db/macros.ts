/**
 * SQL macros every connection can use. Dialect-specific helpers live here (and only here) so
 * detection SQL stays close to portable ANSI: a port to Trino/Spark replaces these definitions.
 */
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';

export const MACROS: readonly string[] = [
  // Dotted IPv4 text -> integer, NULL for anything else (IPv6, hostnames, anonymised junk).
  `CREATE OR REPLACE MACRO ip4_to_int(s) AS (
     CASE WHEN regexp_full_match(s, '${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}') THEN
       TRY_CAST(split_part(s, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(split_part(s, '.', 2) AS BIGINT) * 65536
       + TRY_CAST(split_part(s, '.', 3) AS BIGINT) * 256 + TRY_CAST(split_part(s, '.', 4) AS BIGINT)
     END)`,
  // RFC 1918, loopback, link-local, CGNAT, multicast and reserved ranges: not publicly routable.
  `CREATE OR REPLACE MACRO ip4_is_private(n) AS (
     n IS NOT NULL AND (
       n BETWEEN 167772160 AND 184549375 OR n BETWEEN 2886729728 AND 2887778303
       OR n BETWEEN 3232235520 AND 3232301055 OR n BETWEEN 2130706432 AND 2147483647
       OR n BETWEEN 2851995648 AND 2852061183 OR n BETWEEN 1681915904 AND 1686110207
       OR n >= 3758096384 OR n < 16777216))`,
  `CREATE OR REPLACE MACRO ip4_is_public(s) AS (ip4_to_int(s) IS NOT NULL AND NOT ip4_is_private(ip4_to_int(s)))`,
  // GuardDuty's timestamp style, always UTC.
  `CREATE OR REPLACE MACRO iso_ts(ts) AS strftime(timezone('UTC', ts), '%Y-%m-%dT%H:%M:%S.%gZ')`,
];

export async function installMacros(run: (sql: string) => Promise<void>): Promise<void> {
  for (const sql of MACROS) await run(sql);
}
