import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName, EventPayload } from '../../shared/api/contract';
import type { LoupeErrorShape, Result } from '../../shared/errors';
import { invokeChannel, isChannel, type Engine } from '../engine/api';
import {
  allowedOrigins,
  bearerToken,
  contentSecurityPolicy,
  hostAllowed,
  newToken,
  originAllowed,
  tokenMatches,
} from './security';
import { send, serveStatic } from './static-files';

/**
 * Web mode: the built renderer and the contract over loopback HTTP, job events over a WebSocket.
 *   POST /api/<channel>       body = channel input, `Authorization: Bearer <token>` -> 200 envelope
 *   GET  /api/events?token=   WebSocket: {"event":"jobs:progress"|"jobs:finished"|"case:changed","payload":{...}}
 *   GET  /*                   static files from out/renderer (no token)
 */
export interface WebServerOptions {
  engine: Engine;
  /** 0 or undefined: a random free port. */
  port?: number | undefined;
  /** Built renderer; defaults to `out/renderer` in the repository. */
  rendererDir?: string | undefined;
  /** Fixed token for tests; a random one per launch otherwise. */
  token?: string | undefined;
}

export interface WebServer {
  readonly port: number;
  readonly origin: string;
  readonly token: string;
  /** The page URL to open: `http://127.0.0.1:<port>/?token=<token>`. */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const HOST = '127.0.0.1';

export const DEFAULT_RENDERER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'out', 'renderer');

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { engine } = options;
  const token = options.token ?? newToken();
  const rendererDir = options.rendererDir ?? DEFAULT_RENDERER_DIR;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  let port = 0;
  let csp = '';

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendEnvelope(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(error) } });
      else res.destroy();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (!hostAllowed(req, port)) {
      return reject(
        res,
        isApi,
        403,
        'FORBIDDEN',
        `The Host header ${req.headers.host ?? '(none)'} is not this server.`,
      );
    }
    if (!originAllowed(req, port)) {
      return reject(res, isApi, 403, 'FORBIDDEN', `Requests from ${req.headers.origin} are not allowed.`);
    }
    if (!isApi) return serveStatic(req, res, rendererDir, url.pathname, csp);

    if (!tokenMatches(bearerToken(req), token)) {
      return reject(
        res,
        true,
        401,
        'FORBIDDEN',
        'Missing or wrong token.',
        'Open the URL Loupe printed when it started.',
      );
    }
    if (url.pathname === '/api/events') {
      return reject(res, true, 426, 'INVALID_INPUT', '/api/events is a WebSocket endpoint.');
    }
    if (req.method !== 'POST') {
      return reject(res, true, 405, 'INVALID_INPUT', `Use POST for ${url.pathname}.`);
    }
    let channel: string;
    try {
      channel = decodeURIComponent(url.pathname.slice('/api/'.length));
    } catch {
      channel = '';
    }
    if (!isChannel(channel)) {
      return reject(res, true, 404, 'NOT_FOUND', `No channel named ${JSON.stringify(channel.slice(0, 100))}.`);
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      return reject(res, true, 413, 'INVALID_INPUT', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    let input: unknown = {};
    if (body.trim() !== '') {
      try {
        input = JSON.parse(body);
      } catch {
        return sendEnvelope(res, 200, {
          ok: false,
          error: { code: 'INVALID_INPUT', message: `The body for ${channel} is not JSON.` },
        });
      }
    }
    sendEnvelope(res, 200, await invokeChannel(engine.handlers, channel, input));
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api/events') return refuse('404 Not Found');
    if (!hostAllowed(req, port) || !originAllowed(req, port)) return refuse('403 Forbidden');
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    // The page only listens; anything it sends is ignored (and capped by maxPayload).
    ws.on('error', () => ws.terminate());
  });

  const broadcast = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    const message = JSON.stringify({ event, payload });
    for (const client of wss.clients) if (client.readyState === client.OPEN) client.send(message);
  };
  const unsubscribe = engine.onEvent(broadcast);

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  csp = contentSecurityPolicy(port);
  const origin = allowedOrigins(port)[0] ?? `http://${HOST}:${port}`;

  return {
    port,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    close: async () => {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function reject(
  res: ServerResponse,
  isApi: boolean,
  status: number,
  code: LoupeErrorShape['code'],
  message: string,
  hint?: string,
): void {
  if (!isApi) return send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
  sendEnvelope(res, status, { ok: false, error: hint === undefined ? { code, message } : { code, message, hint } });
}

function sendEnvelope(res: ServerResponse, status: number, envelope: Result<unknown>): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(envelope));
}

function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', rejectBody);
  });
}
