// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { LoupeBridge } from '../../../shared/api/contract';
import { ApiError, connect, desktopConnection, takeToken, webConnection } from '../../../renderer/src/lib/api-client';

const ok = (value: unknown) =>
  new Response(JSON.stringify({ ok: true, value }), { status: 200, headers: { 'Content-Type': 'application/json' } });

describe('web mode token', () => {
  it('takes the token from the URL once, keeps it for the tab, and removes it from the address bar', () => {
    window.history.replaceState(null, '', '/?token=abc123&view=x#frag');
    const token = takeToken(window.location, window.sessionStorage, window.history);
    expect(token).toBe('abc123');
    expect(window.location.search).toBe('?view=x');
    expect(window.location.hash).toBe('#frag');
    expect(window.sessionStorage.getItem('loupe.token')).toBe('abc123');
    // A reload has no token in the URL any more: the tab's copy is used.
    window.history.replaceState(null, '', '/');
    expect(takeToken(window.location, window.sessionStorage, window.history)).toBe('abc123');
  });
});

describe('web connection', () => {
  it('POSTs the input to /api/<channel> with the bearer token and returns the value', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const conn = webConnection({
      origin: 'http://127.0.0.1:4000',
      token: 't0k',
      fetchImpl: (async (url: string, init: RequestInit) => {
        seen.push({ url, init });
        return ok({ Low: 1, Medium: 2, High: 3, Critical: 0, total: 6 });
      }) as unknown as typeof fetch,
      WebSocketImpl: undefined,
    });
    const counts = await conn.api['findings:counts']({ filter: { severities: ['High'] } });
    expect(counts.total).toBe(6);
    expect(seen[0]!.url).toBe('http://127.0.0.1:4000/api/findings%3Acounts');
    expect(seen[0]!.init.method).toBe('POST');
    expect((seen[0]!.init.headers as Record<string, string>)['Authorization']).toBe('Bearer t0k');
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ filter: { severities: ['High'] } });
    conn.close();
  });

  it('turns an error envelope into an ApiError with the code and hint', async () => {
    const conn = webConnection({
      origin: 'http://x',
      token: 't',
      fetchImpl: (async () =>
        new Response(
          JSON.stringify({
            ok: false,
            error: { code: 'NO_CASE_OPEN', message: 'No case is open.', hint: 'Open a folder' },
          }),
          { status: 200 },
        )) as unknown as typeof fetch,
    });
    const error = await conn.api['case:summary']({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'NO_CASE_OPEN',
      message: 'No case is open.',
      hint: 'Open a folder',
      channel: 'case:summary',
    });
    conn.close();
  });

  it('explains a refused token and a missing one', async () => {
    const refused = webConnection({
      origin: 'http://x',
      token: 'old',
      fetchImpl: (async () => new Response('', { status: 401 })) as unknown as typeof fetch,
    });
    await expect(refused.api['app:info']({})).rejects.toMatchObject({
      code: 'FORBIDDEN',
      hint: expect.stringContaining('changes on every launch'),
    });
    const missing = webConnection({ origin: 'http://x', token: null });
    await expect(missing.api['app:info']({})).rejects.toMatchObject({
      code: 'FORBIDDEN',
      hint: expect.stringContaining('?token='),
    });
    refused.close();
    missing.close();
  });

  it('delivers job events from the WebSocket to listeners until they unsubscribe', () => {
    const sockets: FakeSocket[] = [];
    class FakeSocket {
      onopen: (() => void) | null = null;
      onmessage: ((m: { data: string }) => void) | null = null;
      onclose: (() => void) | null = null;
      constructor(readonly url: string) {
        sockets.push(this);
      }
      close() {
        this.onclose?.();
      }
    }
    const conn = webConnection({
      origin: 'http://127.0.0.1:4000',
      token: 'a b',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    });
    expect(sockets[0]!.url).toBe('ws://127.0.0.1:4000/api/events?token=a%20b');
    const got: unknown[] = [];
    const off = conn.on('jobs:finished', (p) => got.push(p));
    sockets[0]!.onmessage!({
      data: JSON.stringify({ event: 'jobs:finished', payload: { jobId: 'j', status: 'ok', error: null } }),
    });
    sockets[0]!.onmessage!({ data: JSON.stringify({ event: 'jobs:progress', payload: { jobId: 'j' } }) });
    sockets[0]!.onmessage!({ data: 'not json' });
    off();
    sockets[0]!.onmessage!({
      data: JSON.stringify({ event: 'jobs:finished', payload: { jobId: 'k', status: 'ok', error: null } }),
    });
    expect(got).toEqual([{ jobId: 'j', status: 'ok', error: null }]);
    conn.close();
  });
});

describe('desktop connection', () => {
  it('unwraps the preload bridge envelopes and forwards events', async () => {
    const listeners: Array<(p: unknown) => void> = [];
    const bridge = {
      api: new Proxy(
        {},
        {
          get: (_t, channel: string) => async (input: unknown) =>
            channel === 'app:info'
              ? { ok: true, value: { version: '1', shell: 'desktop', caseOpen: true, input } }
              : { ok: false, error: { code: 'NOT_FOUND', message: `${channel} missing` } },
        },
      ),
      on: (_event: string, l: (p: unknown) => void) => {
        listeners.push(l);
        return () => undefined;
      },
    } as unknown as LoupeBridge;
    const conn = desktopConnection(bridge);
    expect(conn.shell).toBe('desktop');
    await expect(conn.api['app:info']({})).resolves.toMatchObject({ shell: 'desktop' });
    await expect(conn.api['findings:get']({ id: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'findings:get missing',
    });
    const got: unknown[] = [];
    conn.on('jobs:progress', (p) => got.push(p));
    listeners[0]!({ jobId: 'j' });
    expect(got).toEqual([{ jobId: 'j' }]);
    // connect() picks the bridge when the preload exposed one.
    (window as { loupe?: LoupeBridge }).loupe = bridge;
    expect(connect(window).shell).toBe('desktop');
    delete (window as { loupe?: LoupeBridge }).loupe;
  });
});
