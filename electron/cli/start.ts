import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildIsStale } from './build-check';
import { EXIT_FAILED, REPO_ROOT, SAMPLE_CASE, stdio } from './common';
import { runServe } from './serve';

/**
 * `npm start`: build if needed, then the desktop app on the sample case; where Electron's
 * binary is missing and cannot be fetched (offline machines), web mode on the same case.
 */
const INSTALL_TIMEOUT_MS = 20_000;

function electronBinary(): string | null {
  const dir = join(REPO_ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function build(): boolean {
  const check = buildIsStale(REPO_ROOT);
  if (!check.stale) return true;
  stdio.err(`Building Loupe (${check.reason})...`);
  // Build chatter goes to stderr: stdout is kept for the one line other tools read.
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '-c', 'electron.config.ts'],
    { cwd: REPO_ROOT, stdio: ['ignore', process.stderr, process.stderr] },
  );
  if (result.status !== 0) {
    stdio.err('The build failed (see above); fix it or run `npm run build` to see the error again.');
    return false;
  }
  return true;
}

function tryInstallElectron(): string | null {
  const installer = join(REPO_ROOT, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return null;
  spawnSync(process.execPath, [installer], { cwd: REPO_ROOT, stdio: 'ignore', timeout: INSTALL_TIMEOUT_MS });
  return electronBinary();
}

async function start(): Promise<number> {
  if (!build()) return EXIT_FAILED;
  const casePaths = existsSync(SAMPLE_CASE) ? [SAMPLE_CASE] : [];
  const binary = electronBinary() ?? tryInstallElectron();
  if (binary) {
    const env = { ...process.env };
    delete env['ELECTRON_RUN_AS_NODE'];
    const child = spawn(binary, [REPO_ROOT, ...casePaths], { cwd: REPO_ROOT, stdio: 'inherit', env });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? EXIT_FAILED)));
  }
  stdio.err("Electron's binary is not installed and could not be downloaded (offline?): starting web mode instead.");
  return runServe(
    { paths: casePaths, port: 0, workspace: undefined, threatLists: [], trustedLists: [], open: true },
    stdio,
  );
}

start().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    stdio.err(`loupe start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT_FAILED;
  },
);
