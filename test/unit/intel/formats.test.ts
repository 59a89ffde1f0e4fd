import { describe, expect, it } from 'vitest';
import { classifyEntry, classifyRange } from '../../../electron/engine/intel/entries';
import { detectFormat, parseList, splitCsvLine } from '../../../electron/engine/intel/formats';

describe('classifyEntry', () => {
  it('reads addresses, blocks and domains', () => {
    expect(classifyEntry('192.0.2.1')).toMatchObject({
      ok: true,
      entry: { entryType: 'ip', ipStart: 3221225985, ipEnd: 3221225985 },
    });
    expect(classifyEntry('192.0.2.0/24')).toMatchObject({
      ok: true,
      entry: { entryType: 'cidr', ipStart: 3221225984, ipEnd: 3221226239 },
    });
    expect(classifyEntry('Example.COM.')).toMatchObject({
      ok: true,
      entry: { entryType: 'domain', domain: 'example.com', wildcard: false },
    });
    expect(classifyEntry('*.example.org')).toMatchObject({
      ok: true,
      entry: { domain: 'example.org', wildcard: true },
    });
    expect(classifyEntry('*.tk')).toMatchObject({ ok: true, entry: { domain: 'tk', wildcard: true } });
  });

  it('aligns a CIDR written with host bits to its network', () => {
    expect(classifyEntry('192.0.2.77/24')).toMatchObject({
      ok: true,
      entry: { value: '192.0.2.0/24', ipStart: 3221225984 },
    });
  });

  it('says why a value is refused', () => {
    expect(classifyEntry('300.1.1.1')).toMatchObject({
      ok: false,
      unsupported: false,
      reason: expect.stringContaining('not a valid IPv4'),
    });
    expect(classifyEntry('10.0.0.0/33')).toMatchObject({ ok: false, reason: expect.stringContaining('prefix length') });
    expect(classifyEntry('0.0.0.0/0')).toMatchObject({ ok: false, reason: expect.stringContaining('wider than /8') });
    expect(classifyEntry('foo*.example.com')).toMatchObject({ ok: false, reason: expect.stringContaining('wildcard') });
    expect(classifyEntry('localhost')).toMatchObject({ ok: false, reason: expect.stringContaining('needs a dot') });
    expect(classifyEntry('2001:db8::1')).toMatchObject({ ok: false, unsupported: true });
    expect(classifyEntry('https://evil.example/x')).toMatchObject({ ok: false, unsupported: true });
    expect(classifyEntry('example.com', { allowDomains: false })).toMatchObject({ ok: false, unsupported: false });
  });

  it('reads inclusive ranges and refuses reversed ones', () => {
    expect(classifyRange('192.0.2.0', '192.0.2.255')).toMatchObject({
      ok: true,
      entry: { entryType: 'cidr', ipEnd: 3221226239 },
    });
    expect(classifyRange('192.0.2.9', '192.0.2.1')).toMatchObject({
      ok: false,
      reason: 'range end is before its start',
    });
  });
});

describe('TXT', () => {
  it('keeps line numbers, comments and inline threat names', () => {
    const parsed = parseList('# header\n\n198.51.100.1\n203.0.113.0/24 # scanner farm\nevil.example\n', 'TXT');
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map((e) => [e.value, e.line, e.threatName])).toEqual([
      ['198.51.100.1', 3, null],
      ['203.0.113.0/24', 4, 'scanner farm'],
      ['evil.example', 5, null],
    ]);
  });

  it('reports a malformed line with its number and reason', () => {
    const parsed = parseList('198.51.100.1\n198.51.100.300\n2001:db8::1\n', 'TXT');
    expect(parsed.errors).toEqual([
      { line: 2, text: '198.51.100.300', reason: '"198.51.100.300" is not a valid IPv4 address' },
    ]);
    expect(parsed.skipped.map((s) => s.line)).toEqual([3]);
    expect(parsed.entries).toHaveLength(1);
  });

  it('refuses two values on one line', () => {
    expect(parseList('198.51.100.1 198.51.100.2\n', 'TXT').errors[0]?.reason).toContain('one entry per line');
  });
});

