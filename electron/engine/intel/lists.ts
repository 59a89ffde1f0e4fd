import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { LoupeError } from '../../../shared/errors';
import type { Database, QueryOptions } from '../db/database';
import type { IntelEntry, IntelLineIssue, ParsedList } from './entries';
import { detectFormat, isIntelFormat, parseList, type IntelFormat } from './formats';
import { inTransaction } from './transaction';

export type { IntelFormat } from './formats';

/**
 * What a list is for. User threat lists are `custom` (GuardDuty's `.Custom` finding types);
 * a feed the user vouches for as managed-grade intel can be loaded as `malicious` or
 * `tor-exit` (the non-custom MaliciousIPCaller / TorIPCaller types). Address lists of Tor relays,
 * command-and-control servers, sinkholes and drop points drive the matching flow types
 * (TorClient/TorRelay, C&CActivity.B, BlackholeTraffic, DropPoint); `mining-pool` holds both
 * pool domains (bundled) and addresses (BitcoinTool.B). The rest are the bundled reference lists
 * in resources/intel.
 */
export const INTEL_CATEGORIES = [
  'custom',
  'malicious',
  'tor-exit',
  'tor-relay',
  'c2',
  'sinkhole',
  'drop-point',
  'mining-pool',
  'doh-resolver',
  'test-domain',
  'pentest-ua',
  'dyndns',
] as const;
export type IntelCategory = (typeof INTEL_CATEGORIES)[number];

export interface IntelListInfo {
  name: string;
  kind: 'threat' | 'trusted';
  path: string;
  sha256: string;
  entries: number;
  format: string;
  category: IntelCategory;
  bundled: boolean;
  /** Well-formed lines Loupe cannot use (IPv6, URLs, hashes...), not loaded. */
  skipped: IntelLineIssue[];
  /** Malformed lines left out because the caller asked for `skipInvalid`. */
  rejected: IntelLineIssue[];
  /** The accounts the list applies to; null = every account. */
  accounts: string[] | null;
}

export interface LoadIntelOptions {
  name?: string;
  format?: IntelFormat;
  category?: IntelCategory;
  /** Load the valid lines and report the malformed ones instead of refusing the list. */
  skipInvalid?: boolean;
  /**
   * Apply the list only to findings in these accounts (12-digit ids). Wins over a
   * `# accounts: 111122223333, ...` header line; neither means every account.
   */
  accounts?: string[];
  /**
   * The scope to use when the file names none: a case's scope for a list it already holds, so
   * loading the file again keeps the accounts the analyst chose. `accounts` and the header win.
   */
  defaultAccounts?: string[];
  signal?: AbortSignal;
}

/** GuardDuty's limit per list file. */
export const MAX_LIST_BYTES = 35 * 1024 * 1024;
const MAX_ISSUES_REPORTED = 50;

/**
 * Loads a threat or trusted list file into `intel`, replacing a list of the same name in one
 * transaction. A malformed line refuses the whole file (naming file, line and reason) unless
 * `skipInvalid` is set; lists already loaded keep working either way.
 */
export async function loadIntelList(
  db: Database,
  path: string,
  kind: 'threat' | 'trusted',
  options: LoadIntelOptions = {},
): Promise<IntelListInfo> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new LoupeError('FILE_NOT_FOUND', `The ${kind} list ${path} does not exist or cannot be read.`, {
      hint: 'Check the path.',
    });
  }
  if (size > MAX_LIST_BYTES) {
    throw new LoupeError(
      'FILE_TOO_LARGE',
      `The ${kind} list ${path} is ${(size / 1048576).toFixed(1)} MB; lists are limited to 35 MB.`,
      {
        hint: 'Split the list into several files.',
      },
    );
  }
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  return loadIntelText(db, text, kind, {
    ...options,
    path,
    sha256: sha256(bytes),
    name: options.name ?? basename(path),
  });
}

export interface LoadIntelTextOptions extends LoadIntelOptions {
  name: string;
  /** Shown in findings and errors; a file path, or a label for lists that are not files. */
  path?: string;
  sha256?: string;
  bundled?: boolean;
  /** Already-parsed entries (bundled user-agent patterns); skips format parsing. */
  parsed?: ParsedList;
}

