import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { desktopCsp } from './content-policy';

/**
 * The built renderer is served from `loupe://app/` rather than file://: a standard, secure
 * scheme gives the page a real origin (so 'self' in the CSP means something), lets us attach
 * the CSP as a header, and keeps every other file on disk out of the page's reach.
 */
export const APP_SCHEME = 'loupe';
export const APP_PAGE_URL = `${APP_SCHEME}://app/index.html`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  const root = resolve(rendererDir);
  const csp = desktopCsp(false);
  protocol.handle(APP_SCHEME, async (request) => {
    try {
      const url = new URL(request.url);
      const path = normalize(join(root, decodeURIComponent(url.pathname)));
      if (url.host !== 'app' || (path !== root && !path.startsWith(root + sep))) {
        return new Response('Not found', { status: 404 });
      }
      const file = path === root ? join(root, 'index.html') : path;
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Security-Policy': csp,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
