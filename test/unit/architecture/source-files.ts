import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Source scanning helpers for the architecture tests. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

/** Repo-relative, '/'-separated paths of the source files under `dirs`. */
export function sourceFiles(...dirs: string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    const base = join(ROOT, dir);
    let entries;
    try {
      entries = readdirSync(base, { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isFile() || !SOURCE.test(e.name) || e.name.endsWith('.d.ts')) continue;
      const path = relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/');
      if (path.includes('node_modules/')) continue;
      files.push(path);
    }
  }
  return files.sort();
}

export function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** Drops comments so examples in doc comments are not taken for code. */
export function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Every module specifier a file imports, re-exports, dynamically imports or requires. */
export function importsOf(code: string): string[] {
  const text = stripComments(code);
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) found.push(m[1]);
  return found;
}

/** A relative specifier resolved to a repo-relative path (no extension); bare specifiers unchanged. */
export function resolveSpecifier(fromFile: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return relative(ROOT, resolve(ROOT, dirname(fromFile), specifier))
    .split(sep)
    .join('/');
}
