import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DB_THREADS, memoryLimitFor } from '../../electron/engine/case/workspace';
import { Database } from '../../electron/engine/db/database';
import { INGEST_MEMORY_LIMIT } from '../../electron/engine/sources/ingest';
import { REPO_ROOT } from './dataset';

/** Runs test/bench/case-child.ts in its own process and returns the JSON line it prints. */
export function runChild<T>(work: string, mode: 'load' | 'detect', job: object): T {
  const jobPath = join(work, `${mode}-job.json`);
  writeFileSync(jobPath, JSON.stringify(job));
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, [join(REPO_ROOT, 'test', 'bench', 'case-child.ts'), mode, jobPath], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench ${mode} process failed: ${run.stderr.slice(-3000)}`);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

/**
 * Wall seconds of `zcat files | wc -c`, split over `parallel` pipelines running at once: the
 * decompression floor. Also returns the decompressed bytes.
 */
export async function zcat(
  work: string,
  files: string[],
  parallel: number,
): Promise<{ seconds: number; bytes: number }> {
  const lists = Array.from({ length: parallel }, (_, i) => files.filter((_, j) => j % parallel === i));
  lists.forEach((list, i) => writeFileSync(join(work, `zcat-${i}.lst`), list.join('\0')));
  const t0 = performance.now();
  const counts = await Promise.all(
    lists.map(
      (_, i) =>
        new Promise<number>((resolve, reject) => {
          const child = spawn('bash', ['-c', `xargs -0 -a "$1" zcat | wc -c`, 'zcat', join(work, `zcat-${i}.lst`)]);
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0 ? resolve(Number(out.trim())) : reject(new Error(`zcat exited ${code}`)),
          );
        }),
    ),
  );
  return { seconds: (performance.now() - t0) / 1000, bytes: counts.reduce((a, b) => a + b, 0) };
}

/** Seconds of one query over the files (bound as a JSON list) in a fresh in-memory DuckDB. */
export async function bareScan(sql: string, files: string[]): Promise<{ seconds: number; rows: number }> {
  const db = await Database.open({ path: ':memory:', threads: 2 });
  try {
    const t0 = performance.now();
    const row = await db.one<{ n: string }>(sql, { files: JSON.stringify(files) }, { timeoutMs: 0 });
    return { seconds: (performance.now() - t0) / 1000, rows: Number(row?.n ?? 0) };
  } finally {
    db.close();
  }
}

/**
 * Seconds of `CREATE TABLE AS` over the files into a fresh database FILE opened like a case
 * (threads, memory limit, the ingest's cap): what DuckDB itself needs to store what the bare
 * scan read, with nothing of the engine's (no line numbers, no conversions, no manifest).
 */
export async function storedScan(select: string, files: string[], work: string, memoryLimit?: string): Promise<number> {
  const path = join(work, 'stored.duckdb');
  const remove = () => {
    for (const p of [path, `${path}.wal`]) rmSync(p, { force: true });
    rmSync(`${path}.spill`, { recursive: true, force: true });
  };
  remove();
  const db = await Database.open({
    path,
    tempDirectory: `${path}.spill`,
    threads: DB_THREADS,
    memoryLimit: memoryLimit ?? memoryLimitFor(),
  });
  try {
    return await db.withMemoryCap(INGEST_MEMORY_LIMIT, async () => {
      const t0 = performance.now();
      await db.run(`CREATE TABLE stored AS ${select}`, { files: JSON.stringify(files) }, { timeoutMs: 0 });
      return (performance.now() - t0) / 1000;
    });
  } finally {
    db.close();
    remove();
  }
}

export const mb = (bytes: number): number => bytes / 1024 / 1024;
export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
