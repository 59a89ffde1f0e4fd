import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Whether `out/` must be rebuilt: an expected output is missing, or any source file is newer
 * than the oldest output. Sources are the three sections, shared/, and the build config.
 */
export const BUILD_OUTPUTS = ['out/main/index.js', 'out/renderer/index.html'];
const PRELOAD_OUTPUTS = ['out/preload/index.mjs', 'out/preload/index.js', 'out/preload/index.cjs'];
const SOURCE_DIRS = ['electron/main', 'electron/preload', 'electron/engine', 'renderer', 'shared'];
const SOURCE_FILES = ['electron.config.ts', 'package.json'];

export function buildIsStale(root: string): { stale: boolean; reason: string } {
  const outputs = BUILD_OUTPUTS.map((p) => join(root, p));
  const preload = PRELOAD_OUTPUTS.map((p) => join(root, p)).find((p) => existsSync(p));
  const missing = outputs.find((p) => !existsSync(p)) ?? (preload ? undefined : join(root, 'out/preload/index.*'));
  if (missing) return { stale: true, reason: `${missing} is missing` };
  const oldestOutput = Math.min(...[...outputs, preload as string].map((p) => statSync(p).mtimeMs));
  const newer = newestSource(root);
  if (newer && newer.mtimeMs > oldestOutput)
    return { stale: true, reason: `${newer.path} changed since the last build` };
  return { stale: false, reason: 'up to date' };
}

function newestSource(root: string): { path: string; mtimeMs: number } | null {
  let newest: { path: string; mtimeMs: number } | null = null;
  const consider = (path: string) => {
    const mtimeMs = statSync(path).mtimeMs;
    if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  };
  for (const file of SOURCE_FILES) if (existsSync(join(root, file))) consider(join(root, file));
  for (const dir of SOURCE_DIRS) {
    const base = join(root, dir);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && !entry.name.endsWith('.md')) consider(join(entry.parentPath, entry.name));
    }
  }
  return newest;
}
