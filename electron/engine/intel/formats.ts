import { classifyEntry, classifyRange, ListBuilder, type ParsedList } from './entries';

/**
 * Parsers for the list formats GuardDuty accepts (TXT, STIX 1.x XML, OTX CSV, Proofpoint,
 * AlienVault, FireEye iSIGHT) plus STIX 2.1 JSON bundles. Each returns entries with the line
 * they came from, malformed lines with a reason, and skipped (unsupported) lines.
 */
export const INTEL_FORMATS = ['TXT', 'STIX', 'STIX2', 'OTX_CSV', 'PROOF_POINT', 'ALIEN_VAULT', 'FIRE_EYE'] as const;
export type IntelFormat = (typeof INTEL_FORMATS)[number];

export function isIntelFormat(value: string): value is IntelFormat {
  return (INTEL_FORMATS as readonly string[]).includes(value);
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

function firstDataLine(text: string): string {
  for (const line of lines(text)) {
    const t = line.trim();
    if (t !== '' && !t.startsWith('#')) return t;
  }
  return '';
}

/** Decides the format from the content: markup, JSON, a known CSV header, or plain lines. */
export function detectFormat(text: string): IntelFormat {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<')) return 'STIX';
  if (head.startsWith('{')) return 'STIX2';
  const first = firstDataLine(text);
  const header = first.toLowerCase().replace(/\s+/g, '');
  if (header.startsWith('indicatortype,indicator')) return 'OTX_CSV';
  if (header.startsWith('reportid,')) return 'FIRE_EYE';
  if (/^(ip|domain),category,score/.test(header)) return 'PROOF_POINT';
  if (first.split('#').length >= 6) return 'ALIEN_VAULT';
  return 'TXT';
}

export function parseList(text: string, format: IntelFormat): ParsedList {
  switch (format) {
    case 'TXT':
      return parseTxt(text);
    case 'OTX_CSV':
      return parseOtxCsv(text);
    case 'PROOF_POINT':
      return parseProofpoint(text);
    case 'ALIEN_VAULT':
      return parseAlienVault(text);
    case 'FIRE_EYE':
      return parseFireEye(text);
    case 'STIX':
      return parseStix1(text);
    case 'STIX2':
      return parseStix2(text);
  }
}

/**
 * One entry per line; `#` starts a comment line. Loupe's own extension: text after ` #` on an
 * entry line is that entry's threat name (GuardDuty ignores nothing there, so keep lists plain
 * when they are meant for GuardDuty too).
 */
export function parseTxt(text: string): ParsedList {
  const out = new ListBuilder();
  lines(text).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const hash = line.search(/\s#/);
    const value = hash >= 0 ? line.slice(0, hash).trim() : line;
    const name =
      hash >= 0
        ? line
            .slice(hash)
            .replace(/^\s*#\s*/, '')
            .trim()
        : null;
    if (/\s/.test(value)) {
      out.error(i + 1, raw, 'more than one value on the line (one entry per line)');
      return;
    }
    out.add(classifyEntry(value), i + 1, raw, name);
  });
  return out.result;
}

/** Splits one CSV line, honouring double quotes ("" is a literal quote). */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === delimiter) {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  fields.push(field.trim());
  return fields;
}

interface CsvRow {
  line: number;
  raw: string;
  fields: string[];
}

/** Rows after the header (found as the first non-empty, non-comment line). */
function csvRows(text: string, delimiter = ','): { header: string[]; rows: CsvRow[] } {
  const all = lines(text);
  let header: string[] | null = null;
  const rows: CsvRow[] = [];
  all.forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const fields = splitCsvLine(raw, delimiter);
    if (header === null)
      header = fields.map((h) =>
        h
          .toLowerCase()
          .replace(/\s*\(.*\)\s*$/, '')
          .trim(),
      );
    else rows.push({ line: i + 1, raw, fields });
  });
  return { header: header ?? [], rows };
}

const OTX_IP_TYPES = new Set(['ipv4', 'cidr']);
const OTX_DOMAIN_TYPES = new Set(['domain', 'domain name', 'hostname']);

export function parseOtxCsv(text: string): ParsedList {
  const out = new ListBuilder();
  const { header, rows } = csvRows(text);
  if (header[0] !== 'indicator type' || header[1] !== 'indicator') {
    out.error(1, header.join(','), 'OTX CSV needs the header "Indicator type, Indicator, Description"');
    return out.result;
  }
  for (const row of rows) {
    const [kind = '', value = '', description = ''] = row.fields;
    const type = kind.toLowerCase();
    if (value === '') out.error(row.line, row.raw, 'no indicator value');
    else if (OTX_IP_TYPES.has(type))
      out.add(classifyEntry(value, { allowDomains: false }), row.line, row.raw, description);
    else if (OTX_DOMAIN_TYPES.has(type)) {
      const c = classifyEntry(value);
      out.add(
        c.ok && c.entry.entryType !== 'domain'
          ? { ok: false, unsupported: false, reason: `"${value}" is not a domain name` }
          : c,
        row.line,
        row.raw,
        description,
      );
    } else if (type === '') out.error(row.line, row.raw, 'no indicator type');
    else out.skip(row.line, row.raw, `indicator type "${kind}" is not used for matching (IPv4, CIDR and domains only)`);
  }
  return out.result;
}

