/**
 * `npm run bench`: load speed of each source against bare DuckDB and zcat on the same files,
 * peak memory, database size and a full detection pass, all from this one run.
 *   npm run bench [-- --only load,detect] [--keep] [--memory 2GB]
 * LOUPE_BENCH_SCALE=0.05 scales the case down for a quick look (1 = ~1M CloudTrail events,
 * 5M flow records, 1M DNS queries). The case is generated once and cached (dataset.ts).
 * To add a measurement, write a BenchSection (sections/types.ts) and append it to SECTIONS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_SPEC, benchCase } from './dataset';
import { fmt } from './measure';
import { behaviourSection } from './sections/behaviour';
import { detectSection } from './sections/detect';
import { loadSection } from './sections/load';
import { uiQueriesSection } from './sections/ui-queries';
import type { BenchContext, BenchSection, BenchTable } from './sections/types';

const SECTIONS: BenchSection[] = [loadSection, detectSection, behaviourSection, uiQueriesSection];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
    memory: { type: 'string' },
  },
});

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

function render(title: string, table: BenchTable): string {
  const all = [table.columns, ...table.rows];
  const widths = table.columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [title, line(table.columns), ...table.rows.map(line), ...(table.notes ?? []).map((n) => `  ${n}`)].join('\n');
}

const wanted = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
const sections = SECTIONS.filter((s) => !wanted || wanted.has(s.name));
const work = mkdtempSync(join(tmpdir(), 'loupe-bench-'));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
try {
  const bench = await benchCase(spec, log);
  log(
    `case ${bench.dir} (${bench.generatedSeconds === null ? 'cached' : `generated in ${fmt(bench.generatedSeconds)} s`})`,
  );
  const ctx: BenchContext = { bench, work, log, memoryLimit: values.memory, shared: {} };
  const out: string[] = [
    `Loupe bench, ${new Date().toISOString().slice(0, 10)}: scale ${scale}; ${bench.generated.counts.cloudtrail} CloudTrail events, ` +
      `${bench.generated.counts.vpcflow} flow records, ${bench.generated.counts.dns} DNS queries`,
  ];
  for (const section of sections) {
    const started = performance.now();
    const table = await section.run(ctx);
    log(`${section.name} done in ${fmt((performance.now() - started) / 1000)} s`);
    out.push('', render(section.title, table));
  }
  process.stdout.write(out.join('\n') + '\n');
  if (values.keep) log(`kept ${work}`);
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
