import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../dataset';
import { fmt } from '../measure';
import type { UiFigures } from '../ui-child';
import type { BenchSection } from './types';

/** Median of this many runs per call (after one warm-up run). */
const RUNS = 5;

/**
 * The query times behind the UI, on the case the load and detect sections built: a findings
 * page, the timeline at three zoom levels, the graph's first view and a busy node's expansion,
 * a hunt example. Runs in its own child process (test/bench/ui-child.ts): the case database
 * must not be open twice.
 */
export const uiQueriesSection: BenchSection = {
  name: 'ui',
  title: `Query times behind the UI (engine calls with the renderer's inputs; median of ${RUNS} runs, child process)`,
  async run(ctx) {
    const { caseDb } = ctx.shared;
    if (!caseDb) throw new Error('the ui section needs the load section (and detect, for findings) before it');
    ctx.log('UI queries (child process)');
    const jobPath = join(ctx.work, 'ui-job.json');
    writeFileSync(
      jobPath,
      JSON.stringify({ dbPath: caseDb, runs: RUNS, ...(ctx.memoryLimit ? { memoryLimit: ctx.memoryLimit } : {}) }),
    );
    const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, [join(REPO_ROOT, 'test', 'bench', 'ui-child.ts'), jobPath], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (run.status !== 0) throw new Error(`bench ui process failed: ${run.stderr.slice(-3000)}`);
    const figures = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as UiFigures;
    return {
      columns: ['call', 'asked', 'median ms', 'max ms', 'returned'],
      rows: figures.timings.map((t) => [t.call, t.detail, fmt(t.medianMs, 0), fmt(t.maxMs, 0), t.result]),
      notes: [
        `${figures.findings} findings in the case. UI reads run with a 30 s timeout; under ~200 ms feels immediate.`,
        `Rollups built first (once per load): ${
          figures.rollups.map((r) => `${r.name} ${r.rows} rows in ${fmt(r.ms / 1000)} s`).join(', ') || 'already fresh'
        }.`,
      ],
    };
  },
};
