import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toErrorShape } from '../../shared/errors';

/** Exit codes: 0 ran (findings or not), 1 unusable input or failed run, 2 bad command line. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLE_CASE = resolve(REPO_ROOT, 'resources', 'sample-case');

export class UsageError extends Error {}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Local paths must exist; s3:// URIs and globs are resolved by the engine. */
export function missingPaths(paths: string[]): string[] {
  return paths.filter((p) => !/^s3:\/\//i.test(p) && !/[*?[]/.test(p) && !existsSync(p));
}

export function printError(io: Output, command: string, error: unknown): void {
  const shape = toErrorShape(error);
  io.err(`loupe ${command}: ${shape.message}`);
  if (shape.hint) io.err(`  hint: ${shape.hint}`);
}
