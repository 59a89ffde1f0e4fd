import type { DetectFigures } from '../case-child';
import { fmt, runChild } from '../measure';
import type { BenchSection } from './types';

/** One full detection pass (rules, intel, learned behaviour) over the case the load section built. */
export const detectSection: BenchSection = {
  name: 'detect',
  title: 'Detection pass over the loaded case (runDetections, child process)',
  async run(ctx) {
    const { caseDb, load } = ctx.shared;
    if (!caseDb || !load) throw new Error('the detect section needs the load section before it');
    ctx.log('detection pass (child process)');
    const d = runChild<DetectFigures>(ctx.work, 'detect', {
      dbPath: caseDb,
      ...(ctx.memoryLimit ? { memoryLimit: ctx.memoryLimit } : {}),
    });
    const loadSeconds = load.sources.reduce((sum, s) => sum + s.seconds, 0);
    return {
      columns: ['pass', 'seconds', 'vs load', 'rules', 'rules failed', 'findings', 'peak RSS MB'],
      rows: [
        ['load (all sources)', fmt(loadSeconds), '1.00', '', '', '', fmt(load.peakRssMb, 0)],
        [
          'detection',
          fmt(d.seconds),
          fmt(d.seconds / loadSeconds, 2),
          String(d.rules),
          String(d.rulesFailed),
          String(d.findings),
          fmt(d.peakRssMb, 0),
        ],
      ],
    };
  },
};
