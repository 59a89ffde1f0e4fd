import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCase, type GeneratedCase } from '../../fixtures/generator/index';
import { FLOW_INTEL } from '../../fixtures/generator/intel';
import { runCli } from '../shells/run-cli';

/**
 * `loupe intel update` end to end: the real CLI downloads a feed served on 127.0.0.1 by this
 * test, keeps it, survives the feed going away, and `loupe scan` uses the copy (or not, with
 * --no-feeds).
 */
let server: Server;
let base: string;
let serving = true;
let work: string;
let generated: GeneratedCase;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (serving && req.url === '/tor-relays.txt') {
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(`# relays\n${FLOW_INTEL.torRelays.entries.join('\n')}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('gone');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), 'loupe-cli-intel-'));
  generated = await generateCase({
    outDir: join(work, 'case'),
    seed: 5,
    start: '2026-02-01',
    days: 1,
    accounts: ['111122223333'],
    regions: ['us-east-1'],
    cloudtrail: false,
    vpcflow: { recordsPerDay: 1500 },
    dns: false,
    scenarios: ['tor-client'],
    gzipLevel: 1,
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

const feedsFile = () => {
  const path = join(work, 'feeds.json');
  writeFileSync(
    path,
    JSON.stringify({
      feeds: [{ name: 'tor-relays', url: `${base}/tor-relays.txt`, category: 'tor-relay', kind: 'threat' }],
    }),
  );
  return path;
};

async function torClientFindings(extra: string[]): Promise<{ code: number | null; stdout: string; types: string[] }> {
  const out = join(work, `findings-${extra.join('')}.json`);
  const result = await runCli(['scan', generated.outDir, '--out', out, ...extra]);
  expect(result.code, result.stderr).toBe(0);
  const findings = JSON.parse(readFileSync(out, 'utf8')) as Array<{ type: string }>;
  return { code: result.code, stdout: result.stdout, types: findings.map((f) => f.type) };
}

describe('loupe intel update', () => {
  const dir = () => join(work, 'feeds');

  it('downloads a feed, then keeps the copy when the feed is gone', async () => {
    const first = await runCli(['intel', 'update', '--feeds', feedsFile(), '--dir', dir()]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^tor-relays \(tor-relay, threat\): updated, 1 entries, fetched \S+Z, sha256 [0-9a-f]{16}$/m,
    );
    expect(first.stdout).toContain('Feeds: 1 updated, 0 failed');
    const index = JSON.parse(readFileSync(join(dir(), 'index.json'), 'utf8')) as {
      feeds: Record<string, { fetchedAt: string }>;
    };
    const fetchedAt = index.feeds['tor-relays']?.fetchedAt ?? 'missing';

    serving = false;
    const second = await runCli(['intel', 'update', '--feeds', feedsFile(), '--dir', dir()]);
    serving = true;
    expect(second.code).toBe(1);
    expect(second.stdout).toContain(
      `not updated: the server answered HTTP 404 Not Found; using the copy fetched ${fetchedAt}`,
    );
  });

  it('scan uses the kept feeds with their category, and --no-feeds leaves them out', async () => {
    const withFeeds = await torClientFindings(['--feeds-dir', dir()]);
    expect(withFeeds.stdout).toMatch(/^Feeds: 1 from .* \(tor-relays tor-relay\); oldest fetched /m);
    expect(withFeeds.types).toContain('UnauthorizedAccess:EC2/TorClient');
    const without = await torClientFindings(['--feeds-dir', dir(), '--no-feeds']);
    expect(without.stdout).not.toContain('Feeds:');
    expect(without.types).not.toContain('UnauthorizedAccess:EC2/TorClient');
  });

  it('explains a bad command line', async () => {
    const result = await runCli(['intel', 'refresh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('intel knows one action, update');
    const help = await runCli(['intel', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: loupe intel update');
  });
});