export async function loadIntelText(
  db: Database,
  text: string,
  kind: 'threat' | 'trusted',
  options: LoadIntelTextOptions,
): Promise<IntelListInfo> {
  if (kind !== 'threat' && kind !== 'trusted') {
    throw new LoupeError('INVALID_INPUT', `List kind must be "threat" or "trusted", not "${String(kind)}".`);
  }
  const where = options.path ?? options.name;
  const category: IntelCategory = options.category ?? headerCategory(text) ?? 'custom';
  if (!(INTEL_CATEGORIES as readonly string[]).includes(category)) {
    throw new LoupeError('INVALID_INPUT', `Unknown list category "${category}" for ${where}.`, {
      hint: `Use one of: ${INTEL_CATEGORIES.join(', ')}.`,
    });
  }
  if (options.format !== undefined && !isIntelFormat(options.format)) {
    throw new LoupeError('INVALID_INPUT', `Unknown list format "${String(options.format)}" for ${where}.`);
  }
  const accounts = normalizeAccounts(
    options.accounts ?? headerAccounts(text) ?? (options.defaultAccounts?.length ? options.defaultAccounts : undefined),
    where,
  );
  const format = options.format ?? detectFormat(text);
  const parsed = options.parsed ?? parseList(text, format);

  if (parsed.errors.length > 0 && !options.skipInvalid) throw invalidList(where, kind, format, parsed.errors);
  if (parsed.entries.length === 0) {
    throw new LoupeError('FILE_EMPTY', `The ${kind} list ${where} has no usable entries (read as ${format}).`, {
      hint: 'Each line should hold one IPv4 address, CIDR block or domain name; "#" starts a comment.',
      details: { skipped: parsed.skipped.slice(0, MAX_ISSUES_REPORTED) },
    });
  }

  const sha = options.sha256 ?? sha256(Buffer.from(text, 'utf8'));
  const info: IntelListInfo = {
    name: options.name,
    kind,
    path: where,
    sha256: sha,
    entries: parsed.entries.length,
    format,
    category,
    bundled: options.bundled ?? false,
    skipped: parsed.skipped.slice(0, MAX_ISSUES_REPORTED),
    rejected: parsed.errors.slice(0, MAX_ISSUES_REPORTED),
    accounts,
  };
  await writeList(db, info, parsed.entries, options.signal === undefined ? {} : { signal: options.signal });
  return info;
}

async function writeList(
  db: Database,
  info: IntelListInfo,
  entries: IntelEntry[],
  options: QueryOptions,
): Promise<void> {
  // One bound text parameter split in SQL: 250k entries in well under a second, where a JSON
  // array of rows took several. Unit/record separators cannot occur in validated values, and
  // threat names are cleaned of them.
  const separators = new Set(['\x1e', '\x1f', '\r', '\n']);
  const clean = (v: string | null) => (v === null ? '' : [...v].map((c) => (separators.has(c) ? ' ' : c)).join(''));
  const rows = entries
    .map((e) =>
      [
        e.entryType,
        e.value,
        e.ipStart ?? '',
        e.ipEnd ?? '',
        e.domain ?? '',
        e.wildcard,
        clean(e.threatName),
        e.line ?? '',
      ].join('\x1f'),
    )
    .join('\x1e');
  const list = {
    name: info.name,
    kind: info.kind,
    category: info.category,
    bundled: info.bundled,
    sha: info.sha256,
    accounts: info.accounts === null ? null : JSON.stringify(info.accounts),
  };
  await inTransaction(
    db,
    async (run) => {
      await run(`DELETE FROM intel WHERE list_name = $name`, { name: info.name });
      await run(`DELETE FROM intel_lists WHERE list_name = $name`, { name: info.name });
      await run(
        `INSERT INTO intel (list_name, list_kind, category, bundled, entry_type, value, ip_start, ip_end, domain, wildcard, threat_name, line, list_sha256, accounts)
         SELECT $name, $kind, $category, $bundled, f[1], f[2], TRY_CAST(f[3] AS BIGINT), TRY_CAST(f[4] AS BIGINT), nullif(f[5], ''),
                f[6] = 'true', nullif(f[7], ''), TRY_CAST(f[8] AS INTEGER), $sha, from_json(CAST($accounts AS JSON), '["VARCHAR"]')
           FROM (SELECT string_split(r, chr(31)) AS f FROM (SELECT unnest(string_split($rows, chr(30))) AS r))`,
        { ...list, rows },
      );
      await run(
        `INSERT INTO intel_lists (list_name, list_kind, category, bundled, path, format, sha256, entries, accounts)
         VALUES ($name, $kind, $category, $bundled, $path, $format, $sha, $entries, from_json(CAST($accounts AS JSON), '["VARCHAR"]'))`,
        { ...list, path: info.path, format: info.format, entries: info.entries },
      );
    },
    options,
  );
}

