import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoupeError } from '../../../shared/errors';
import type { Database, QueryOptions } from '../db/database';
import { ListBuilder, type ParsedList } from './entries';
import { parseTxt } from './formats';
import { INTEL_CATEGORIES, loadIntelText, type IntelCategory, type IntelListInfo } from './lists';
import { resourcePath } from '../resources-dir';

/** resources/intel, wherever the engine runs from (repo, bundle or packaged app). */
export const BUNDLED_INTEL_DIR = resourcePath('intel');

export interface BundledHeader {
  name: string;
  category: IntelCategory;
  kind: 'threat' | 'trusted';
  compiled: string;
}

/** Reads the `# key: value` header every bundled list starts with. */
export function readBundledHeader(text: string, file: string): BundledHeader {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*([a-z-]+):\s*(.+)$/.exec(line);
    if (m?.[1] && m[2] && !fields.has(m[1])) fields.set(m[1], m[2].trim());
  }
  const name = fields.get('list');
  const category = fields.get('category');
  const kind = fields.get('kind') ?? 'threat';
  const compiled = fields.get('compiled');
  const problem = !name
    ? 'no "# list:" header'
    : !category || !(INTEL_CATEGORIES as readonly string[]).includes(category)
      ? `"# category:" must be one of ${INTEL_CATEGORIES.join(', ')}`
      : kind !== 'threat' && kind !== 'trusted'
        ? '"# kind:" must be threat or trusted'
        : !compiled
          ? 'no "# compiled:" header (date and who compiled it)'
          : null;
  if (problem || !name || !compiled) {
    throw new LoupeError('INTEL_INVALID', `Bundled list ${file}: ${problem ?? 'bad header'}.`, {
      hint: 'See resources/intel/README.md for the header format.',
    });
  }
  return { name, category: category as IntelCategory, kind: kind as 'threat' | 'trusted', compiled };
}

/** User-agent pattern lists: one RE2 pattern per line, ` # name` after it. */
export function parseUaPatterns(text: string): ParsedList {
  const out = new ListBuilder();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const hash = line.search(/\s#\s/);
    const pattern = (hash >= 0 ? line.slice(0, hash) : line).trim();
    const name =
      hash >= 0
        ? line
            .slice(hash)
            .replace(/^\s*#\s*/, '')
            .trim()
        : null;
    if (!name) {
      out.error(i + 1, raw, 'a user-agent pattern needs " # <distribution name>" after it');
      return;
    }
    out.add(
      {
        ok: true,
        entry: { entryType: 'ua_pattern', value: pattern, ipStart: null, ipEnd: null, domain: null, wildcard: false },
      },
      i + 1,
      raw,
      name,
    );
  });
  return out.result;
}

/**
 * Loads every list in resources/intel that is not already loaded at the same content hash.
 * Bundled lists are reference data the rules join on; a broken one is reported, not fatal.
 */
export async function loadBundledIntel(
  db: Database,
  options: QueryOptions & { dir?: string } = {},
): Promise<{ loaded: IntelListInfo[]; unchanged: string[]; failed: Array<{ file: string; error: string }> }> {
  const dir = options.dir ?? BUNDLED_INTEL_DIR;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
  const existing = new Map(
    (
      await db.all<{ list_name: string; sha256: string }>(
        `SELECT list_name, sha256 FROM intel_lists WHERE bundled`,
        undefined,
        options,
      )
    ).map((r) => [r.list_name, r.sha256]),
  );
  const loaded: IntelListInfo[] = [];
  const unchanged: string[] = [];
  const failed: Array<{ file: string; error: string }> = [];
  for (const file of files) {
    const path = join(dir, file);
    try {
      const bytes = readFileSync(path);
      const text = bytes.toString('utf8');
      const header = readBundledHeader(text, path);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (existing.get(header.name) === sha) {
        unchanged.push(header.name);
        continue;
      }
      const parsed = header.category === 'pentest-ua' ? parseUaPatterns(text) : parseTxt(text);
      const info = await loadIntelText(db, text, header.kind, {
        name: header.name,
        path,
        sha256: sha,
        category: header.category,
        bundled: true,
        format: 'TXT',
        parsed,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      loaded.push(info);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failed.push({ file: path, error: (error as Error).message });
    }
  }
  return { loaded, unchanged, failed };
}
