import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file';
import { errnoOf, nodeFs, type WorkspaceFs } from './fs-seam';

/**
 * The recent-cases list, kept per user outside any case. Where it lives: `configDir` if given
 * (the desktop shell passes Electron's userData folder), else $LOUPE_CONFIG_DIR (tests, portable
 * installs), else the platform's usual config folder. A damaged list reads as empty and is
 * rewritten on the next open: it is a convenience, never a reason to fail.
 */
export const RECENT_FILE = 'recent-cases.json';
const MAX_RECENT = 20;

export interface ConfigDirOptions {
  configDir?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
  fs?: WorkspaceFs;
}

export function configDir(options: ConfigDirOptions = {}): string {
  if (options.configDir) return resolve(options.configDir);
  const env = options.env ?? process.env;
  if (env['LOUPE_CONFIG_DIR']) return resolve(env['LOUPE_CONFIG_DIR']);
  const home = options.home ?? homedir();
  switch (options.platform ?? process.platform) {
    case 'win32':
      return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'Loupe');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Loupe');
    default:
      return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), 'loupe');
  }
}

const entrySchema = z.object({
  dir: z.string().min(1).max(4096),
  name: z.string().max(200),
  openedAt: z.string().max(40),
});
const fileSchema = z.object({ version: z.literal(1), cases: z.array(entrySchema).max(1000) });

export interface RecentCase extends z.infer<typeof entrySchema> {
  /** Whether the folder is still there (cases on unplugged drives stay listed). */
  exists: boolean;
}

async function readList(options: ConfigDirOptions): Promise<Array<z.infer<typeof entrySchema>>> {
  const fs = options.fs ?? nodeFs;
  try {
    const parsed = fileSchema.safeParse(
      JSON.parse((await fs.readFile(join(configDir(options), RECENT_FILE))).toString('utf8')),
    );
    return parsed.success ? parsed.data.cases : [];
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || error instanceof SyntaxError) return [];
    throw error;
  }
}

async function writeList(cases: Array<z.infer<typeof entrySchema>>, options: ConfigDirOptions): Promise<void> {
  const fs = options.fs ?? nodeFs;
  const dir = configDir(options);
  await fs.mkdir(dir);
  await writeFileAtomic(join(dir, RECENT_FILE), JSON.stringify({ version: 1, cases }, null, 2) + '\n', fs);
}

/** Most recently opened first. */
export async function recentCases(options: ConfigDirOptions = {}): Promise<RecentCase[]> {
  return (await readList(options)).map((c) => ({ ...c, exists: existsSync(c.dir) }));
}

/** Moves (or adds) a case to the top of the list. */
export async function rememberCase(
  entry: { dir: string; name: string },
  options: ConfigDirOptions & { now?: Date } = {},
): Promise<void> {
  const dir = resolve(entry.dir);
  const rest = (await readList(options)).filter((c) => c.dir !== dir);
  const openedAt = (options.now ?? new Date()).toISOString();
  await writeList([{ dir, name: entry.name, openedAt }, ...rest].slice(0, MAX_RECENT), options);
}

export async function forgetCase(dir: string, options: ConfigDirOptions = {}): Promise<void> {
  const target = resolve(dir);
  const list = await readList(options);
  const kept = list.filter((c) => c.dir !== target);
  if (kept.length !== list.length) await writeList(kept, options);
}
