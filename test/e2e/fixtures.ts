import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const artifactsDir = resolve(here, 'artifacts');

export interface LoupeServer {
  /** The page URL with its token, exactly as `serve` printed it. */
  url: string;
  origin: string;
  token: string;
  /** Calls a channel over the web protocol (for cross-checking what the UI shows). */
  call<T>(channel: string, input?: unknown): Promise<T>;
  /** Resolves once no job is running (the case finished loading). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stderr(): string;
}

const READY = /Loupe web mode: (http:\/\/127\.0\.0\.1:\d+\/\?token=(\S+))/;

/** The feeds the server's feeds file names: one served (the sample case's Tor exits), one gone. */
export const E2E_FEEDS = { served: 'e2e-tor-exits', gone: 'e2e-c2-gone' } as const;
export const SAMPLE_TOR_EXITS = resolve(repoRoot, 'resources/sample-case/intel/tor-exit-ips.txt');

/**
 * A feed server on 127.0.0.1 and a config folder of its own for the served case (feed copies,
 * recent cases), with a feeds file pointing at that server: the app's "Download feeds" runs over
 * real HTTP without the internet, and nothing lands in the user's ~/.loupe.
 */
async function startFeeds(): Promise<{ config: string; feedsFile: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/tor-exits.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(readFileSync(SAMPLE_TOR_EXITS));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such feed');
    }
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = mkdtempSync(join(tmpdir(), 'loupe-e2e-config-'));
  const feedsFile = join(config, 'feeds.json');
  writeFileSync(
    feedsFile,
    JSON.stringify({
      feeds: [
        {
          name: E2E_FEEDS.served,
          description: 'Tor exits the sample case uses, served by the test',
          url: `${base}/tor-exits.txt`,
          category: 'tor-exit',
          kind: 'threat',
        },
        { name: E2E_FEEDS.gone, url: `${base}/c2.txt`, category: 'c2', kind: 'threat' },
      ],
    }),
  );
  return { config, feedsFile, server };
}

async function startServer(feeds: { config: string; feedsFile: string }): Promise<{
  server: LoupeServer;
  child: ChildProcess;
}> {
  if (!existsSync(resolve(repoRoot, 'out/renderer/index.html'))) {
    throw new Error(
      'out/renderer/index.html is missing: run `npm run build` before the e2e tests (they serve the built renderer).',
    );
  }
  // Its own process group, so stopping it also stops the tsx child that runs the CLI.
  const child = spawn('npx', ['tsx', 'electron/cli/main.ts', 'serve', 'resources/sample-case', '--port', '0'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', LOUPE_CONFIG_DIR: feeds.config, LOUPE_FEEDS_FILE: feeds.feedsFile },
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const match = await new Promise<RegExpExecArray>((resolvePromise, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `serve printed no "Loupe web mode:" line within 90 s.\nstdout: ${out}\nstderr: ${err.slice(-2000)}`,
          ),
        ),
      90_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready.\nstderr: ${err.slice(-2000)}`));
    });
  });
  const url = match[1]!;
  const token = decodeURIComponent(match[2]!);
  const origin = new URL(url).origin;
  const call = async <T>(channel: string, input: unknown = {}): Promise<T> => {
    const res = await fetch(`${origin}/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(input),
    });
    const envelope = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!envelope.ok) throw new Error(`${channel}: ${envelope.error?.code} ${envelope.error?.message}`);
    return envelope.value as T;
  };
  const waitForIdle = async (timeoutMs = 150_000) => {
    await expect
      .poll(
        async () => {
          const jobs = await call<Array<{ status: string }>>('jobs:list');
          return jobs.length > 0 && jobs.every((j) => j.status !== 'running');
        },
        { timeout: timeoutMs, intervals: [250, 500, 1000] },
      )
      .toBe(true);
  };
  return { server: { url, origin, token, call, waitForIdle, stderr: () => err }, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.pid === undefined) return resolvePromise();
    child.once('exit', () => resolvePromise());
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      resolvePromise();
    }
  });
}

export const test = base.extend<{ consoleErrors: string[] }, { loupe: LoupeServer }>({
  loupe: [
    // Playwright reads fixture dependencies from a destructuring pattern; this one has none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      mkdirSync(artifactsDir, { recursive: true });
      const feeds = await startFeeds();
      try {
        const { server, child } = await startServer(feeds);
        try {
          await use(server);
        } finally {
          await stop(child);
        }
      } finally {
        await new Promise<void>((resolvePromise) => feeds.server.close(() => resolvePromise()));
        rmSync(feeds.config, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  // Console errors and CSP violations fail the test that caused them.
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url().replace(/token=[^&]+/, 'token=…')}`);
    });
    await use(errors);
    expect(errors, 'browser console errors').toEqual([]);
  },
});

export { expect };

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(artifactsDir, `${name}.png`) });
}
