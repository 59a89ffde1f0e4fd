import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { webProtocol, type WebEventMessage } from '../../../shared/api/contract';
import { createEngine, type Engine } from '../../../electron/engine/api';
import { startWebServer, type WebServer } from '../../../electron/server/server';

/** Web mode over real HTTP on 127.0.0.1, with a real engine behind it. */
let engine: Engine;
let server: WebServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loupe-server-test-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Loupe</title><div id="root"></div>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("loupe")');
  writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
  engine = await createEngine({ shell: 'web', configDir: join(dir, 'config') });
  server = await startWebServer({ engine, rendererDir: renderer });
});

afterAll(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, so Host and Origin can be set to anything. */
function call(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const api = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('web server', () => {
  it('listens on loopback and prints a tokenised page URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(40);
    expect(webProtocol.apiPath('findings:list')).toBe('/api/findings%3Alist');
  });

  it('answers a valid call with the ok envelope', async () => {
    const reply = await api('app:info', {});
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      ok: true,
      value: { version: expect.any(String), shell: 'web', caseOpen: false, caseDir: null },
    });
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it('refuses a missing or wrong token with 401', async () => {
    const none = await call('/api/app%3Ainfo', { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const wrong = await api('app:info', {}, { Authorization: `Bearer ${server.token}x` });
    expect(wrong.status).toBe(401);
  });

  it('refuses another Origin with 403, and accepts its own', async () => {
    const foreign = await api('app:info', {}, { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const sameHostOtherPort = await api('app:info', {}, { Origin: `http://127.0.0.1:${server.port + 1}` });
    expect(sameHostOtherPort.status).toBe(403);
    const own = await api('app:info', {}, { Origin: server.origin });
    expect(own.status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403, even with the token', async () => {
    const rebound = await api('app:info', {}, { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    const page = await call('/', { headers: { Host: 'evil.example' } });
    expect(page.status).toBe(403);
    const localhost = await api('app:info', {}, { Host: `localhost:${server.port}` });
    expect(localhost.status).toBe(200);
  });

  it('answers an unknown channel with a 404 envelope', async () => {
    for (const name of ['findings:delete', 'toString', '__proto__']) {
      const reply = await api(name, {});
      expect(reply.status, name).toBe(404);
      expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
  });

  it('answers bad input with the INVALID_INPUT envelope', async () => {
    const schema = await api('findings:list', { limit: 0, sort: { by: 'DROP TABLE findings', dir: 'asc' } });
    expect(schema.status).toBe(200);
    expect(JSON.parse(schema.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const notJson = await api('findings:list', '{"limit":');
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const wrongType = await api('case:open', '"a string"');
    expect(JSON.parse(wrongType.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('reports engine errors in the envelope (no case open yet)', async () => {
    const reply = await api('findings:list', {});
    expect(JSON.parse(reply.body)).toMatchObject({
      ok: false,
      error: { code: 'NO_CASE_OPEN', hint: expect.any(String) },
    });
  });

  it('takes only POST on the API', async () => {
    const reply = await call('/api/app%3Ainfo', { headers: { Authorization: `Bearer ${server.token}` } });
    expect(reply.status).toBe(405);
  });

  it('serves the renderer without a token, with a strict CSP, and nothing outside it', async () => {
    const page = await call('/?token=whatever');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const asset = await call('/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    // Client-side routes fall back to the page; missing assets do not.
    expect((await call('/findings/abc')).body).toContain('<div id="root">');
    expect((await call('/assets/missing.js')).status).toBe(404);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const reply = await call(path);
      expect(reply.body, path).not.toContain('outside the renderer');
    }
  });
});

describe('web server events', () => {
  const connect = (query: string, headers: Record<string, string> = {}) =>
    new WebSocket(`ws://127.0.0.1:${server.port}${webProtocol.eventsPath}${query}`, { headers });

  /** Resolves with the HTTP status the upgrade was refused with. */
  const refusal = (ws: WebSocket) =>
    new Promise<number>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('the socket opened')));
      ws.on('error', () => undefined);
    });

  it('refuses a socket without the token (401) or from another origin (403)', async () => {
    expect(await refusal(connect(''))).toBe(401);
    expect(await refusal(connect('?token=nope'))).toBe(401);
    expect(await refusal(connect(`?token=${server.token}`, { Origin: 'https://evil.example' }))).toBe(403);
  });

  it('pushes jobs:progress and jobs:finished to a connected page', async () => {
    const ws = connect(`?token=${server.token}`, { Origin: server.origin });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const messages: WebEventMessage[] = [];
    const finished = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as WebEventMessage;
        messages.push(message);
        if (message.event === 'jobs:finished') resolve();
      });
    });
    const job = engine.jobs.start('test', 'A test job', async (ctx) => {
      ctx.report({ phase: 'counting', done: 1, total: 2, message: 'half way' });
      return 42;
    });
    await finished;
    ws.close();
    const phases = messages.flatMap((m) =>
      m.event === 'jobs:progress' && 'jobId' in m.payload && m.payload.jobId === job.jobId && 'phase' in m.payload
        ? [m.payload.phase]
        : [],
    );
    expect(phases).toContain('counting');
    expect(messages.at(-1)).toEqual({
      event: 'jobs:finished',
      payload: { jobId: job.jobId, status: 'ok', error: null },
    });
  });
});
