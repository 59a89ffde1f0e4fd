import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LoupeError } from '../../../shared/errors';
import type { IntelEntry, ParsedList } from './entries';
import { INTEL_FORMATS, detectFormat, parseList, type IntelFormat } from './formats';
import { INTEL_CATEGORIES, MAX_LIST_BYTES, type IntelCategory } from './lists';
import { resourcePath } from '../resources-dir';

/**
 * Public threat feeds kept on the user's disk (`loupe intel update`). Downloading happens only on
 * that explicit command; scans read the last good copy, so Loupe works offline. A download is
 * accepted only when Loupe's own list parsers read it cleanly: an HTML error page, an empty or
 * malformed body is refused and the previous copy stays in use.
 *
 * Layout of the feed folder:
 *   index.json        what was fetched: URL, category, kind, fetch date, SHA-256 of the download
 *   <name>.raw        the bytes as downloaded (the SHA-256 in the index is theirs)
 *   <name>.txt        the same entries as a Loupe TXT list with a `# category:` header, which is
 *                     what a scan loads (so the feed keeps its category whatever its format)
 */
export const DEFAULT_FEEDS_FILE = resourcePath('intel', 'feeds.json');

/** The feeds file when none is given: `$LOUPE_FEEDS_FILE` (your own feeds, for the app too), else Loupe's. */
export function defaultFeedsFile(env: NodeJS.ProcessEnv = process.env): string {
  const file = env['LOUPE_FEEDS_FILE'];
  return file ? resolve(file) : DEFAULT_FEEDS_FILE;
}
export const FEED_INDEX = 'index.json';
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Where feeds live: `$LOUPE_CONFIG_DIR/intel` when that is set (tests, portable installs; the
 * same variable places the recent-cases list), else `~/.loupe/intel`.
 */
export function defaultFeedDir(env: NodeJS.ProcessEnv = process.env): string {
  const config = env['LOUPE_CONFIG_DIR'];
  return config ? join(resolve(config), 'intel') : join(homedir(), '.loupe', 'intel');
}

const feedSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]{0,63}$/,
      'must be lower-case letters, digits, ".", "_" or "-" (it becomes a file name)',
    ),
  description: z.string().max(500).optional(),
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL'),
  format: z.enum(INTEL_FORMATS).optional(),
  category: z.enum(INTEL_CATEGORIES),
  kind: z.enum(['threat', 'trusted']).default('threat'),
});
export type FeedSpec = z.infer<typeof feedSchema>;

const feedsFileSchema = z.object({
  about: z.string().optional(),
  feeds: z
    .array(feedSchema)
    .min(1)
    .max(100)
    .refine((feeds) => new Set(feeds.map((f) => f.name)).size === feeds.length, 'feed names must be unique'),
});

const indexEntrySchema = z.object({
  url: z.string(),
  category: z.enum(INTEL_CATEGORIES),
  kind: z.enum(['threat', 'trusted']),
  format: z.enum(INTEL_FORMATS),
  fetchedAt: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  entries: z.number(),
  file: z.string(),
  raw: z.string(),
});
export type StoredFeed = z.infer<typeof indexEntrySchema> & { name: string; path: string };
const indexSchema = z.object({ version: z.literal(1), feeds: z.record(z.string(), indexEntrySchema) });
type FeedIndex = z.infer<typeof indexSchema>;

/** Reads and checks a feeds file; the error names the file and the first problem. */
export function readFeedsFile(path: string = defaultFeedsFile()): FeedSpec[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LoupeError('INVALID_INPUT', `The feeds file ${path} cannot be read: ${(error as Error).message}`, {
      hint: 'Pass a JSON file shaped like resources/intel/feeds.json.',
    });
  }
  const parsed = feedsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : 'the file';
    throw new LoupeError(
      'INVALID_INPUT',
      `The feeds file ${path} is not valid: ${at}: ${issue?.message ?? 'invalid'}.`,
      {
        hint: 'Each feed needs name, url, category (and optionally format, kind, description).',
      },
    );
  }
  return parsed.data.feeds;
}