/** Proofpoint ET Intelligence reputation CSV: `ip|domain, category, score, first_seen, last_seen, ports`. */
export function parseProofpoint(text: string): ParsedList {
  const out = new ListBuilder();
  const { header, rows } = csvRows(text);
  const key = header[0];
  if ((key !== 'ip' && key !== 'domain') || header[1] !== 'category') {
    out.error(
      1,
      header.join(','),
      'Proofpoint lists need the header "ip, category, score, first_seen, last_seen, ports (|)" (or "domain, ...")',
    );
    return out.result;
  }
  for (const row of rows) {
    const [value = '', category = ''] = row.fields;
    const name = category === '' ? null : `Proofpoint category ${category}`;
    if (key === 'ip') {
      // Proofpoint IP lists hold individual addresses only.
      const c = classifyEntry(value, { allowDomains: false });
      out.add(
        c.ok && c.entry.entryType !== 'ip'
          ? { ok: false, unsupported: false, reason: 'Proofpoint IP lists hold single addresses, not blocks' }
          : c,
        row.line,
        row.raw,
        name,
      );
    } else {
      const c = classifyEntry(value);
      out.add(
        c.ok && c.entry.entryType !== 'domain'
          ? { ok: false, unsupported: false, reason: `"${value}" is not a domain name` }
          : c,
        row.line,
        row.raw,
        name,
      );
    }
  }
  return out.result;
}

/** AlienVault reputation: `ip-or-domain#reliability#risk#type#country#city#lat,lon#x` per line. */
export function parseAlienVault(text: string): ParsedList {
  const out = new ListBuilder();
  lines(text).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) return;
    const fields = line.split('#');
    if (fields.length < 4) {
      out.error(i + 1, raw, 'AlienVault lines need at least "value#reliability#risk#type"');
      return;
    }
    const [value = '', , , type = ''] = fields;
    const c = classifyEntry(value);
    out.add(
      c.ok && c.entry.entryType === 'cidr'
        ? { ok: false, unsupported: false, reason: 'AlienVault lists hold single addresses, not blocks' }
        : c,
      i + 1,
      raw,
      type.trim(),
    );
  });
  return out.result;
}

/** FireEye iSIGHT CSV: the `ip`, `cidr` and `domain` columns of each row are entries. */
export function parseFireEye(text: string): ParsedList {
  const out = new ListBuilder();
  const { header, rows } = csvRows(text);
  const col = (name: string) => header.indexOf(name.toLowerCase());
  const ip = col('ip');
  const cidr = col('cidr');
  const domain = col('domain');
  const family = col('malwareFamily');
  const title = col('title');
  if (header[0] !== 'reportid' || (ip < 0 && cidr < 0 && domain < 0)) {
    out.error(
      1,
      header.join(','),
      'FireEye iSIGHT CSV needs its header row (reportId, title, ..., cidr, domain, ..., ip, ...)',
    );
    return out.result;
  }
  for (const row of rows) {
    const name = (family >= 0 ? row.fields[family] : '') || (title >= 0 ? row.fields[title] : '') || null;
    let any = false;
    for (const [index, what] of [
      [ip, 'ip'],
      [cidr, 'cidr'],
      [domain, 'domain'],
    ] as const) {
      const value = index >= 0 ? (row.fields[index] ?? '') : '';
      if (value === '') continue;
      any = true;
      const c = classifyEntry(value, { allowDomains: what === 'domain' });
      out.add(c, row.line, row.raw, name);
    }
    if (!any) out.skip(row.line, row.raw, 'row has no ip, cidr or domain value');
  }
  return out.result;
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Line numbers for increasing offsets in one pass (large STIX files have 100k+ values). */
function lineCounter(text: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset) => {
    if (offset < pos) return lineAt(text, offset);
    for (; pos < offset && pos < text.length; pos++) if (text.charCodeAt(pos) === 10) line++;
    return line;
  };
}

function decodeXml(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, '&')
    .trim();
}

/**
 * STIX 1.x (CybOX) XML: address values (single, or ranges with condition InclusiveBetween and
 * `##comma##`) and domain-name values. A regex reader is enough for this flat subset and keeps
 * external entities and other XML features out of reach.
 */
