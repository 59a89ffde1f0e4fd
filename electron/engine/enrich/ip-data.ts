import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LoupeError } from '../../../shared/errors';
import type { Database, QueryOptions } from '../db/database';
import { inTransaction } from '../intel/transaction';

/**
 * Offline IP -> ASN / organisation / country data, loaded from npm data packages into the case
 * database once (range tables for BETWEEN joins). The `meta` row records which package versions
 * were loaded so an upgraded package reloads itself.
 */
const require = createRequire(import.meta.url);

export interface EnrichmentSources {
  /** start,end,asn,org with integer IPv4 bounds (@ip-location-db/asn asn-ipv4-num.csv). */
  asnCsv: string;
  /** start,end,country_code (@ip-location-db/geo-whois-asn-country ...-ipv4-num.csv). */
  countryCsv: string;
  /** world-countries countries.json: names and a representative point per country. */
  countriesJson: string;
  /** Recorded in meta; a change reloads the tables. */
  version: string;
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
}

/** Where the data packages live in node_modules. */
export function defaultEnrichmentSources(): EnrichmentSources {
  const asn = packageDir('@ip-location-db/asn');
  const country = packageDir('@ip-location-db/geo-whois-asn-country');
  const countries = packageDir('world-countries');
  return {
    asnCsv: join(asn, 'asn-ipv4-num.csv'),
    countryCsv: join(country, 'geo-whois-asn-country-ipv4-num.csv'),
    countriesJson: join(countries, 'countries.json'),
    version: `asn@${packageVersion(asn)} country@${packageVersion(country)} world-countries@${packageVersion(countries)}`,
  };
}

interface WorldCountry {
  cca2?: string;
  name?: { common?: string };
  latlng?: [number, number];
}

/**
 * Loads the enrichment tables unless this case already holds the same versions. About half a
 * second for ~400k ASN and ~330k country ranges.
 */
export async function ensureEnrichment(
  db: Database,
  options: QueryOptions & { sources?: EnrichmentSources } = {},
): Promise<{ loaded: boolean; version: string }> {
  let sources: EnrichmentSources;
  try {
    sources = options.sources ?? defaultEnrichmentSources();
  } catch (error) {
    throw new LoupeError('FILE_NOT_FOUND', `IP enrichment data is not installed: ${(error as Error).message}`, {
      hint: 'Run npm install; Loupe needs @ip-location-db/asn, @ip-location-db/geo-whois-asn-country and world-countries.',
    });
  }
  const current = await db.one<{ value: string }>(
    `SELECT value FROM meta WHERE key = 'enrich_version'`,
    undefined,
    options,
  );
  if (current?.value === sources.version) return { loaded: false, version: sources.version };

  const countries = (JSON.parse(readFileSync(sources.countriesJson, 'utf8')) as WorldCountry[])
    .filter((c) => typeof c.cca2 === 'string' && c.cca2.length === 2)
    .map((c) => [c.cca2, c.name?.common ?? c.cca2, c.latlng?.[0] ?? null, c.latlng?.[1] ?? null]);

  const query = options.signal ? { signal: options.signal } : {};
  await inTransaction(
    db,
    async (run) => {
      await run(`DELETE FROM ip_asn`);
      await run(`DELETE FROM ip_country`);
      await run(`DELETE FROM country_info`);
      await run(
        `INSERT INTO ip_asn SELECT * FROM read_csv($path, header = false, quote = '"',
           columns = {'ip_start': 'BIGINT', 'ip_end': 'BIGINT', 'asn': 'BIGINT', 'org': 'VARCHAR'})`,
        { path: sources.asnCsv },
      );
      await run(
        `INSERT INTO ip_country SELECT * FROM read_csv($path, header = false,
           columns = {'ip_start': 'BIGINT', 'ip_end': 'BIGINT', 'country_code': 'VARCHAR'})`,
        { path: sources.countryCsv },
      );
      await run(
        `INSERT INTO country_info SELECT r->>0, r->>1, (r->>2)::DOUBLE, (r->>3)::DOUBLE
           FROM (SELECT unnest(from_json($rows::JSON, '["JSON"]')) AS r)`,
        { rows: JSON.stringify(countries) },
      );
      await run(`INSERT OR REPLACE INTO meta VALUES ('enrich_version', $v)`, { v: sources.version });
    },
    query,
  );
  return { loaded: true, version: sources.version };
}

export interface IpInfo {
  ip: string;
  asn: string | null;
  asnOrg: string | null;
  countryCode: string | null;
  countryName: string | null;
  /** Inside Amazon's address space (AS16509 / AS14618). */
  aws: boolean;
}

/** Looks up a batch of addresses (one query, range joins); non-IPv4 values get nulls. */
export async function lookupIps(
  db: Database,
  ips: readonly string[],
  options: QueryOptions = {},
): Promise<Map<string, IpInfo>> {
  const unique = [...new Set(ips.filter((ip) => ip !== ''))];
  const out = new Map<string, IpInfo>();
  if (unique.length === 0) return out;
  const rows = await db.all<{
    ip: string;
    asn: string | null;
    org: string | null;
    cc: string | null;
    country: string | null;
  }>(
    `WITH q AS (SELECT ip, ip4_to_int(ip) AS n FROM (SELECT unnest(from_json($ips::JSON, '["VARCHAR"]')) AS ip)),
          a AS (SELECT q.ip, any_value(r.asn) AS asn, any_value(r.org) AS org
                  FROM q LEFT JOIN ip_asn r ON q.n BETWEEN r.ip_start AND r.ip_end GROUP BY q.ip),
          c AS (SELECT q.ip, any_value(r.country_code) AS cc
                  FROM q LEFT JOIN ip_country r ON q.n BETWEEN r.ip_start AND r.ip_end GROUP BY q.ip)
     SELECT a.ip, a.asn::VARCHAR AS asn, a.org, c.cc, ci.name AS country
       FROM a JOIN c USING (ip) LEFT JOIN country_info ci ON ci.country_code = c.cc`,
    { ips: JSON.stringify(unique) },
    options,
  );
  for (const r of rows) {
    out.set(r.ip, {
      ip: r.ip,
      asn: r.asn,
      asnOrg: r.org,
      countryCode: r.cc,
      countryName: r.country,
      aws: r.asn === '16509' || r.asn === '14618',
    });
  }
  return out;
}
