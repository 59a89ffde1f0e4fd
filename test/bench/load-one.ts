/**
 * One bench load in its own process, so its peak RSS is its own: ingests the files listed in
 * a JSON file into a fresh database FILE and prints one JSON line with the figures.
 * Usage: tsx test/bench/load-one.ts <files.json> <db-path> [detect]
 */
import { readFileSync, statSync } from 'node:fs';
import { Database } from '../../electron/engine/db/database';
import { migrate } from '../../electron/engine/db/schema';
import { runDetections } from '../../electron/engine/detect/runner';
import type { JobContext } from '../../electron/engine/jobs/job-registry';
import { ingestPaths } from '../../electron/engine/sources/ingest';

const [filesJson, dbPath, detect] = process.argv.slice(2);
if (!filesJson || !dbPath) throw new Error('usage: load-one.ts <files.json> <db-path> [detect]');
const files = JSON.parse(readFileSync(filesJson, 'utf8')) as string[];
const ctx: JobContext = { signal: new AbortController().signal, report: () => undefined };

const db = await Database.open({ path: dbPath, tempDirectory: `${dbPath}.spill` });
await migrate(db);
const t0 = performance.now();
const report = await ingestPaths(db, files, ctx);
const loadSeconds = (performance.now() - t0) / 1000;
let detectSeconds: number | null = null;
let findings: number | null = null;
if (detect === 'detect') {
  const t1 = performance.now();
  const result = await runDetections(db, ctx);
  detectSeconds = (performance.now() - t1) / 1000;
  findings = result.findings;
}
await db.checkpoint();
db.close();
const events = report.events.cloudtrail + report.events.vpcflow + report.events.dns;
process.stdout.write(
  JSON.stringify({
    events,
    failed: report.filesFailed,
    loadSeconds,
    detectSeconds,
    findings,
    dbBytes: statSync(dbPath).size,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