export function parseStix1(text: string): ParsedList {
  const out = new ListBuilder();
  if (!/<[\w:]*STIX_Package\b/i.test(text)) {
    out.error(1, text.slice(0, 80), 'not a STIX 1.x document (no STIX_Package element)');
    return out.result;
  }
  const titles: Array<{ at: number; title: string }> = [];
  for (const m of text.matchAll(/<(?:[\w-]+:)?Title>([\s\S]*?)<\/(?:[\w-]+:)?Title>/g)) {
    titles.push({ at: m.index, title: decodeXml(m[1] ?? '') });
  }
  // Values come in document order, so one moving index finds the nearest preceding title.
  let titleIndex = -1;
  const titleBefore = (at: number): string | null => {
    while (titleIndex + 1 < titles.length && (titles[titleIndex + 1]?.at ?? Infinity) < at) titleIndex++;
    return titles[titleIndex]?.title ?? null;
  };
  const lineOf = lineCounter(text);
  const valueRe = /<([\w-]+):(Address_Value|Value)\b([^>]*)>([\s\S]*?)<\/\1:\2>/g;
  let seen = 0;
  for (const m of text.matchAll(valueRe)) {
    const prefix = (m[1] ?? '').toLowerCase();
    const isAddress = m[2] === 'Address_Value';
    const isDomain = m[2] === 'Value' && prefix.includes('domain');
    if (!isAddress && !isDomain) continue;
    seen++;
    const line = lineOf(m.index);
    const attrs = m[3] ?? '';
    const raw = decodeXml(m[4] ?? '');
    const name = titleBefore(m.index);
    const condition = /condition="([^"]*)"/.exec(attrs)?.[1] ?? 'Equals';
    if (isAddress && /InclusiveBetween/i.test(condition)) {
      const [a = '', b = ''] = raw.split('##comma##');
      out.add(classifyRange(a, b), line, raw, name);
    } else if (raw.includes('##comma##')) {
      // A comma list of values (apply_condition ANY): one entry each.
      for (const part of raw.split('##comma##'))
        out.add(classifyEntry(part, { allowDomains: isDomain }), line, part, name);
    } else if (!/^(Equals)?$/i.test(condition)) {
      out.error(line, raw, `condition "${condition}" is not supported (Equals or InclusiveBetween)`);
    } else {
      out.add(classifyEntry(raw, { allowDomains: isDomain }), line, raw, name);
    }
  }
  if (seen === 0) out.error(null, '', 'no AddressObj:Address_Value or DomainNameObj:Value elements found');
  return out.result;
}

/** Comparisons Loupe can turn into entries inside a STIX 2.1 pattern. */
const STIX2_COMPARISON =
  /\[?\s*(ipv4-addr|ipv6-addr|domain-name|url):value\s*(=|ISSUBSET)\s*'((?:[^'\\]|\\.)*)'\s*\]?/gi;

/** STIX 2.1 JSON bundle: indicators with `[ipv4-addr:value = '...']`-style patterns, and SCOs. */
export function parseStix2(text: string): ParsedList {
  const out = new ListBuilder();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    out.error(null, text.slice(0, 80), `not valid JSON: ${(error as Error).message}`);
    return out.result;
  }
  const objects = isRecord(doc) && doc['type'] === 'bundle' && Array.isArray(doc['objects']) ? doc['objects'] : null;
  if (!objects) {
    out.error(1, text.slice(0, 80), 'not a STIX 2.1 bundle (expected {"type": "bundle", "objects": [...]})');
    return out.result;
  }
  const lineOf = (obj: Record<string, unknown>): number | null => {
    const id = typeof obj['id'] === 'string' ? obj['id'] : null;
    const at = id ? text.indexOf(JSON.stringify(id)) : -1;
    return at >= 0 ? lineAt(text, at) : null;
  };
  objects.forEach((obj, index) => {
    if (!isRecord(obj)) {
      out.error(null, `objects[${index}]`, 'bundle object is not a JSON object');
      return;
    }
    const line = lineOf(obj);
    const name = typeof obj['name'] === 'string' ? obj['name'] : null;
    if (obj['type'] === 'indicator') {
      if (obj['pattern_type'] !== undefined && obj['pattern_type'] !== 'stix') {
        out.skip(
          line,
          String(obj['id'] ?? `objects[${index}]`),
          `pattern_type "${String(obj['pattern_type'])}" is not supported`,
        );
        return;
      }
      const pattern = typeof obj['pattern'] === 'string' ? obj['pattern'] : '';
      const matches = [...pattern.matchAll(STIX2_COMPARISON)];
      if (matches.length === 0) {
        out.skip(line, pattern, 'pattern has no ipv4-addr or domain-name value comparison');
        return;
      }
      for (const m of matches) {
        const objectType = (m[1] ?? '').toLowerCase();
        const value = (m[3] ?? '').replace(/\\(.)/g, '$1');
        if (objectType === 'ipv6-addr')
          out.skip(line, value, 'IPv6 entries are not supported (IPv4 only, as in GuardDuty)');
        else if (objectType === 'url') out.skip(line, value, 'URLs are not supported; list the domain instead');
        else out.add(classifyEntry(value, { allowDomains: objectType === 'domain-name' }), line, value, name);
      }
    } else if (obj['type'] === 'ipv4-addr' || obj['type'] === 'domain-name') {
      const value = typeof obj['value'] === 'string' ? obj['value'] : '';
      out.add(classifyEntry(value, { allowDomains: obj['type'] === 'domain-name' }), line, value, name);
    }
  });
  return out.result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
