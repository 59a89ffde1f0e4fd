import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notificationRuleSchema, type NotificationRuleInput } from '../../../shared/api/schemas';
import type { Database } from '../../../electron/engine/db/database';
import type { JobContext } from '../../../electron/engine/jobs/job-registry';
import { notifyFindings } from '../../../electron/engine/notify/notify';
import { readNotificationRules } from '../../../electron/engine/notify/rules-file';
import { notifiableFindings } from '../../../electron/engine/notify/select';
import { postWebhook, runCommand } from '../../../electron/engine/notify/send';
import { addFinding, openCaseDb } from '../api/case-fixture';

/**
 * Notifications against real receivers: a node process reading the event on stdin (spawned
 * without a shell) and an HTTP server on 127.0.0.1. Nothing leaves loopback.
 */
let db: Database;
let dir: string;
const RUN = '2024-05-10T00:00:00.000Z';

/** A command that appends what it reads on stdin (one line per event) to `file`. */
function recorder(file: string): string[] {
  return [
    process.execPath,
    '-e',
    `let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{require('node:fs').appendFileSync(process.argv[1],s);if(s.includes('"FAIL"'))process.exit(3)})`,
    file,
  ];
}

function ctx(): JobContext & { controller: AbortController } {
  const controller = new AbortController();
  return { controller, signal: controller.signal, report: () => undefined };
}

function rule(input: Omit<NotificationRuleInput, 'id' | 'name'> & { name?: string }) {
  return notificationRuleSchema.parse({ id: input.name ?? 'r', name: input.name ?? 'r', ...input });
}

