/**
 * `npm test`: everything CI runs, in the house order (format, lint, typecheck, unit and
 * detection tests, build, integration, end-to-end). Every step runs even when an earlier one
 * failed (except e2e after a failed build), so one run shows all that is wrong; the exit code
 * is non-zero if anything failed. The last line is the plain `N passed, N failed` count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'test', '.cache', 'reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  passed: number;
  failed: number;
  skipped: boolean;
}

const results: StepResult[] = [];
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

function step(
  name: string,
  command: string,
  args: string[],
  count?: () => { passed: number; failed: number },
  env: NodeJS.ProcessEnv = {},
): boolean {
  process.stdout.write(`\n=== ${name}: ${[command, ...args].map((a) => a.replace(root + '/', '')).join(' ')}\n`);
  const started = Date.now();
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = run.status === 0;
  let passed: number;
  let failed: number;
  if (count) {
    try {
      ({ passed, failed } = count());
    } catch {
      // A runner that crashed before writing its report counts as one failure.
      passed = 0;
      failed = ok ? 0 : 1;
    }
  } else {
    passed = ok ? 1 : 0;
    failed = ok ? 0 : 1;
  }
  if (!ok && failed === 0) failed = 1;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000, passed, failed, skipped: false });
  return ok;
}

function vitestCount(file: string) {
  return () => {
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    return {
      passed: report.numPassedTests,
      failed: report.numFailedTests + report.numPendingTests + report.numTodoTests,
    };
  };
}

function playwrightCount(file: string) {
  return () => {
    const report = JSON.parse(readFileSync(file, 'utf8')) as {
      stats: { expected: number; unexpected: number; flaky: number; skipped: number };
    };
    return {
      passed: report.stats.expected + report.stats.flaky,
      failed: report.stats.unexpected + report.stats.skipped,
    };
  };
}

const vitestConfig = join('test', 'vitest.config.ts');

step('format', bin('prettier'), ['--check', '.']);
step('lint', bin('eslint'), ['-c', '.config/eslint.config.ts', '--max-warnings', '0', '.']);
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
const unitReport = join(reports, 'unit.json');
step(
  'unit + detections',
  bin('vitest'),
  [
    'run',
    '-c',
    vitestConfig,
    '--project',
    'unit',
    '--project',
    'detections',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${unitReport}`,
  ],
  vitestCount(unitReport),
);
const built = step('build', bin('electron-vite'), ['build', '-c', 'electron.config.ts']);
const integrationReport = join(reports, 'integration.json');
step(
  'integration',
  bin('vitest'),
  [
    'run',
    '-c',
    vitestConfig,
    '--project',
    'integration',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${integrationReport}`,
  ],
  vitestCount(integrationReport),
);
const e2eReport = join(reports, 'e2e.json');
if (!built) {
  results.push({ name: 'e2e', ok: false, seconds: 0, passed: 0, failed: 1, skipped: true });
} else if (!existsSync('/usr/bin/chromium')) {
  process.stdout.write(
    '\n=== e2e: /usr/bin/chromium is missing. Install it with `apt-get install -y chromium` (.ci/run does).\n',
  );
  results.push({ name: 'e2e', ok: false, seconds: 0, passed: 0, failed: 1, skipped: true });
} else {
  step(
    'e2e',
    bin('playwright'),
    ['test', '-c', join('test', 'e2e', 'playwright.config.ts'), '--reporter=list,json'],
    playwrightCount(e2eReport),
    { PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport },
  );
}

process.stdout.write('\n=== summary\n');
for (const r of results) {
  const state = r.skipped ? 'NOT RUN' : r.ok ? 'ok' : 'FAILED';
  process.stdout.write(
    `${r.name.padEnd(20)} ${state.padEnd(8)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed ${r.seconds.toFixed(1).padStart(7)} s\n`,
  );
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
