import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCase, SCENARIOS, type CaseSpec, type GeneratedCase } from '../fixtures/generator/index';

/**
 * The bench case: about 1M CloudTrail events, 5M flow records and 1M DNS queries in AWS's S3
 * layout, written once by the project's generator and cached under test/.cache/bench/<key>.
 * The key hashes the spec and every generator source file, so a generator change regenerates.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');
const GENERATOR_DIR = join(REPO_ROOT, 'test', 'fixtures', 'generator');
export const CACHE_ROOT = join(REPO_ROOT, 'test', '.cache', 'bench');

export type BenchSource = 'cloudtrail' | 'vpcflow' | 'dns';

/** The spec without outDir (the cache decides where). Days >= 2 so the detectors have history. */
export const BENCH_SPEC: Omit<CaseSpec, 'outDir'> = {
  seed: 7,
  start: '2026-03-01T00:00:00Z',
  days: 3,
  accounts: ['012345678901', '444455556666'],
  regions: ['us-east-1', 'eu-west-1'],
  cloudtrail: { eventsPerDay: 325_000, fileMinutes: 15, digests: true },
  vpcflow: { recordsPerDay: 1_666_667, format: 'v2-default', fileMinutes: 15 },
  dns: { queriesPerDay: 333_334, fileMinutes: 15 },
  scenarios: [...SCENARIOS],
  parallel: true,
};

export interface BenchCase {
  dir: string;
  generated: Pick<GeneratedCase, 'counts' | 'scenarios'>;
  /** Absolute paths of the log files per source (digests and intel lists excluded). */
  files: Record<BenchSource, string[]>;
  /** Seconds spent generating, or null when it came from the cache. */
  generatedSeconds: number | null;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

export function cacheKey(spec: Omit<CaseSpec, 'outDir'>): string {
  const hash = createHash('sha256').update(JSON.stringify(spec));
  for (const file of listFiles(GENERATOR_DIR)) {
    hash.update(relative(GENERATOR_DIR, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

function sourceOf(rel: string): BenchSource | null {
  if (rel.includes('/CloudTrail/')) return 'cloudtrail';
  if (rel.includes('/vpcflowlogs/')) return 'vpcflow';
  if (rel.includes('/vpcdnsquerylogs/')) return 'dns';
  return null;
}

/** Returns the cached case, generating it first (a few minutes) when the key is new. */
export async function benchCase(
  spec: Omit<CaseSpec, 'outDir'> = BENCH_SPEC,
  log: (line: string) => void = () => undefined,
): Promise<BenchCase> {
  const key = cacheKey(spec);
  const dir = join(CACHE_ROOT, key);
  const marker = join(dir, 'case.json');
  let generatedSeconds: number | null = null;
  if (!existsSync(marker)) {
    // Generate into a sibling and rename: an interrupted run never leaves a half case behind.
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    log(`generating the bench case into ${relative(REPO_ROOT, dir)} (a few minutes, once)`);
    const t0 = performance.now();
    const generated = await generateCase({ ...spec, outDir: partial });
    generatedSeconds = (performance.now() - t0) / 1000;
    writeFileSync(
      join(partial, 'case.json'),
      JSON.stringify({ key, spec, counts: generated.counts, scenarios: generated.scenarios }, null, 2),
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  const saved = JSON.parse(readFileSync(marker, 'utf8')) as Pick<GeneratedCase, 'counts' | 'scenarios'>;
  const files: Record<BenchSource, string[]> = { cloudtrail: [], vpcflow: [], dns: [] };
  const logs = join(dir, 'AWSLogs');
  for (const path of listFiles(logs)) {
    const source = sourceOf(relative(dir, path));
    if (source) files[source].push(path);
  }
  return { dir, generated: { counts: saved.counts, scenarios: saved.scenarios }, files, generatedSeconds };
}

export function totalBytes(paths: readonly string[]): number {
  let sum = 0;
  for (const p of paths) sum += statSync(p).size;
  return sum;
}