interface Receiver {
  url: string;
  bodies: unknown[];
  headers: IncomingMessage['headers'][];
  status: number;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const r = { bodies: [] as unknown[], headers: [] as IncomingMessage['headers'][], status: 200 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      r.bodies.push(JSON.parse(body));
      r.headers.push(req.headers);
      res.writeHead(r.status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(r, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-notify-'));
  db = await openCaseDb();
  const seen = { firstSeen: '2024-05-01T00:00:00Z', lastSeen: '2024-05-01T01:00:00Z' };
  await addFinding(db, { id: 'high', type: 'Backdoor:EC2/C&CActivity.B!DNS', severity: 8, ...seen });
  await addFinding(db, { id: 'med', type: 'Recon:IAMUser/MaliciousIPCaller', severity: 5, ...seen });
  await addFinding(db, {
    id: 'other-account',
    type: 'Recon:IAMUser/TorIPCaller',
    severity: 5,
    account: '444455556666',
    ...seen,
  });
  await addFinding(db, { id: 'archived', type: 'Recon:IAMUser/TorIPCaller', severity: 9, archived: true, ...seen });
  await addFinding(db, { id: 'old', type: 'Recon:IAMUser/TorIPCaller', severity: 9, ...seen });
  // Updated by "this run" except `old`, which an earlier run produced.
  await db.run(`UPDATE findings SET updated_at = CAST($t AS TIMESTAMPTZ) WHERE id <> 'old'`, { t: RUN });
  await db.run(`UPDATE findings SET updated_at = TIMESTAMPTZ '2024-01-01 00:00:00+00' WHERE id = 'old'`);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('which findings a rule sends', () => {
  const ids = async (filter: Parameters<typeof notifiableFindings>[1]) =>
    (await notifiableFindings(db, filter, RUN, 100)).findings.map((f) => f.id);

  it("sends only this run's findings, never archived ones, most severe first", async () => {
    expect(await ids({})).toEqual(['high', 'med', 'other-account']);
  });

  it('filters by severity label, minimum severity, type (with * wildcard) and account', async () => {
    expect(await ids({ severities: ['High'] })).toEqual(['high']);
    expect(await ids({ minSeverity: 6 })).toEqual(['high']);
    expect(await ids({ types: ['Recon:*'] })).toEqual(['med', 'other-account']);
    // GuardDuty type names hold glob-special characters; they match themselves.
    expect(await ids({ types: ['Backdoor:EC2/C&CActivity.B!DNS'] })).toEqual(['high']);
    expect(await ids({ accounts: ['444455556666'] })).toEqual(['other-account']);
  });

  it('caps what is read and says how many matched', async () => {
    const result = await notifiableFindings(db, {}, RUN, 1);
    expect(result.total).toBe(3);
    expect(result.findings.map((f) => f.id)).toEqual(['high']);
  });
});

describe('sending', () => {
  it('runs a real command without a shell, the event on stdin', async () => {
    const out = join(dir, 'events.jsonl');
    await runCommand(recorder(out), '{"a":1}\n', { timeoutMs: 10_000 });
    expect(readFileSync(out, 'utf8')).toBe('{"a":1}\n');
    // An argument a shell would expand arrives exactly as written: there is no shell.
    const argFile = join(dir, 'arg.txt');
    const writeArg = `require('node:fs').writeFileSync(process.argv[1], process.argv[2])`;
    await runCommand([process.execPath, '-e', writeArg, argFile, '$(echo hi) `id` ; x'], '', { timeoutMs: 10_000 });
    expect(readFileSync(argFile, 'utf8')).toBe('$(echo hi) `id` ; x');
  });

  it('reports a non-zero exit, a missing program and a timeout as NOTIFY_FAILED', async () => {
    await expect(runCommand(recorder(join(dir, 'x')), '"FAIL"', { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'NOTIFY_FAILED',
      message: expect.stringContaining('exited with 3'),
    });
    await expect(runCommand([join(dir, 'no-such-program')], '', { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'NOTIFY_FAILED',
      hint: expect.stringContaining('without a shell'),
    });
    await expect(
      runCommand([process.execPath, '-e', 'setInterval(() => {}, 1000)'], '', { timeoutMs: 300 }),
    ).rejects.toMatchObject({ code: 'NOTIFY_FAILED', message: expect.stringContaining('ran over 300 ms') });
  });

  it('POSTs JSON to a webhook on 127.0.0.1 and fails clearly on a non-2xx answer or a dead port', async () => {
    const hook = await receiver();
    try {
      expect(await postWebhook(hook.url, '{"x":1}', { timeoutMs: 5000, headers: { 'X-Token': 't0k' } })).toEqual({
        status: 200,
      });
      expect(hook.bodies).toEqual([{ x: 1 }]);
      expect(hook.headers[0]?.['x-token']).toBe('t0k');
      expect(hook.headers[0]?.['content-type']).toBe('application/json');
      hook.status = 500;
      await expect(postWebhook(hook.url, '{}', { timeoutMs: 5000 })).rejects.toMatchObject({
        code: 'NOTIFY_FAILED',
        message: expect.stringContaining('answered 500'),
      });
    } finally {
      await hook.close();
    }
    await expect(postWebhook(hook.url, '{}', { timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'NOTIFY_FAILED',
      message: expect.stringContaining('could not be reached'),
    });
    await expect(postWebhook('http://user:pw@127.0.0.1:1/', '{}', { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('notifyFindings', () => {
  it('sends each matching finding of the run as one EventBridge event, to a command and a webhook', async () => {
    const out = join(dir, 'events.jsonl');
    const hook = await receiver();
    try {
      const reports = await notifyFindings(
        db,
        [
          rule({ name: 'cmd', filter: { minSeverity: 5 }, action: { kind: 'command', command: recorder(out) } }),
          rule({ name: 'hook', filter: { severities: ['High'] }, action: { kind: 'webhook', url: hook.url } }),
          rule({ name: 'off', enabled: false, action: { kind: 'webhook', url: hook.url } }),
          rule({ name: 'capped', maxEventsPerRun: 1, action: { kind: 'webhook', url: hook.url } }),
        ],
        RUN,
        ctx(),
      );
      expect(reports.map((r) => [r.name, r.matched, r.sent, r.failed, r.skipped])).toEqual([
        ['cmd', 3, 3, 0, 0],
        ['hook', 1, 1, 0, 0],
        ['capped', 3, 1, 0, 2],
      ]);
      const events = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { source: string; 'detail-type': string; account: string; detail: { id: string } },
        );
      expect(events.map((e) => e.detail.id)).toEqual(['high', 'med', 'other-account']);
      expect(events[0]).toMatchObject({ source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', version: '0' });
      expect(events[2]?.account).toBe('444455556666');
      expect(hook.bodies[0]).toMatchObject({ detail: { id: 'high', type: 'Backdoor:EC2/C&CActivity.B!DNS' } });
      expect(reports[0]?.target).toMatch(/^command /);
      expect(reports[1]?.target).toBe(`webhook ${hook.url}`);
    } finally {
      await hook.close();
    }
  });

  it('counts failures and goes on; reports the first reasons', async () => {
    const hook = await receiver();
    hook.status = 503;
    try {
      const [report] = await notifyFindings(
        db,
        [rule({ name: 'down', action: { kind: 'webhook', url: hook.url, timeoutMs: 5000 } })],
        RUN,
        ctx(),
      );
      expect(report).toMatchObject({ matched: 3, sent: 0, failed: 3 });
      expect(report?.errors[0]).toMatch(/^high: .*answered 503/);
    } finally {
      await hook.close();
    }
  });
});

describe('notification rules files', () => {
  it('reads one rule, a list or { rules }, giving ids from names, and names the file on errors', async () => {
    const file = join(dir, 'notify.json');
    writeFileSync(
      file,
      JSON.stringify({
        rules: [
          { name: 'Pager Duty!', filter: { severities: ['High'] }, action: { kind: 'webhook', url: 'https://x' } },
        ],
      }),
    );
    const [parsed] = await readNotificationRules(file);
    expect(parsed).toMatchObject({ id: 'pager-duty', enabled: true, maxEventsPerRun: 100 });
    expect(parsed?.action).toMatchObject({ kind: 'webhook', timeoutMs: 10_000 });

    writeFileSync(file, JSON.stringify([{ name: 'x', action: { kind: 'command', command: [] } }]));
    await expect(readNotificationRules(file)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`${file}: rule 1 is not valid: action.command`),
    });
  });
});
