import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { COMMON_HEADERS } from './security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Serves the built renderer. Paths are resolved inside `root` only; a path without an extension
 * that names no file gets index.html (the app routes on the client). No token is needed: the
 * bundle holds no data, and the API it talks to checks the token.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
  csp: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n', { Allow: 'GET, HEAD' });
    return;
  }
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    send(res, 400, 'text/plain; charset=utf-8', 'Bad path.\n');
    return;
  }
  const target = normalize(join(base, decoded));
  if (target !== base && !target.startsWith(base + sep)) {
    send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n');
    return;
  }
  let file = (await isFile(target)) ? target : null;
  if (!file && extname(decoded) === '') file = join(base, 'index.html');
  if (!file || !(await isFile(file))) {
    if (file?.endsWith('index.html')) {
      send(
        res,
        503,
        'text/plain; charset=utf-8',
        `The Loupe web page is not built (no ${file}).\nRun \`npm run build\`, then reload. The API is up.\n`,
      );
    } else {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n');
    }
    return;
  }
  const isHtml = file.endsWith('.html');
  const size = (await stat(file)).size;
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(size),
    // Hashed asset names can be cached; the page itself must always be re-read after a rebuild.
    'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=3600',
    'Content-Security-Policy': csp,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}