function readIndex(dir: string): FeedIndex {
  const path = join(dir, FEED_INDEX);
  if (!existsSync(path)) return { version: 1, feeds: {} };
  try {
    const parsed = indexSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    // A damaged index is rebuilt by the next update; the copies it described are not trusted meanwhile.
    return parsed.success ? parsed.data : { version: 1, feeds: {} };
  } catch {
    return { version: 1, feeds: {} };
  }
}

function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The feeds with a usable copy in `dir`, for a scan to load (threat and trusted lists). */
export function storedFeeds(dir: string = defaultFeedDir()): StoredFeed[] {
  const index = readIndex(dir);
  return Object.entries(index.feeds)
    .map(([name, e]) => ({ ...e, name, path: join(dir, e.file) }))
    .filter((f) => existsSync(f.path))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface FeedResult {
  name: string;
  url: string;
  category: IntelCategory;
  kind: 'threat' | 'trusted';
  ok: boolean;
  /** The download differed from the copy it replaced (false on failure or same bytes). */
  changed: boolean;
  /** Why the download was refused or failed. */
  error?: string;
  /** The copy in use after this update (the new one, or the previous one after a failure). */
  copy: { fetchedAt: string; sha256: string; entries: number; path: string } | null;
}

export interface UpdateFeedsOptions {
  feedsFile?: string;
  dir?: string;
  signal?: AbortSignal;
  /** Per-feed download limit. */
  timeoutMs?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** Progress, one line per feed. */
  report?: (line: string) => void;
}

/**
 * Downloads every feed of the feeds file into `dir`, one at a time. A feed that cannot be fetched
 * or read keeps its previous copy; the others still update. Never throws for one feed's problem;
 * throws for an unusable feeds file or folder, and on cancel.
 */
export async function updateFeeds(options: UpdateFeedsOptions = {}): Promise<FeedResult[]> {
  const feeds = readFeedsFile(options.feedsFile ?? defaultFeedsFile());
  const dir = options.dir ?? defaultFeedDir();
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new LoupeError('FILE_UNWRITABLE', `The feed folder ${dir} cannot be created: ${(error as Error).message}`, {
      hint: 'Pass another folder with --dir.',
    });
  }
  const now = options.now ?? (() => new Date());
  const results: FeedResult[] = [];
  for (const feed of feeds) {
    if (options.signal?.aborted) break;
    options.report?.(`${feed.name}: downloading ${feed.url}`);
    const index = readIndex(dir);
    const previous = index.feeds[feed.name];
    const previousCopy =
      previous && existsSync(join(dir, previous.file))
        ? {
            fetchedAt: previous.fetchedAt,
            sha256: previous.sha256,
            entries: previous.entries,
            path: join(dir, previous.file),
          }
        : null;
    const base = { name: feed.name, url: feed.url, category: feed.category, kind: feed.kind };
    let body: Buffer;
    let parsed: { list: ParsedList; format: IntelFormat };
    try {
      body = await download(feed, options.signal, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      parsed = validate(feed, body);
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      results.push({ ...base, ok: false, changed: false, error: (error as Error).message, copy: previousCopy });
      continue;
    }
    const sha256 = createHash('sha256').update(body).digest('hex');
    const fetchedAt = now().toISOString();
    const file = `${feed.name}.txt`;
    const raw = `${feed.name}.raw`;
    writeAtomic(join(dir, raw), body);
    writeAtomic(join(dir, file), asLoupeList(feed, parsed.list.entries, { fetchedAt, sha256, format: parsed.format }));
    // Re-read just before writing: only this feed's entry changes.
    const fresh = readIndex(dir);
    fresh.feeds[feed.name] = {
      url: feed.url,
      category: feed.category,
      kind: feed.kind,
      format: parsed.format,
      fetchedAt,
      sha256,
      bytes: body.length,
      entries: parsed.list.entries.length,
      file,
      raw,
    };
    writeAtomic(join(dir, FEED_INDEX), `${JSON.stringify(fresh, null, 2)}\n`);
    results.push({
      ...base,
      ok: true,
      changed: previous?.sha256 !== sha256,
      copy: { fetchedAt, sha256, entries: parsed.list.entries.length, path: join(dir, file) },
    });
  }
  if (options.signal?.aborted) throw cancelled();
  return results;
}

function cancelled(): LoupeError {
  return new LoupeError('QUERY_CANCELLED', 'The feed update was cancelled; the copies already fetched are kept.');
}

async function download(feed: FeedSpec, signal: AbortSignal | undefined, timeoutMs: number): Promise<Buffer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(feed.url, { signal: both, redirect: 'follow', headers: { accept: 'text/plain, */*' } });
  } catch (error) {
    if (timeout.aborted)
      throw new Error(`download timed out after ${Math.round(timeoutMs / 1000)} s`, { cause: error });
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`download failed (${cause?.code ?? cause?.message ?? (error as Error).message})`, {
      cause: error,
    });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(
      `the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_LIST_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`the feed is ${(declared / 1048576).toFixed(1)} MB; lists are limited to 35 MB`);
  }
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_LIST_BYTES)
    throw new Error(`the feed is ${(body.length / 1048576).toFixed(1)} MB; lists are limited to 35 MB`);
  const type = response.headers.get('content-type') ?? '';
  if (/text\/html/i.test(type) && feed.format !== 'STIX') throw new Error('the server sent an HTML page, not a list');
  return body;
}

/** Reads the download with the list parsers; any malformed line refuses it (with the line). */
function validate(feed: FeedSpec, body: Buffer): { list: ParsedList; format: IntelFormat } {
  const text = body.toString('utf8');
  const head = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 200)
    .toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html'))
    throw new Error('the server sent an HTML page, not a list');
  const format = feed.format ?? detectFormat(text);
  const list = parseList(text, format);
  if (list.errors.length > 0) {
    const first = list.errors[0];
    const more = list.errors.length > 1 ? ` (and ${list.errors.length - 1} more)` : '';
    throw new Error(
      `the feed is not a valid ${format} list: ${first?.line != null ? `line ${first.line}: ` : ''}${first?.reason ?? 'invalid'}${more}`,
    );
  }
  if (list.entries.length === 0) throw new Error(`the feed has no usable entries (read as ${format})`);
  return { list, format };
}

/** The entries as a Loupe TXT list: header first (category, source, date, hash), one entry a line. */
function asLoupeList(
  feed: FeedSpec,
  entries: IntelEntry[],
  meta: { fetchedAt: string; sha256: string; format: IntelFormat },
): string {
  const clean = (v: string) => v.replace(/[\r\n#]+/g, ' ').trim();
  const lines = [
    `# list: ${feed.name}`,
    `# category: ${feed.category}`,
    `# kind: ${feed.kind}`,
    `# source: ${feed.url}`,
    `# fetched: ${meta.fetchedAt} (sha256 ${meta.sha256} of the download, read as ${meta.format})`,
  ];
  for (const e of entries) {
    const values = e.entryType === 'ip' || e.entryType === 'cidr' ? ipValues(e) : [e.value];
    const name = e.threatName ? ` # ${clean(e.threatName)}` : '';
    for (const v of values) lines.push(`${v}${name}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An address entry as TXT values: a range some formats allow becomes the CIDR blocks covering it. */
function ipValues(e: IntelEntry): string[] {
  if (e.ipStart === null || e.ipEnd === null) return [e.value];
  if (/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(e.value)) return [e.value];
  const out: string[] = [];
  let start = e.ipStart;
  while (start <= e.ipEnd) {
    let size = 1;
    // Grow the block while it stays aligned and inside the range.
    while (size < 2 ** 24 && start % (size * 2) === 0 && start + size * 2 - 1 <= e.ipEnd) size *= 2;
    const ip = [start >>> 24, (start >>> 16) & 255, (start >>> 8) & 255, start & 255].join('.');
    out.push(`${ip}/${32 - Math.log2(size)}`);
    start += size;
  }
  return out;
}
