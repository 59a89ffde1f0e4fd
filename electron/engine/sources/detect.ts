import { parseKeyLayout } from '../locate/key-layout';
import { ALL_V5_FLOW_FORMAT, DEFAULT_FLOW_FORMAT, parseFlowHeader } from './vpcflow/fields';

/**
 * Format detection by content: the first bytes after gunzip decide, the name only breaks ties
 * (a CloudTrail-Digest folder, a header-less flow log under vpcflowlogs/). Pure, so every shape
 * has a unit test. The loaders trust what this returns and nothing else.
 */
export type SourceType = 'cloudtrail' | 'cloudtrail-digest' | 'vpcflow' | 'dns' | 'unknown';

/**
 * How a file is read:
 * - records:  `{"Records":[...]}` on one line per document (S3 delivery) - the fast path;
 * - document: any other JSON document(s): pretty-printed Records, an array of events, a single
 *             event, `aws cloudtrail lookup-events` output (`{"Events":[{"CloudTrailEvent":...}]}`);
 * - ndjson:   one JSON object per line (CloudTrail events, Route 53 Resolver queries);
 * - csv:      CloudTrail console / Lake CSV exports;
 * - flow-text: space-separated flow log records; parquet: flow logs delivered as Parquet.
 */
export type ReadFormat = 'records' | 'document' | 'ndjson' | 'csv' | 'flow-text' | 'parquet' | 'none';
export type Compression = 'gzip' | 'none';
export type ArchiveMagic = 'zip' | 'tar' | 'gzip-wrapped';

export interface SniffInput {
  /** The display path (used for the key layout only). */
  path: string;
  size: number;
  /** First bytes of the raw file. */
  raw: Buffer;
  compression: Compression;
  /** First bytes after decompression (equal to `raw` when not compressed). */
  head: Buffer;
  /** True when `head` holds the whole decompressed content. */
  headComplete: boolean;
  /** Why the gzip stream could not be read, when it could not. */
  gzipError: string | null;
}

export interface Detection {
  type: SourceType;
  format: ReadFormat;
  compression: Compression;
  /** load: hand to a loader; skip/fail: record the reason, read nothing. archive: open and sniff the members. */
  action: 'load' | 'skip' | 'fail' | 'archive';
  reason?: string;
  archive?: ArchiveMagic;
  /** flow-text: the fields of each record in order, and whether line 1 is a header. */
  flowFields?: string[];
  flowHeader?: boolean;
  /**
   * flow-text: the sniffed head has a blank line. DuckDB's CSV reader skips blank lines without
   * counting them, so such a file is read line by line to keep its line numbers right.
   */
  blankLines?: boolean;
  /** csv: the header names in order. */
  csvColumns?: string[];
}

export interface DetectOptions {
  flowFormat?: string[] | undefined;
}

const GZIP = [0x1f, 0x8b];
const CT_KEYS = /"(eventVersion|eventSource|eventName|eventID|awsRegion|userIdentity)"\s*:/g;
const DNS_KEYS = /"(query_name|query_timestamp|query_type|srcaddr|rcode)"\s*:/g;

export function isGzip(buf: Buffer): boolean {
  return buf.length >= 2 && buf[0] === GZIP[0] && buf[1] === GZIP[1];
}

