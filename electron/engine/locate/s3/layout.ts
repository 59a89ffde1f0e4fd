import { LoupeError } from '../../../../shared/errors';

/**
 * The AWSLogs key layout AWS writes log exports in, and the filters a person can put on it.
 * Pure functions only: the listing walk (list.ts) uses them to pick prefixes, and every listed
 * key goes through `keySelected` so a plain (non-layout) listing honours the same filters.
 *
 *   [prefix/]AWSLogs/[o-org/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>
 *   [prefix/]AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]<file>
 *   [prefix/]AWSLogs/<account>/vpcdnsquerylogs/<vpc-id>/YYYY/MM/DD/<file>
 *   [prefix/]AWSLogs/aws-account-id=<a>/aws-service=vpcflowlogs/aws-region=<r>/year=Y/month=M/day=D/...
 */

export const LOG_SOURCES = ['cloudtrail', 'vpcflow', 'dns'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

export const SOURCE_DIRS: Readonly<Record<LogSource, string>> = {
  cloudtrail: 'CloudTrail',
  vpcflow: 'vpcflowlogs',
  dns: 'vpcdnsquerylogs',
};
const DIR_TO_SOURCE = new Map<string, LogSource>(LOG_SOURCES.map((s) => [SOURCE_DIRS[s], s]));

/**
 * Key dates are delivery dates, not event dates: CloudTrail delivers within about 15 minutes and
 * flow logs aggregate for up to 10 minutes before delivery, so an event just before midnight can
 * sit in the next day's folder. One hour either side of the range keeps those files.
 */
export const TIME_SLACK_MS = 60 * 60 * 1000;
export const DAY_MS = 86_400_000;

export const ACCOUNT_RE = /^\d{12}$/;
export const ORG_RE = /^o-[a-z0-9]{10,32}$/;
const REGION_RE = /^[a-z]{2}(-[a-z0-9]+)+-\d{1,2}$/;

export type PathStyle = 'plain' | 'hive';

export interface KeyFilters {
  accounts: string[] | null;
  regions: string[] | null;
  sources: LogSource[];
  fromMs: number | null;
  toMs: number | null;
}

export interface FilterInput {
  accounts?: string[] | undefined;
  regions?: string[] | undefined;
  sources?: LogSource[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Validates the filters once, so the walk only ever builds prefixes from checked values. */
export function normalizeFilters(input: FilterInput): KeyFilters {
  const accounts = cleanList(input.accounts, (a) => {
    if (!ACCOUNT_RE.test(a)) {
      throw new LoupeError('INVALID_INPUT', `Account "${a}" is not a 12-digit AWS account id.`, {
        hint: 'Give account ids like 123456789012.',
      });
    }
  });
  const regions = cleanList(input.regions, (r) => {
    if (!REGION_RE.test(r)) {
      throw new LoupeError('INVALID_INPUT', `Region "${r}" is not an AWS region name.`, {
        hint: 'Give regions like us-east-1 or eu-west-2.',
      });
    }
  });
  const sources = cleanList(input.sources, (s) => {
    if (!(LOG_SOURCES as readonly string[]).includes(s)) {
      throw new LoupeError('INVALID_INPUT', `Source "${s}" is not one of ${LOG_SOURCES.join(', ')}.`);
    }
  }) as LogSource[] | null;
  const fromMs = input.from === undefined || input.from === '' ? null : parseBound(input.from, 'from');
  const toMs = input.to === undefined || input.to === '' ? null : parseBound(input.to, 'to');
  if (fromMs !== null && toMs !== null && fromMs > toMs) {
    throw new LoupeError('INVALID_INPUT', `The time range starts (${input.from}) after it ends (${input.to}).`, {
      hint: 'Swap from and to.',
    });
  }
  return { accounts, regions, sources: sources ?? [...LOG_SOURCES], fromMs, toMs };
}

function cleanList(values: readonly string[] | undefined, check: (v: string) => void): string[] | null {
  if (!values || values.length === 0) return null;
  const out = [...new Set(values.map((v) => v.trim()))];
  out.forEach(check);
  return out;
}

const DATE_ONLY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date alone means the whole day: `from` its first millisecond, `to` its last (UTC). */
export function parseBound(value: string, which: 'from' | 'to'): number {
  const text = value.trim();
  const dateOnly = DATE_ONLY_RE.exec(text);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d) {
      return which === 'from' ? ms : ms + DAY_MS - 1;
    }
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new LoupeError('INVALID_INPUT', `"${value}" is not a valid ${which} date.`, {
    hint: 'Use an ISO date (2024-03-01) or date and time (2024-03-01T12:00:00Z).',
  });
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const dayNumber = (y: number, m: number, d: number): number => Date.UTC(y, m, d) / DAY_MS;

function datePrefix(style: PathStyle, y: number, m?: number, d?: number): string {
  if (style === 'hive') {
    return `year=${y}/` + (m === undefined ? '' : `month=${pad2(m)}/`) + (d === undefined ? '' : `day=${pad2(d)}/`);
  }
  return `${y}/` + (m === undefined ? '' : `${pad2(m)}/`) + (d === undefined ? '' : `${pad2(d)}/`);
}

/**
 * The fewest date folders covering the UTC days of [startMs, endMs]: a year folder when the whole
 * year is in range, else a month folder when the whole month is, else one folder per day.
 */
export function calendarPrefixes(startMs: number, endMs: number, style: PathStyle = 'plain'): string[] {
  if (!(endMs >= startMs)) return [];
  const first = Math.floor(startMs / DAY_MS);
  const last = Math.floor(endMs / DAY_MS);
  const out: string[] = [];
  const y0 = new Date(first * DAY_MS).getUTCFullYear();
  const y1 = new Date(last * DAY_MS).getUTCFullYear();
  for (let y = y0; y <= y1; y++) {
    if (first <= dayNumber(y, 0, 1) && last >= dayNumber(y + 1, 0, 1) - 1) {
      out.push(datePrefix(style, y));
      continue;
    }
    for (let m = 0; m < 12; m++) {
      const mFirst = dayNumber(y, m, 1);
      const mLast = dayNumber(y, m + 1, 1) - 1;
      if (mLast < first || mFirst > last) continue;
      if (first <= mFirst && last >= mLast) {
        out.push(datePrefix(style, y, m + 1));
        continue;
      }
      for (let day = Math.max(first, mFirst); day <= Math.min(last, mLast); day++) {
        out.push(datePrefix(style, y, m + 1, day - mFirst + 1));
      }
    }
  }
  return out;
}

/** A year folder name in either style, or null. */
export function yearOfSegment(segment: string): number | null {
  const m = /^(?:year=)?(\d{4})$/.exec(segment);
  return m ? Number(m[1]) : null;
}

export interface KeyInfo {
  /** null: an AWSLogs folder of a service Loupe does not read (CloudTrail-Digest, elasticloadbalancing...). */
  source?: LogSource | null;
  account?: string;
  region?: string;
  vpcId?: string;
  /** UTC midnight of the key's date folder. */
  dayMs?: number;
  /** The YYYYMMDDTHHmmZ stamp in the file name. */
  fileMs?: number;
}

const AWSLOGS_RE = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/([^/]+)\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\//;
const HIVE_RE =
  /(?:^|\/)AWSLogs\/aws-account-id=(\d{12})\/aws-service=([^/]+)\/aws-region=([^/]+)\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\//;
// <account>_CloudTrail_<region>_<stamp>Z_..., <account>_vpcflowlogs_<region>_<flow-log-id>_<stamp>Z_...
const NAME_RE = /^(\d{12})_(CloudTrail|vpcflowlogs|vpcdnsquerylogs)_([^_]+)_(?:[^_]+_)?(\d{8}T\d{4})Z[_.]/;
const STAMP_RE = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z(?:[_.]|$)/;

function stampMs(name: string): number | undefined {
  const m = STAMP_RE.exec(name);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(ms) ? undefined : ms;
}

function placeFor(info: KeyInfo, source: LogSource | null, partition: string): void {
  info.source = source;
  if (source === 'dns') info.vpcId = partition;
  else if (source !== null) info.region = partition;
}

/** What the key's folders and file name say about it; empty for keys outside any known layout. */
export function describeKey(key: string): KeyInfo {
  const info: KeyInfo = {};
  const name = key.slice(key.lastIndexOf('/') + 1);
  const layout = AWSLOGS_RE.exec(key);
  const hive = layout ? null : HIVE_RE.exec(key);
  const m = layout ?? hive;
  if (m) {
    info.account = m[1] ?? '';
    placeFor(info, DIR_TO_SOURCE.get(m[2] ?? '') ?? null, m[3] ?? '');
    info.dayMs = Date.UTC(Number(m[4]), Number(m[5]) - 1, Number(m[6]));
  } else {
    const n = NAME_RE.exec(name);
    if (n) {
      info.account = n[1] ?? '';
      placeFor(info, DIR_TO_SOURCE.get(n[2] ?? '') ?? null, n[3] ?? '');
    }
  }
  const fileMs = stampMs(name);
  if (fileMs !== undefined) info.fileMs = fileMs;
  return info;
}

/**
 * Whether a listed key is wanted. Keys outside any known layout pass every filter they carry no
 * information for: Loupe cannot tell, and dropping a file silently is worse than loading it.
 */
export function keySelected(key: string, f: KeyFilters): boolean {
  if (key.endsWith('/')) return false; // console-made "folder" markers
  const info = describeKey(key);
  if (info.source === null) return false;
  if (info.source !== undefined && !f.sources.includes(info.source)) return false;
  if (f.accounts && info.account !== undefined && !f.accounts.includes(info.account)) return false;
  if (f.regions && info.region !== undefined && !f.regions.includes(info.region)) return false;
  if (f.fromMs === null && f.toMs === null) return true;
  const lo = (f.fromMs ?? Number.NEGATIVE_INFINITY) - TIME_SLACK_MS;
  const hi = (f.toMs ?? Number.POSITIVE_INFINITY) + TIME_SLACK_MS;
  if (info.fileMs !== undefined) return info.fileMs >= lo && info.fileMs <= hi;
  if (info.dayMs !== undefined) return info.dayMs + DAY_MS - 1 >= lo && info.dayMs <= hi;
  return true;
}
