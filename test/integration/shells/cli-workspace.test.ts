import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/errors';
import { writeTrail } from '../../unit/api/tiny-trail';
import { runCli, startCli, waitForLine } from './run-cli';

/**
 * The CLI keeping a case: `scan --workspace` (twice: the second run loads only what is new),
 * `--suppress` with GuardDuty filter JSON, `--notify` to a real command and a webhook on
 * 127.0.0.1, `loupe export <case>`, and `serve <case.loupe>`.
 */
const ROOT_TYPE = 'Policy:IAMUser/RootCredentialUsage';
let dir: string;
let hook: Server;
let hookUrl: string;
const posted: Array<{ detail: { id: string; type: string } }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-cli-ws-'));
  hook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      posted.push(JSON.parse(body) as (typeof posted)[number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/guardduty`;
});
afterAll(async () => {
  hook.closeAllConnections();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix)) ?? '';

describe('loupe scan --workspace, --suppress, --notify; loupe export; serve <case>', () => {
  it('keeps the case, suppresses and notifies, exports it, and serves it again', async () => {
    const logs = join(dir, 'logs');
    writeTrail(logs, { root: true, tag: 'one' });
    const ws = join(dir, 'acme');
    const filters = join(dir, 'filters.json');
    writeFileSync(
      filters,
      JSON.stringify({
        Name: 'Root is the break-glass account',
        Action: 'ARCHIVE',
        FindingCriteria: { Criterion: { type: { Eq: [ROOT_TYPE] }, accountId: { Eq: ['111122223333'] } } },
      }),
    );
    const events = join(dir, 'events.jsonl');
    const notify = join(dir, 'notify.json');
    writeFileSync(
      notify,
      JSON.stringify([
        {
          name: 'log',
          action: {
            kind: 'command',
            command: [
              process.execPath,
              '-e',
              "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>require('node:fs').appendFileSync(process.argv[1],s))",
              events,
            ],
          },
        },
        { name: 'hook', filter: { minSeverity: 1 }, action: { kind: 'webhook', url: hookUrl } },
      ]),
    );

    // 1. Scan without suppression, keeping the case: the root finding is live and notified.
    const out = join(dir, 'findings.json');
    const first = await runCli(['scan', logs, '--workspace', ws, '--notify', notify, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const caseDir = `${ws}.loupe`;
    expect(first.stdout).toContain(`Case: ${caseDir}`);
    for (const file of ['case.json', 'case.duckdb', 'manifest.json'])
      expect(existsSync(join(caseDir, file))).toBe(true);
    const findings = JSON.parse(readFileSync(out, 'utf8')) as Array<{ id: string; type: string }>;
    const root = findings.find((f) => f.type === ROOT_TYPE);
    expect(root).toBeDefined();
    expect(line(first.stdout, 'Notify: log')).toMatch(/^Notify: log \(command .*\): sent \d+ of \d+ findings$/);
    const sent = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as (typeof posted)[number]);
    expect(sent.map((e) => e.detail.id)).toEqual(findings.map((f) => f.id));
    expect(posted.map((e) => e.detail.id)).toContain(root?.id);

    // 2. Same folder plus one new file, with a suppression file: only the new file loads, the
    // root finding is archived, left out of the findings file, and not notified again.
    writeTrail(logs, { tag: 'two' });
    posted.length = 0;
    const second = await runCli(['scan', logs, '--workspace', ws, '--suppress', filters, '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    expect(line(second.stdout, 'Files:')).toMatch(/^Files: 2 seen, 1 loaded, 0 skipped, 0 failed, 1 duplicate$/);
    expect(line(second.stdout, 'Suppressed:')).toBe('Suppressed: 1 findings archived by suppression rules');
    const after = JSON.parse(readFileSync(out, 'utf8')) as Array<{ type: string }>;
    expect(after.map((f) => f.type)).not.toContain(ROOT_TYPE);
    expect(posted.map((e) => e.detail.type)).not.toContain(ROOT_TYPE);
    const state = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as {
      suppressionRules: Array<{ name: string }>;
      notifications: Array<{ name: string }>;
    };
    expect(state.suppressionRules.map((r) => r.name)).toEqual(['Root is the break-glass account']);
    expect(state.notifications.map((r) => r.name)).toEqual(['log', 'hook']);

    // 3. loupe export on the saved case: any format; archived findings only when asked.
    const csv = join(dir, 'findings.csv');
    const exported = await runCli(['export', caseDir, '--out', csv]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^Wrote \d+ findings to .*findings\.csv \(csv\)$/m);
    expect(readFileSync(csv, 'utf8')).not.toContain(ROOT_TYPE);
    const again = await runCli(['export', caseDir, '--out', csv]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const withArchived = await runCli(['export', ws, '--out', '-', '--format', 'jsonl', '--include-archived']);
    expect(withArchived.code, withArchived.stderr).toBe(0);
    const lines = withArchived.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; service: { archived: boolean } });
    expect(lines.find((f) => f.type === ROOT_TYPE)?.service.archived).toBe(true);
    const playbook = join(dir, 'playbook.sh');
    expect((await runCli(['export', caseDir, '--out', playbook])).code).toBe(0);
    expect(readFileSync(playbook, 'utf8')).toMatch(/^#!\/usr\/bin\/env bash/);

    // 4. serve <case.loupe> reopens the case without loading anything.
    const child = startCli(['serve', caseDir, '--port', '0']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const [, url = '', port = '', token = ''] = await waitForLine(
        child,
        /^Loupe web mode: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/,
      );
      expect(url).toContain(token);
      const api = async <T>(channel: string, body: unknown = {}): Promise<Result<T>> => {
        const res = await fetch(`http://127.0.0.1:${port}/api/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        return (await res.json()) as Result<T>;
      };
      expect(await api('jobs:list')).toEqual({ ok: true, value: [] });
      expect(await api('case:info')).toMatchObject({ ok: true, value: { case: { dir: caseDir, name: 'acme' } } });
      const listed = await api<{ total: number }>('findings:list', { filter: { archived: 'only' } });
      expect(listed).toMatchObject({ ok: true, value: { total: 1 } });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    // The case is still there and no longer locked.
    expect(existsSync(join(caseDir, 'case.duckdb'))).toBe(true);
    expect(existsSync(join(caseDir, 'case.lock'))).toBe(false);
  });
});