export function archiveMagic(buf: Buffer): 'zip' | 'tar' | null {
  if (
    buf.length >= 4 &&
    buf[0] === 0x50 &&
    buf[1] === 0x4b &&
    (buf[2] === 3 || buf[2] === 5) &&
    (buf[3] === 4 || buf[3] === 6)
  )
    return 'zip';
  if (buf.length >= 262 && buf.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return null;
}

export function detect(input: SniffInput, options: DetectOptions = {}): Detection {
  const { compression } = input;
  const base = { compression };
  if (input.size === 0)
    return { ...base, type: 'unknown', format: 'none', action: 'skip', reason: 'empty file (0 bytes)' };

  const rawArchive = archiveMagic(input.raw);
  if (rawArchive && compression === 'none')
    return { ...base, type: 'unknown', format: 'none', action: 'archive', archive: rawArchive };
  if (input.raw.length >= 4 && input.raw.toString('latin1', 0, 4) === 'PAR1') return detectParquet(input);

  if (input.gzipError) {
    return {
      ...base,
      type: guessType(input.path),
      format: 'none',
      action: 'fail',
      reason: `corrupt gzip: ${input.gzipError}`,
    };
  }
  if (compression === 'gzip') {
    const inner = archiveMagic(input.head);
    // tar's parser reads gzip itself; a zip inside gzip is unpacked first.
    if (inner === 'tar') return { ...base, type: 'unknown', format: 'none', action: 'archive', archive: 'tar' };
    if (inner === 'zip')
      return { ...base, type: 'unknown', format: 'none', action: 'archive', archive: 'gzip-wrapped' };
  }

  if (looksBinary(input.head)) {
    const type = guessType(input.path);
    const what = compression === 'gzip' ? 'binary content inside the gzip' : 'binary content';
    return type === 'unknown'
      ? { ...base, type, format: 'none', action: 'skip', reason: `${what}, not a text log` }
      : {
          ...base,
          type,
          format: 'none',
          action: 'fail',
          reason: `${what} where a ${type} log was expected (damaged file?)`,
        };
  }

  const text = input.head.toString('utf8').replace(/^\uFEFF/, '');
  const body = text.trimStart();
  if (body === '') {
    if (input.headComplete)
      return {
        ...base,
        type: guessType(input.path),
        format: 'none',
        action: 'skip',
        reason: 'no content (only white space)',
      };
    return {
      ...base,
      type: 'unknown',
      format: 'none',
      action: 'skip',
      reason: 'starts with a long run of white space; not a recognised log',
    };
  }
  if (body[0] === '{' || body[0] === '[') return detectJson(input, body);
  const found = detectText(input, body, options);
  if (found.format === 'flow-text' && /(^|\n)[ \t]*\r?\n/.test(text)) found.blankLines = true;
  return found;
}

function detectParquet(input: SniffInput): Detection {
  const layout = parseKeyLayout(input.path);
  // Parquet is only delivered for flow logs; the loader checks the columns and says so if not.
  const type: SourceType = layout.service === null || layout.service === 'vpcflow' ? 'vpcflow' : 'unknown';
  if (type === 'unknown')
    return {
      type,
      format: 'parquet',
      compression: 'none',
      action: 'skip',
      reason: 'Parquet file outside a vpcflowlogs folder; only flow logs are delivered as Parquet',
    };
  return { type, format: 'parquet', compression: 'none', action: 'load' };
}

function detectJson(input: SniffInput, body: string): Detection {
  const base = { compression: input.compression };
  if (/"digest(PublicKeyFingerprint|StartTime|EndTime|S3Object|SignatureAlgorithm)"\s*:/.test(body.slice(0, 4096))) {
    return {
      ...base,
      type: 'cloudtrail-digest',
      format: 'none',
      action: 'skip',
      reason: 'CloudTrail digest file (an integrity manifest for log files; it holds no events)',
    };
  }
  const newline = body.indexOf('\n');
  const firstLine = newline >= 0 ? body.slice(0, newline) : body;
  const firstLineComplete = newline >= 0 || input.headComplete;
  const multiLine = newline >= 0 && body.slice(newline).trim() !== '';

  if (/^\{\s*"Records"\s*:\s*\[/.test(body)) {
    // One document per line is the S3 delivery shape; anything else goes through the document reader.
    const oneLine = !multiLine || lineIsWholeJson(firstLine, firstLineComplete);
    return { ...base, type: 'cloudtrail', format: oneLine ? 'records' : 'document', action: 'load' };
  }
  if (/^\{\s*"Events"\s*:\s*\[/.test(body) && /"CloudTrailEvent"\s*:/.test(body)) {
    return { ...base, type: 'cloudtrail', format: 'document', action: 'load' };
  }

  if (body[0] === '{' && firstLineComplete) {
    const obj = parseObject(firstLine);
    if (obj) {
      const kind = classifyObject(obj);
      if (kind === 'cloudtrail' || kind === 'dns') return { ...base, type: kind, format: 'ndjson', action: 'load' };
      if (kind === 'records') return { ...base, type: 'cloudtrail', format: 'records', action: 'load' };
      return unknownJson(input, Object.keys(obj));
    }
  }
  const ctHits = countKeys(body, CT_KEYS);
  const dnsHits = countKeys(body, DNS_KEYS);
  if (body[0] === '{' && !multiLine && !firstLineComplete) {
    // A first line longer than the sniffed head: one record per line, judged by its keys.
    if (ctHits >= 3) return { ...base, type: 'cloudtrail', format: 'ndjson', action: 'load' };
    if (dnsHits >= 3) return { ...base, type: 'dns', format: 'ndjson', action: 'load' };
  }
  if (ctHits >= 3 || /^\[\s*\]\s*$/.test(body))
    return { ...base, type: 'cloudtrail', format: 'document', action: 'load' };
  if (body[0] === '{' && firstLineComplete && !multiLine && parseObject(firstLine) === null) {
    return {
      ...base,
      type: guessType(input.path),
      format: 'none',
      action: 'fail',
      reason: `invalid JSON on line 1 (${jsonProblem(firstLine)})`,
    };
  }
  return unknownJson(input, topKeys(body));
}

function detectText(input: SniffInput, body: string, options: DetectOptions): Detection {
  const base = { compression: input.compression };
  const firstLine = (body.split(/\r?\n/, 1)[0] ?? '').trim();
  const header = parseFlowHeader(firstLine);
  if (header)
    return { ...base, type: 'vpcflow', format: 'flow-text', action: 'load', flowFields: header, flowHeader: true };

  const tokens = firstLine.split(/\s+/);
  const layout = parseKeyLayout(input.path);
  // A given format is trusted for any space-separated line of that many fields that holds an address.
  if (
    options.flowFormat &&
    options.flowFormat.length === tokens.length &&
    tokens.some((t) => /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f]*:[0-9a-f:]+$|^-$/i.test(t))
  ) {
    return {
      ...base,
      type: 'vpcflow',
      format: 'flow-text',
      action: 'load',
      flowFields: options.flowFormat,
      flowHeader: false,
    };
  }
  const looksLikeFlow =
    /^[2-9]$/.test(tokens[0] ?? '') &&
    tokens.length >= 6 &&
    (/\beni-[0-9a-z]+/.test(firstLine) ||
      layout.service === 'vpcflow' ||
      tokens[1] === '-' ||
      /^\d{12}$/.test(tokens[1] ?? ''));
  if (looksLikeFlow) {
    if (options.flowFormat) {
      if (options.flowFormat.length === tokens.length)
        return {
          ...base,
          type: 'vpcflow',
          format: 'flow-text',
          action: 'load',
          flowFields: options.flowFormat,
          flowHeader: false,
        };
      return {
        ...base,
        type: 'vpcflow',
        format: 'none',
        action: 'fail',
        reason: `header-less flow log with ${tokens.length} fields per record, but the given flow format has ${options.flowFormat.length}`,
      };
    }
    if (tokens.length === DEFAULT_FLOW_FORMAT.length)
      return {
        ...base,
        type: 'vpcflow',
        format: 'flow-text',
        action: 'load',
        flowFields: [...DEFAULT_FLOW_FORMAT],
        flowHeader: false,
      };
    if (tokens.length === ALL_V5_FLOW_FORMAT.length && tokens[0] === '5') {
      return {
        ...base,
        type: 'vpcflow',
        format: 'flow-text',
        action: 'load',
        flowFields: [...ALL_V5_FLOW_FORMAT],
        flowHeader: false,
      };
    }
    return {
      ...base,
      type: 'vpcflow',
      format: 'none',
      action: 'fail',
      reason: `header-less flow log in a custom format (${tokens.length} fields per record) and no flow format was given`,
    };
  }

  const csv = parseCsvHeader(firstLine);
  if (csv && isCloudTrailCsv(csv))
    return { ...base, type: 'cloudtrail', format: 'csv', action: 'load', csvColumns: csv };

  const preview = firstLine.slice(0, 60).replace(/[^\x20-\x7e]/g, '?');
  return {
    ...base,
    type: 'unknown',
    format: 'none',
    action: 'skip',
    reason: `text that is not a CloudTrail, VPC Flow Logs or Route 53 Resolver log (starts "${preview}")`,
  };
}

function unknownJson(input: SniffInput, keys: string[]): Detection {
  const shown = keys.slice(0, 6).join(', ');
  return {
    type: 'unknown',
    format: 'none',
    compression: input.compression,
    action: 'skip',
    reason: `JSON, but not a CloudTrail, VPC Flow Logs or Route 53 Resolver log${shown ? ` (keys: ${shown})` : ''}`,
  };
}

function classifyObject(obj: Record<string, unknown>): 'cloudtrail' | 'dns' | 'records' | null {
  if (Array.isArray(obj['Records'])) return 'records';
  const ct = ['eventVersion', 'eventSource', 'eventName', 'eventID', 'eventTime', 'userIdentity', 'awsRegion'].filter(
    (k) => k in obj,
  ).length;
  if (ct >= 3) return 'cloudtrail';
  if ('query_name' in obj && ('query_timestamp' in obj || 'rcode' in obj)) return 'dns';
  return null;
}

function parseObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function lineIsWholeJson(line: string, complete: boolean): boolean {
  return complete && parseObject(line) !== null;
}

function jsonProblem(line: string): string {
  try {
    JSON.parse(line);
    return 'not an object';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function countKeys(text: string, re: RegExp): number {
  const found = new Set<string>();
  for (const m of text.slice(0, 16384).matchAll(re)) if (m[1]) found.add(m[1]);
  return found.size;
}

function topKeys(body: string): string[] {
  const keys: string[] = [];
  for (const m of body.slice(0, 2048).matchAll(/"([^"\\]{1,60})"\s*:/g)) {
    if (m[1] && !keys.includes(m[1])) keys.push(m[1]);
    if (keys.length >= 6) break;
  }
  return keys;
}

/** NUL bytes or many control characters: not a text log, whatever the name says. */
export function looksBinary(head: Buffer): boolean {
  const sample = head.subarray(0, 4096);
  if (sample.length === 0) return false;
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control += 1;
  }
  if (control / sample.length > 0.05) return true;
  // Invalid UTF-8 decodes to U+FFFD; a text log has none (or almost none, if cut mid-character).
  const decoded = sample.toString('utf8');
  let bad = 0;
  for (const ch of decoded) if (ch === '\uFFFD') bad += 1;
  return bad > 4 && bad / decoded.length > 0.02;
}

/** The type the folder layout or file name suggests, for the reason of a file that could not be read. */
export function guessType(path: string): SourceType {
  const service = parseKeyLayout(path).service;
  if (service === 'cloudtrail' || service === 'cloudtrail-insight') return 'cloudtrail';
  if (service === 'cloudtrail-digest') return 'cloudtrail-digest';
  if (service === 'vpcflow' || service === 'dns') return service;
  return 'unknown';
}

/** Splits a CSV header line (quotes honoured, no embedded newlines: it is one line). */
export function parseCsvHeader(line: string): string[] | null {
  if (!line.includes(',')) return null;
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out.length >= 2 ? out : null;
}

/** Header names compared without case, spaces, dashes or underscores ("Event name" = "eventName"). */
export function normalizeColumn(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]/g, '');
}

function isCloudTrailCsv(columns: string[]): boolean {
  const names = new Set(columns.map(normalizeColumn));
  if (names.has('cloudtrailevent') || names.has('eventjson')) return true;
  return (
    names.has('eventname') &&
    (names.has('eventtime') || names.has('eventid')) &&
    (names.has('eventsource') || names.has('username') || names.has('useridentity'))
  );
}
