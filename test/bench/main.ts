/**
 * `npm run bench`: load speed of each source against bare DuckDB and zcat on the same files,
 * peak memory, database size and a full detection pass, all measured in this one run.
 * The case comes from the project's generator and is cached (see dataset.ts). Scale it down
 * for a quick look with LOUPE_BENCH_SCALE=0.05 (the default 1 is ~1M CloudTrail events, 5M flow
 * records and 1M DNS queries).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../electron/engine/db/database';
import { BENCH_SPEC, benchCase, REPO_ROOT, totalBytes, type BenchSource } from './dataset';

interface LoadFigures {
  events: number;
  failed: number;
  loadSeconds: number;
  detectSeconds: number | null;
  findings: number | null;
  dbBytes: number;
  peakRssMb: number;
}

const scale = Number(process.env['LOUPE_BENCH_SCALE'] ?? '1');
if (!(scale > 0 && scale <= 1)) throw new Error('LOUPE_BENCH_SCALE must be in (0, 1]');
const spec = {
  ...BENCH_SPEC,
  cloudtrail: BENCH_SPEC.cloudtrail && {
    ...BENCH_SPEC.cloudtrail,
    eventsPerDay: Math.round(BENCH_SPEC.cloudtrail.eventsPerDay * scale),
  },
  vpcflow: BENCH_SPEC.vpcflow && {
    ...BENCH_SPEC.vpcflow,
    recordsPerDay: Math.round(BENCH_SPEC.vpcflow.recordsPerDay * scale),
  },
  dns: BENCH_SPEC.dns && { ...BENCH_SPEC.dns, queriesPerDay: Math.round(BENCH_SPEC.dns.queriesPerDay * scale) },
};
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'loupe-bench-'));
const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

function loadInChild(files: string[], name: string, detect: boolean): LoadFigures {
  const list = join(work, `${name}.json`);
  writeFileSync(list, JSON.stringify(files));
  const args = [join(REPO_ROOT, 'test', 'bench', 'load-one.ts'), list, join(work, `${name}.duckdb`)];
  if (detect) args.push('detect');
  const run = spawnSync(tsx, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`load of ${name} failed: ${run.stderr.slice(-2000)}`);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as LoadFigures;
}

/** zcat of the files to /dev/null-like sink, one or two processes: the decompression floor. */
function zcatSeconds(files: string[], parallel: number): number {
  const lists = Array.from({ length: parallel }, (_, i) => files.filter((_, j) => j % parallel === i));
  const t0 = performance.now();
  const script = lists
    .map((_, i) => `xargs -0 -a ${JSON.stringify(join(work, `zcat-${i}.lst`))} zcat | wc -c > /dev/null &`)
    .join('\n');
  lists.forEach((l, i) => writeFileSync(join(work, `zcat-${i}.lst`), l.join('\0')));
  spawnSync('bash', ['-c', `${script}\nwait`], { stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

const BARE: Record<BenchSource, string> = {
  // The engine's ceiling: the same files read by DuckDB with an explicit schema and counted.
  cloudtrail: `SELECT sum(len(Records))::BIGINT AS n FROM read_json($files, columns = {Records: 'JSON[]'},
                 format = 'newline_delimited', maximum_object_size = 536870912)`,
  vpcflow: `SELECT count(*)::BIGINT AS n FROM read_csv($files, delim = ' ', header = true, nullstr = '-',
              columns = {version: 'INTEGER', account_id: 'VARCHAR', interface_id: 'VARCHAR', srcaddr: 'VARCHAR',
                dstaddr: 'VARCHAR', srcport: 'INTEGER', dstport: 'INTEGER', protocol: 'INTEGER', packets: 'BIGINT',
                bytes: 'BIGINT', start: 'BIGINT', "end": 'BIGINT', action: 'VARCHAR', log_status: 'VARCHAR'})`,
  dns: `SELECT count(*)::BIGINT AS n FROM read_json($files, format = 'newline_delimited',
          columns = {query_timestamp: 'VARCHAR', query_name: 'VARCHAR', query_type: 'VARCHAR', rcode: 'VARCHAR',
            srcaddr: 'VARCHAR', answers: 'JSON', srcids: 'JSON', account_id: 'VARCHAR', vpc_id: 'VARCHAR'})`,
};

const GLOB: Record<BenchSource, string> = {
  cloudtrail: 'AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz',
  vpcflow: 'AWSLogs/*/vpcflowlogs/*/*/*/*/*.log.gz',
  dns: 'AWSLogs/*/vpcdnsquerylogs/*/*/*/*/*.log.gz',
};

async function bareScan(dir: string, source: BenchSource): Promise<{ rows: number; seconds: number }> {
  const db = await Database.open({ path: ':memory:' });
  try {
    const t0 = performance.now();
    const row = await db.one<{ n: string }>(BARE[source], { files: join(dir, GLOB[source]) });
    return { rows: Number(row?.n ?? 0), seconds: (performance.now() - t0) / 1000 };
  } finally {
    db.close();
  }
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const fmt = (n: number, digits = 1) => n.toFixed(digits);

try {
  const bench = await benchCase(spec, log);
  log(
    `case ${bench.dir} (${bench.generatedSeconds === null ? 'cached' : `generated in ${fmt(bench.generatedSeconds)} s`})`,
  );
  const rows: string[][] = [];
  const all: string[] = [];
  for (const source of ['cloudtrail', 'vpcflow', 'dns'] as const) {
    const files = bench.files[source];
    if (files.length === 0) continue;
    all.push(...files);
    const bytes = totalBytes(files);
    log(`${source}: bare DuckDB scan`);
    const bare = await bareScan(bench.dir, source);
    log(`${source}: zcat`);
    const z1 = zcatSeconds(files, 1);
    const z2 = zcatSeconds(files, 2);
    log(`${source}: engine load`);
    const load = loadInChild(files, source, false);
    rows.push([
      source,
      String(files.length),
      bare.rows === load.events ? String(load.events) : `${load.events} (bare ${bare.rows})`,
      fmt(mb(bytes)),
      fmt(load.loadSeconds),
      fmt(load.events / load.loadSeconds, 0),
      fmt(mb(bytes) / load.loadSeconds),
      fmt(bare.seconds),
      fmt(z1),
      fmt(z2),
      fmt(bare.seconds / load.loadSeconds, 2),
      fmt(z2 / load.loadSeconds, 2),
      fmt(load.peakRssMb, 0),
      fmt(load.dbBytes / bytes, 2),
    ]);
  }
  log('whole case: load + detection pass');
  const whole = loadInChild(all, 'case', true);
  const header = [
    'source',
    'files',
    'events',
    'gz MB',
    'load s',
    'events/s',
    'MB/s',
    'bare s',
    'zcat s',
    'zcat×2 s',
    'bare/load',
    'zcat×2/load',
    'peak RSS MB',
    'db/input',
  ];
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  process.stdout.write(`\nLoupe bench (scale ${scale}; ratios > 1 would mean faster than the reference)\n`);
  for (const r of table) process.stdout.write(r.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ') + '\n');
  process.stdout.write(
    `\nwhole case: ${whole.events} events loaded in ${fmt(whole.loadSeconds)} s; detection pass (rules + learned behaviour) ` +
      `${fmt(whole.detectSeconds ?? 0)} s, ${whole.findings ?? 0} findings; peak RSS ${fmt(whole.peakRssMb, 0)} MB; ` +
      `database ${fmt(mb(whole.dbBytes))} MB for ${fmt(mb(totalBytes(all)))} MB of gzip input\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
