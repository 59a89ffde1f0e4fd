import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/errors';
import { writeTrail } from '../../unit/api/tiny-trail';
import { runCli, startCli, waitForLine } from './run-cli';

/** `loupe serve` end to end: the printed URL, the API behind the token, and a clean stop. */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-cli-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loupe serve', () => {
  it('prints one URL line, loads the case, answers the API with the token, and stops on SIGTERM', async () => {
    const evidence = writeTrail(join(dir, 'logs'), { root: true }).dir;
    const child = startCli(['serve', evidence, '--port', '0']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const match = await waitForLine(
        child,
        /^Loupe web mode: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/,
      );
      const [, url = '', port = '', token = ''] = match;
      expect(new URL(url).searchParams.get('token')).toBe(token);

      const api = async <T>(
        channel: string,
        body: unknown = {},
        auth = token,
      ): Promise<{ status: number; envelope: Result<T> }> => {
        const res = await fetch(`http://127.0.0.1:${port}/api/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, envelope: (await res.json()) as Result<T> };
      };

      expect((await api('app:info', {}, 'wrong')).status).toBe(401);

      // Wait on the condition (the load job finishing), not on time.
      const jobs = await api<Array<{ jobId: string }>>('jobs:list');
      expect(jobs.envelope.ok).toBe(true);
      const jobId = jobs.envelope.ok ? jobs.envelope.value[0]?.jobId : undefined;
      expect(jobId).toBeDefined();
      let status = 'running';
      while (status === 'running') {
        const info = await api<{ status: string }>('jobs:get', { jobId });
        status = info.envelope.ok ? info.envelope.value.status : 'error';
      }
      expect(status).toBe('ok');

      const findings = await api<{ total: number; rows: Array<{ type: string }> }>('findings:list');
      expect(findings.envelope.ok && findings.envelope.value.rows.map((r) => r.type)).toContain(
        'Policy:IAMUser/RootCredentialUsage',
      );
      expect(stderr).toContain('Case loaded:');
      const info = await api<{ workspaceDir: string }>('case:summary');
      const workspace = info.envelope.ok ? info.envelope.value.workspaceDir : '';
      expect(existsSync(workspace)).toBe(true);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The temp workspace goes with the process.
      expect(existsSync(workspace)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 1 naming a path that does not exist, and 2 for a bad port', async () => {
    const missing = await runCli(['serve', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file or folder');
    const badPort = await runCli(['serve', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port must be');
  });
});
