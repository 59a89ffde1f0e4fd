import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the real CLI (`tsx electron/cli/main.ts`) as a child process, as `npm run scan` does. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'electron', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The recent-cases list of CLI runs goes to a temp folder, never the user's config. */
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'loupe-cli-config-'));
process.once('exit', () => rmSync(CONFIG_DIR, { recursive: true, force: true }));

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(TSX, [MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, BROWSER: '', LOUPE_CONFIG_DIR: CONFIG_DIR, ...env },
  });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = startCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Resolves with the first stdout line matching `pattern` (the process keeps running). */
export function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolveLine, reject) => {
    let buffer = '';
    let stderr = '';
    const onData = (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split('\n')) {
        const match = pattern.exec(line);
        if (match) {
          child.stdout.off('data', onData);
          resolveLine(match);
          return;
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${stderr}`)));
  });
}
