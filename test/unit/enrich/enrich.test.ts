import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import { publicSuffix, registrableDomain } from '../../../electron/engine/enrich/domain';
import { defaultEnrichmentSources, ensureEnrichment, lookupIps } from '../../../electron/engine/enrich/ip-data';
import { portName } from '../../../electron/engine/enrich/ports';

let db: Database;
beforeAll(async () => {
  db = await Database.open({ path: ':memory:' });
  await migrate(db);
});
afterAll(() => db?.close());

describe('IP enrichment (offline npm data)', () => {
  it('loads once per data version', async () => {
    const first = await ensureEnrichment(db);
    expect(first.loaded).toBe(true);
    expect(first.version).toBe(defaultEnrichmentSources().version);
    expect((await ensureEnrichment(db)).loaded).toBe(false);
    const counts = await db.one<{ asn: number; cc: number; countries: number; aws: number }>(
      `SELECT (SELECT count(*) FROM ip_asn)::INTEGER AS asn, (SELECT count(*) FROM ip_country)::INTEGER AS cc,
              (SELECT count(*) FROM country_info)::INTEGER AS countries, (SELECT count(*) FROM aws_ip_ranges)::INTEGER AS aws`,
    );
    expect(counts?.asn).toBeGreaterThan(300_000);
    expect(counts?.cc).toBeGreaterThan(200_000);
    expect(counts?.countries).toBeGreaterThan(240);
    expect(counts?.aws).toBeGreaterThan(1000);
  });

  it('finds ASN, organisation, country and Amazon address space', async () => {
    await ensureEnrichment(db);
    const info = await lookupIps(db, ['8.8.8.8', '52.95.110.1', '10.0.0.1', 'ec2.amazonaws.com']);
    expect(info.get('8.8.8.8')).toMatchObject({
      asn: '15169',
      asnOrg: 'Google LLC',
      countryCode: 'US',
      countryName: 'United States',
      aws: false,
    });
    expect(info.get('52.95.110.1')).toMatchObject({ asn: '16509', aws: true });
    expect(info.get('10.0.0.1')).toMatchObject({ asn: null, countryCode: null, aws: false });
    expect(info.get('ec2.amazonaws.com')).toMatchObject({ asn: null, aws: false });
  });
});

describe('domains and ports', () => {
  it('registrable domain and public suffix from the bundled public suffix list', () => {
    expect(registrableDomain('c2.guarddutyc2activityb.com.')).toBe('guarddutyc2activityb.com');
    expect(registrableDomain('a.b.example.co.uk')).toBe('example.co.uk');
    expect(publicSuffix('x.example.co.uk')).toBe('co.uk');
    expect(registrableDomain('')).toBeNull();
  });

  it('names well-known ports', () => {
    expect(portName(22)).toBe('SSH');
    expect(portName(3389)).toBe('RDP');
    expect(portName(40000)).toBe('Unknown');
    expect(portName(null)).toBe('Unknown');
  });
});