describe('CSV formats', () => {
  it('splits quoted fields', () => {
    expect(splitCsvLine('a, "b, c", "d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });

  it('OTX CSV: IPv4, CIDR and domains; other indicator types skipped', () => {
    const text =
      'Indicator type, Indicator, Description\nCIDR, 192.0.2.0/24, example\nIPv4, 198.51.100.1, botnet\nDomain name, evil.example, phish\nFileHash-MD5, 44d88612fea8a8f36de82e1278abb02f, eicar\n';
    expect(detectFormat(text)).toBe('OTX_CSV');
    const parsed = parseList(text, 'OTX_CSV');
    expect(parsed.entries.map((e) => [e.entryType, e.value, e.threatName, e.line])).toEqual([
      ['cidr', '192.0.2.0/24', 'example', 2],
      ['ip', '198.51.100.1', 'botnet', 3],
      ['domain', 'evil.example', 'phish', 4],
    ]);
    expect(parsed.skipped).toHaveLength(1);
  });

  it('Proofpoint: single addresses with a category', () => {
    const text =
      'ip, category, score, first_seen, last_seen, ports (|)\n198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\n203.0.113.1, 1, 100, 2000-01-01, 2000-01-01, 80\n192.0.2.0/24, 1, 100, 2000-01-01, 2000-01-01,\n';
    expect(detectFormat(text)).toBe('PROOF_POINT');
    const parsed = parseList(text, 'PROOF_POINT');
    expect(parsed.entries.map((e) => e.value)).toEqual(['198.51.100.1', '203.0.113.1']);
    expect(parsed.entries[0]?.threatName).toBe('Proofpoint category 1');
    expect(parsed.errors).toEqual([
      expect.objectContaining({ line: 4, reason: expect.stringContaining('single addresses') }),
    ]);
  });

  it('AlienVault: address or domain, then reliability, risk and type', () => {
    const text = '198.51.100.1#4#2#Malicious Host#US##0.0,0.0#3\nwww.example.com#4#2#Malicious Host#PL##52.2,21.0#3\n';
    expect(detectFormat(text)).toBe('ALIEN_VAULT');
    const parsed = parseList(text, 'ALIEN_VAULT');
    expect(parsed.entries.map((e) => [e.entryType, e.value, e.threatName])).toEqual([
      ['ip', '198.51.100.1', 'Malicious Host'],
      ['domain', 'www.example.com', 'Malicious Host'],
    ]);
  });

  it('FireEye iSIGHT: the ip, cidr and domain columns', () => {
    const header =
      'reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, webLink, emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, recipient, emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, sha256, description, fileType, packer, userAgent, registry, fileCompilationDateTime, filePath, asn, cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, registrantEmail, registrantName, networkType, url, malwareFamily, malwareFamilyId, actor, actorId, observationTime';
    const cols = header.split(', ');
    const row = (values: Record<string, string>) => cols.map((c) => values[c] ?? '').join(', ');
    const text = [
      header,
      row({ reportId: '01-00000001', title: 'Example', cidr: '192.0.2.0/24', malwareFamily: 'Ursnif' }),
      row({ reportId: '01-00000002', title: 'Other', ip: '198.51.100.9', domain: 'c2.example' }),
    ].join('\n');
    expect(detectFormat(text)).toBe('FIRE_EYE');
    const parsed = parseList(text, 'FIRE_EYE');
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map((e) => [e.entryType, e.value, e.threatName, e.line])).toEqual([
      ['cidr', '192.0.2.0/24', 'Ursnif', 2],
      ['ip', '198.51.100.9', 'Other', 3],
      ['domain', 'c2.example', 'Other', 3],
    ]);
  });
});

describe('STIX', () => {
  it('STIX 1.x: single addresses, InclusiveBetween ranges and domains', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" xmlns:DomainNameObj="http://cybox.mitre.org/objects#DomainNameObject-1">
  <stix:Indicators>
    <stix:Indicator xsi:type="indicator:IndicatorType">
      <indicator:Title>Botnet C2</indicator:Title>
      <indicator:Observable><cybox:Object><cybox:Properties xsi:type="AddressObj:AddressObjectType" category="ipv4-addr">
        <AddressObj:Address_Value condition="Equals">198.51.100.1</AddressObj:Address_Value>
      </cybox:Properties></cybox:Object></indicator:Observable>
    </stix:Indicator>
    <stix:Indicator>
      <indicator:Title>Scanner range</indicator:Title>
      <AddressObj:Address_Value condition="InclusiveBetween" apply_condition="ANY">192.0.2.0##comma##192.0.2.255</AddressObj:Address_Value>
      <DomainNameObj:Value condition="Equals">evil.example</DomainNameObj:Value>
      <AddressObj:Address_Value condition="Equals">999.1.1.1</AddressObj:Address_Value>
    </stix:Indicator>
  </stix:Indicators>
</stix:STIX_Package>`;
    expect(detectFormat(xml)).toBe('STIX');
    const parsed = parseList(xml, 'STIX');
    expect(parsed.entries.map((e) => [e.entryType, e.value, e.threatName])).toEqual([
      ['ip', '198.51.100.1', 'Botnet C2'],
      ['cidr', '192.0.2.0-192.0.2.255', 'Scanner range'],
      ['domain', 'evil.example', 'Scanner range'],
    ]);
    expect(parsed.errors).toEqual([
      expect.objectContaining({ line: 14, reason: expect.stringContaining('not a valid IPv4') }),
    ]);
  });

  it('STIX 1.x: a document that is not STIX is refused', () => {
    expect(parseList('<html><body>nope</body></html>', 'STIX').errors[0]?.reason).toContain('not a STIX 1.x document');
  });

  it('STIX 2.1: indicator patterns and observables', () => {
    const bundle = {
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        {
          type: 'indicator',
          id: 'indicator--a',
          name: 'C2 server',
          pattern_type: 'stix',
          pattern: "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'c2.example']",
        },
        {
          type: 'indicator',
          id: 'indicator--b',
          name: 'Range',
          pattern: "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
        },
        { type: 'indicator', id: 'indicator--c', pattern_type: 'sigma', pattern: 'title: x' },
        { type: 'domain-name', id: 'domain-name--d', value: 'drop.example' },
        { type: 'indicator', id: 'indicator--e', name: 'bad', pattern: "[ipv4-addr:value = '1.2.3']" },
      ],
    };
    const text = JSON.stringify(bundle, null, 2);
    expect(detectFormat(text)).toBe('STIX2');
    const parsed = parseList(text, 'STIX2');
    expect(parsed.entries.map((e) => [e.entryType, e.value, e.threatName])).toEqual([
      ['ip', '198.51.100.7', 'C2 server'],
      ['domain', 'c2.example', 'C2 server'],
      ['cidr', '203.0.113.0/24', 'Range'],
      ['domain', 'drop.example', null],
    ]);
    expect(parsed.skipped).toHaveLength(1);
    expect(parsed.errors).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('not a valid IPv4'), line: expect.any(Number) }),
    ]);
  });

  it('STIX 2.1: not a bundle', () => {
    expect(parseList('{"type": "indicator"}', 'STIX2').errors[0]?.reason).toContain('not a STIX 2.1 bundle');
  });
});
