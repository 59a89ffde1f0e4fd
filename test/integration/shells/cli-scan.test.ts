import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCase, type GeneratedCase } from '../../fixtures/generator/index';
import { runCli } from './run-cli';

/** `loupe scan` end to end on a generated case in the AWS key layout. */
let dir: string;
let generated: GeneratedCase;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-cli-scan-'));
  generated = await generateCase({
    outDir: join(dir, 'case'),
    seed: 11,
    start: '2024-05-01',
    days: 1,
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    cloudtrail: { eventsPerDay: 600 },
    vpcflow: false,
    dns: false,
    scenarios: ['root-credential-usage', 'cloudtrail-stop-logging'],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Finding {
  schemaVersion: string;
  id: string;
  type: string;
  accountId: string;
  severity: number;
  service: { count: number };
}

describe('loupe scan', () => {
  it('loads, detects, summarises and writes the GuardDuty findings', async () => {
    const out = join(dir, 'findings.json');
    const threat = join(generated.outDir, generated.intel.threatList ?? '');
    const result = await runCli(['scan', generated.outDir, '--threat-list', threat, '--out', out]);
    expect(result.code, result.stderr).toBe(0);

    const lines = result.stdout.split('\n');
    const line = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? '';
    expect(line('Files:')).toMatch(/^Files: \d+ seen, \d+ loaded, \d+ skipped, 0 failed, 0 duplicate$/);
    const events = /^Events: (\d+) loaded \(CloudTrail (\d+), VPC flow 0, DNS 0\)$/.exec(line('Events:'));
    expect(Number(events?.[2])).toBe(generated.counts.cloudtrail);
    expect(line('Intel:')).toContain('threat list');
    expect(line('Detections:')).toMatch(/^Detections: \d+ rules/);
    expect(line('Findings:')).toMatch(/^Findings: \d+ \(Critical \d+, High \d+, Medium \d+, Low \d+\)$/);
    expect(line('Elapsed:')).toMatch(/^Elapsed: \d+\.\d s$/);
    // Digest files hold no events: skipped with a reason, grouped into one line.
    expect(result.stdout).toMatch(/Skipped \d+ files: CloudTrail digest file/);
    // Progress goes to stderr, never into the summary.
    expect(result.stderr).toContain('[detect]');
    expect(result.stdout).not.toContain('[detect]');

    const findings = JSON.parse(readFileSync(out, 'utf8')) as Finding[];
    expect(line('Findings:')).toContain(`Findings: ${findings.length} `);
    for (const scenario of generated.scenarios) {
      const match = findings.find((f) => f.type === scenario.findingType && f.accountId === scenario.accountId);
      expect(match, scenario.name).toBeDefined();
      expect(result.stdout).toContain(scenario.findingType);
    }
    for (const f of findings) {
      expect(f.schemaVersion).toBe('2.0');
      expect(f.severity).toBeGreaterThan(0);
      expect(f.service.count).toBeGreaterThan(0);
    }
    // Most severe first.
    expect(findings.map((f) => f.severity)).toEqual([...findings.map((f) => f.severity)].sort((a, b) => b - a));
  });

  it('writes JSON lines to stdout with --out -, moving the summary to stderr', async () => {
    const result = await runCli(['scan', generated.outDir, '--out', '-', '--format', 'jsonl']);
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.trim().split('\n');
    const findings = rows.map((r) => JSON.parse(r) as Finding);
    expect(findings.map((f) => f.type)).toContain('Policy:IAMUser/RootCredentialUsage');
    expect(result.stderr).toMatch(/^Findings: /m);
    expect(result.stdout).not.toContain('Findings:');
  });

  it('exits 1 naming the path when it does not exist', async () => {
    const missing = join(dir, 'no-such-folder');
    const result = await runCli(['scan', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no such file or folder: ${missing}`);
    expect(result.stdout).toBe('');
  });

  it('exits 1 with the reason when nothing in the input is a log', async () => {
    const junk = join(dir, 'junk');
    mkdirSync(junk, { recursive: true });
    writeFileSync(join(junk, 'readme.txt'), 'hello');
    const result = await runCli(['scan', junk]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/loupe scan: Nothing to load from .*junk/);
    expect(result.stderr).toContain('hint:');
  });

  it('prints help with exit 0 and refuses bad options with exit 2 (more cases in test/unit/api/cli.test.ts)', async () => {
    const help = await runCli(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: loupe scan <path>...');

    const badOption = await runCli(['scan', dir, '--frobnicate']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Run 'loupe scan --help'");
  });
});
