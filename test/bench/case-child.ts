/**
 * One bench process per job, so its peak memory is its own. Prints one JSON line.
 *   tsx test/bench/case-child.ts load <job.json>    load each source in turn into a fresh database file
 *   tsx test/bench/case-child.ts detect <job.json>  one full detection pass over that database
 *   tsx test/bench/case-child.ts behaviour <job.json>  the learned-behaviour analyzers alone (no rule files)
 * The database is opened the way a case is (threads and memory limit of the workspace code)
 * unless the job names a memory limit.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { DB_THREADS, memoryLimitFor } from '../../electron/engine/case/workspace';
import { Database } from '../../electron/engine/db/database';
import { migrate } from '../../electron/engine/db/schema';
import { runAnalyzers } from '../../electron/engine/detect/analyzers/index';
import { runDetections } from '../../electron/engine/detect/runner';
import type { JobContext } from '../../electron/engine/jobs/job-registry';
import { ingestPaths } from '../../electron/engine/sources/ingest';

export interface ChildJob {
  dbPath: string;
  memoryLimit?: string;
  /** load: the files of each source, loaded in this order by one ingestPaths call each. */
  sources?: Array<{ name: string; files: string[] }>;
}

export interface SourceLoadFigures {
  name: string;
  events: number;
  filesFailed: number;
  seconds: number;
  peakRssMb: number;
  /** Database file growth, measured after a CHECKPOINT outside the timed part. */
  dbBytes: number;
}

export interface LoadFigures {
  memoryLimit: string;
  sources: SourceLoadFigures[];
  peakRssMb: number;
}

export interface DetectFigures {
  seconds: number;
  findings: number;
  rules: number;
  rulesFailed: number;
  peakRssMb: number;
}

export interface BehaviourFigures {
  /** The whole pass: bundled lists and IP data, baselines, the analyzer rules, findings. */
  seconds: number;
  /** Milliseconds of each preparation step (learning, reference, cloudtrail-features, iam, s3, flow, dns, correlation). */
  prepareMs: Record<string, number>;
  /** Milliseconds staging each analyzer rule (hits from the verdict tables). */
  ruleMs: Record<string, number>;
  findings: number;
  byType: Record<string, number>;
  events: { cloudtrail: number; vpcflow: number; dns: number };
  peakRssMb: number;
}

/** Peak resident memory so far (VmHWM); Linux only, else the process-lifetime maximum. */
function peakRssMb(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm?.[1]) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Starts a new peak (writing 5 to clear_refs resets VmHWM); false where that is not possible. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function fileBytes(path: string): number {
  let size = 0;
  for (const p of [path, `${path}.wal`]) {
    try {
      size += statSync(p).size;
    } catch {
      // no WAL
    }
  }
  return size;
}

const [mode, jobPath] = process.argv.slice(2);
if ((mode !== 'load' && mode !== 'detect' && mode !== 'behaviour') || !jobPath)
  throw new Error('usage: case-child.ts load|detect|behaviour <job.json>');
const job = JSON.parse(readFileSync(jobPath, 'utf8')) as ChildJob;
const ctx: JobContext = { signal: new AbortController().signal, report: () => undefined };
const memoryLimit = job.memoryLimit ?? memoryLimitFor();
const db = await Database.open({
  path: job.dbPath,
  tempDirectory: `${job.dbPath}.spill`,
  threads: DB_THREADS,
  memoryLimit,
});
try {
  if (mode === 'load') {
    await migrate(db);
    await db.checkpoint();
    const figures: LoadFigures = { memoryLimit, sources: [], peakRssMb: 0 };
    for (const source of job.sources ?? []) {
      const before = fileBytes(job.dbPath);
      resetPeak();
      const t0 = performance.now();
      const report = await ingestPaths(db, source.files, ctx);
      const seconds = (performance.now() - t0) / 1000;
      const peak = peakRssMb();
      await db.checkpoint();
      figures.sources.push({
        name: source.name,
        events: report.events.cloudtrail + report.events.vpcflow + report.events.dns,
        filesFailed: report.filesFailed,
        seconds,
        peakRssMb: peak,
        dbBytes: fileBytes(job.dbPath) - before,
      });
    }
    figures.peakRssMb = Math.max(...figures.sources.map((s) => s.peakRssMb));
    process.stdout.write(JSON.stringify(figures) + '\n');
  } else if (mode === 'behaviour') {
    const events = await db.one<BehaviourFigures['events']>(
      `SELECT (SELECT count(*) FROM cloudtrail)::INTEGER AS cloudtrail, (SELECT count(*) FROM vpcflow)::INTEGER AS vpcflow,
              (SELECT count(*) FROM dns)::INTEGER AS dns`,
    );
    const t0 = performance.now();
    // runAnalyzers: runDetections over the analyzer rules only (rule files off).
    const report = await runAnalyzers(db, ctx, { dropTables: true });
    const figures: BehaviourFigures = {
      seconds: (performance.now() - t0) / 1000,
      prepareMs: report.prepareMs,
      ruleMs: report.ruleMs,
      findings: report.findings,
      byType: report.byType,
      events: events ?? { cloudtrail: 0, vpcflow: 0, dns: 0 },
      peakRssMb: peakRssMb(),
    };
    process.stdout.write(JSON.stringify(figures) + '\n');
  } else {
    const t0 = performance.now();
    const report = await runDetections(db, ctx);
    const figures: DetectFigures = {
      seconds: (performance.now() - t0) / 1000,
      findings: report.findings,
      rules: report.rules,
      rulesFailed: report.rulesFailed.length,
      peakRssMb: peakRssMb(),
    };
    process.stdout.write(JSON.stringify(figures) + '\n');
  }
} finally {
  db.close();
}