function invalidList(where: string, kind: string, format: string, errors: IntelLineIssue[]): LoupeError {
  const first = errors[0];
  const at = first?.line != null ? `line ${first.line}` : (first?.text ?? 'content');
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return new LoupeError(
    'INTEL_INVALID',
    `The ${kind} list ${where} was refused: ${at}: ${first?.reason ?? 'invalid'}${more}.`,
    {
      hint: `Fix the line${errors.length > 1 ? 's' : ''} listed in details (read as ${format}), or load with "skip invalid lines" to use the rest.`,
      details: { file: where, format, errors: errors.slice(0, MAX_ISSUES_REPORTED) },
    },
  );
}

/**
 * A list may declare what it is in its leading comments (`# category: tor-exit`), so a Tor exit
 * feed passed as an ordinary threat list still drives the Tor finding types. An explicit
 * option wins over the header.
 */
export function headerCategory(text: string): IntelCategory | undefined {
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('#')) break;
    const m = /^#\s*category:\s*([a-z0-9-]+)\s*$/i.exec(t);
    const value = m?.[1]?.toLowerCase();
    if (value && (INTEL_CATEGORIES as readonly string[]).includes(value)) return value as IntelCategory;
  }
  return undefined;
}

/**
 * `# accounts: 111122223333, 444455556666` among the leading comments scopes a list to those
 * accounts (issue 7: a partner's scanner is trusted in one account, not in all of them).
 */
export function headerAccounts(text: string): string[] | undefined {
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('#')) break;
    const m = /^#\s*accounts:\s*(.*)$/i.exec(t);
    if (m) return (m[1] ?? '').split(/[\s,]+/).filter((a) => a !== '');
  }
  return undefined;
}

function normalizeAccounts(accounts: string[] | undefined, where: string): string[] | null {
  if (accounts === undefined) return null;
  const bad = accounts.find((a) => !/^\d{12}$/.test(a));
  if (bad !== undefined || accounts.length === 0) {
    throw new LoupeError(
      'INVALID_INPUT',
      bad === undefined
        ? `The account scope of ${where} names no account.`
        : `The account scope of ${where} names "${bad}", which is not a 12-digit AWS account id.`,
      {
        hint: 'Write "# accounts: 111122223333, 444455556666", or leave the line out to apply the list to every account.',
      },
    );
  }
  return [...new Set(accounts)].sort();
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function listIntelLists(db: Database): Promise<Array<Omit<IntelListInfo, 'skipped' | 'rejected'>>> {
  return db.all(
    `SELECT list_name AS name, list_kind AS kind, path, sha256, entries, format, category, bundled, accounts
       FROM intel_lists ORDER BY bundled, list_name`,
  );
}

/** Removes a loaded list; returns whether there was one. */
export async function removeIntelList(db: Database, name: string): Promise<boolean> {
  const existing = await db.one(`SELECT 1 AS x FROM intel_lists WHERE list_name = $name`, { name });
  await inTransaction(db, async (run) => {
    await run(`DELETE FROM intel WHERE list_name = $name`, { name });
    await run(`DELETE FROM intel_lists WHERE list_name = $name`, { name });
  });
  return existing !== undefined;
}
