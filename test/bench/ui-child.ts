/**
 * Times the engine calls the UI makes, on the loaded and detected bench case, in a process of its
 * own (a DuckDB file must not be open twice). Prints one JSON line.
 *   tsx test/bench/ui-child.ts <job.json>     job: { dbPath, memoryLimit?, runs? }
 * A database kept with `npm run bench -- --keep` can be timed again this way without reloading.
 * Each call runs once to warm up, then `runs` times; the median and the slowest are reported.
 * The calls are the handlers' own functions with the inputs the renderer sends (page size,
 * bucket count, graph limit), so the figures are what a responder waits for.
 */
import { readFileSync } from 'node:fs';
import { DB_THREADS, memoryLimitFor } from '../../electron/engine/case/workspace';
import { Database } from '../../electron/engine/db/database';
import { ROLLUP_TABLES } from '../../electron/engine/db/schema';
import { countFindings, listFindings } from '../../electron/engine/findings/list';
import { graphNeighborhood } from '../../electron/engine/investigate/graph';
import { HuntRunner } from '../../electron/engine/investigate/hunt';
import { HUNT_EXAMPLES } from '../../electron/engine/investigate/hunt-examples';
import { refreshRollups, type RollupBuild } from '../../electron/engine/investigate/rollups';
import { timelineEvents, timelineHistogram } from '../../electron/engine/investigate/timeline';
import type { Scope } from '../../shared/api/investigate';

export interface UiJob {
  dbPath: string;
  memoryLimit?: string;
  runs?: number;
}

export interface UiTiming {
  call: string;
  /** What the call was asked, in words (the zoom range, the node expanded...). */
  detail: string;
  medianMs: number;
  maxMs: number;
  runs: number;
  /** Rows, buckets or nodes the call returned: proof it did the work. */
  result: string;
}

export interface UiFigures {
  findings: number;
  /** The investigation rollups built before the timings (what a load does once its events are in). */
  rollups: RollupBuild[];
  timings: UiTiming[];
}

// What the renderer sends (store/findings.ts, store/timeline.ts, store/graph.ts).
const FINDINGS_PAGE = 100;
const TIMELINE_BUCKETS = 120;
const EVENTS_PAGE = 100;
const GRAPH_LIMIT = 12;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed<T>(
  call: string,
  detail: string,
  runs: number,
  work: () => Promise<T>,
  describe: (value: T) => string,
): Promise<UiTiming> {
  let last = await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await work();
    times.push(performance.now() - t0);
  }
  return { call, detail, medianMs: median(times), maxMs: Math.max(...times), runs, result: describe(last) };
}

