import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The app's `resources/` folder (detections, intel, behaviour models), found by walking up from
 * this module: in the repo (`electron/engine/`), in the bundle (`out/main/`) and in a packaged
 * app, whose extraResources sit beside `app.asar`. A fixed relative path breaks as soon as the
 * engine is bundled into one file. `LOUPE_RESOURCES` overrides the search.
 */
function findResourcesDir(): string {
  const fromEnv = process.env['LOUPE_RESOURCES'];
  if (fromEnv) return fromEnv;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'detections'))) return join(dir, 'resources');
    if (existsSync(join(dir, 'detections')) && existsSync(join(dir, 'intel'))) return dir;
    if (dirname(dir) === dir) break;
  }
  // Not found: name where it was expected, so the error that follows points somewhere useful.
  return join(start, '..', '..', 'resources');
}

export const RESOURCES_DIR = findResourcesDir();

export function resourcePath(...parts: string[]): string {
  return join(RESOURCES_DIR, ...parts);
}