const jobPath = process.argv[2];
if (!jobPath) throw new Error('usage: ui-child.ts <job.json>');
const job = JSON.parse(readFileSync(jobPath, 'utf8')) as UiJob;
const runs = job.runs ?? 5;
const db = await Database.open({
  path: job.dbPath,
  tempDirectory: `${job.dbPath}.spill`,
  threads: DB_THREADS,
  memoryLimit: job.memoryLimit ?? memoryLimitFor(),
});
try {
  // The load section ingests without the case load path, so build the rollups here, as a load
  // would (a database kept from before the rollups existed gets their tables first).
  for (const sql of ROLLUP_TABLES) await db.run(sql);
  const rollups = await refreshRollups(db);
  const timings: UiTiming[] = [];
  const sort = { by: 'severity' as const, dir: 'desc' as const };
  const first = await listFindings(db, { offset: 0, limit: FINDINGS_PAGE, filter: {}, sort });
  timings.push(
    await timed(
      'findings:list',
      `first page of ${FINDINGS_PAGE}, by severity`,
      runs,
      () => listFindings(db, { offset: 0, limit: FINDINGS_PAGE, filter: {}, sort }),
      (r) => `${r.rows.length} of ${r.total}`,
    ),
    await timed(
      'findings:counts',
      'severity chips',
      runs,
      () => countFindings(db, {}),
      (c) => `${c.total} findings`,
    ),
  );

  // Zoom levels: the whole case, then the busiest day, then that day's busiest hour.
  const whole = await timelineHistogram(db, {}, TIMELINE_BUCKETS);
  const busiest = (h: typeof whole) =>
    [...h.buckets].sort((a, b) => b.cloudtrail + b.vpcflow + b.dns - (a.cloudtrail + a.vpcflow + a.dns))[0];
  const peak = busiest(whole);
  if (!peak) throw new Error('the bench case has no events to put on a timeline');
  const dayStart = new Date(`${peak.start.slice(0, 10)}T00:00:00.000Z`);
  const day: Scope = { from: dayStart.toISOString(), to: new Date(dayStart.getTime() + 86_400_000).toISOString() };
  const dayHistogram = await timelineHistogram(db, day, TIMELINE_BUCKETS);
  const peakInDay = busiest(dayHistogram) ?? peak;
  const hourStart = new Date(`${peakInDay.start.slice(0, 13)}:00:00.000Z`);
  const hour: Scope = { from: hourStart.toISOString(), to: new Date(hourStart.getTime() + 3_600_000).toISOString() };
  const zooms: Array<[string, Scope]> = [
    [`whole case (${whole.from?.slice(0, 10)} → ${whole.to?.slice(0, 10)})`, {}],
    [`one day (${day.from?.slice(0, 10)})`, day],
    [`one hour (${hour.from?.slice(0, 13)}h)`, hour],
  ];
  for (const [label, scope] of zooms) {
    timings.push(
      await timed(
        'timeline:histogram',
        label,
        runs,
        () => timelineHistogram(db, scope, TIMELINE_BUCKETS),
        (h) => `${h.buckets.length} buckets, ${h.total} events, ${h.markers.length} markers`,
      ),
      await timed(
        'timeline:events',
        `${label}, first page`,
        runs,
        () => timelineEvents(db, scope, { offset: 0, limit: EVENTS_PAGE }),
        (p) => `${p.rows.length} of ${p.total}`,
      ),
    );
  }

  // The graph: what opens first (the engine's own seeds), then expanding the busiest principal.
  timings.push(
    await timed(
      'graph:neighborhood',
      'first view (seeds of the most severe findings)',
      runs,
      () => graphNeighborhood(db, {}, [], GRAPH_LIMIT, 0),
      (g) => `${g.nodes.length} nodes, ${g.edges.length} edges`,
    ),
  );
  const busy = await db.one<{ arn: string; n: number }>(
    `SELECT coalesce(session_issuer_arn, principal_arn) AS arn, count(*)::INTEGER AS n
       FROM cloudtrail WHERE coalesce(session_issuer_arn, principal_arn) IS NOT NULL
      GROUP BY ALL ORDER BY n DESC LIMIT 1`,
  );
  if (busy) {
    timings.push(
      await timed(
        'graph:neighborhood',
        `expand the busiest principal (${busy.n} events)`,
        runs,
        () => graphNeighborhood(db, {}, [{ kind: 'principal', value: busy.arn }], GRAPH_LIMIT, 0),
        (g) => `${g.nodes.length} nodes, ${g.edges.length} edges`,
      ),
    );
  }

  const hunt = new HuntRunner(() => db);
  const example = HUNT_EXAMPLES.find((e) => e.title.startsWith('Busiest principals')) ?? HUNT_EXAMPLES[0]!;
  timings.push(
    await timed(
      'hunt:query',
      `"${example.title}" example, first page`,
      runs,
      () => hunt.query({ sql: example.sql, params: example.params, offset: 0, limit: 100, queryId: 'bench' }),
      (r) => `${r.rows.length} rows${r.hasMore ? '+' : ''}`,
    ),
  );

  const figures: UiFigures = { findings: first.total, rollups, timings };
  process.stdout.write(JSON.stringify(figures) + '\n');
} finally {
  db.close();
}
