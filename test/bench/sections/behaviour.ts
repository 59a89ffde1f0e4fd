import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BehaviourFigures } from '../case-child';
import { REPO_ROOT } from '../dataset';
import { fmt } from '../measure';
import type { BenchSection } from './types';

/**
 * The learned-behaviour pass alone (baselines, anomaly verdicts, DGA, correlation; no rule
 * files) over the case the load section built, next to that case's load time, with the time
 * of each analyzer step. Runs in a child process (case-child.ts behaviour) so its peak memory
 * is its own and the case database is never open twice.
 */
function runBehaviourChild(work: string, job: object): BehaviourFigures {
  const jobPath = join(work, 'behaviour-job.json');
  writeFileSync(jobPath, JSON.stringify(job));
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, [join(REPO_ROOT, 'test', 'bench', 'case-child.ts'), 'behaviour', jobPath], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`bench behaviour process failed: ${run.stderr.slice(-3000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as BehaviourFigures;
}

/** The preparation steps in the order they run; anything else the analyzers report goes last. */
const STEPS = ['learning', 'reference', 'cloudtrail-features', 'iam', 's3', 'flow', 'dns', 'correlation'];

export const behaviourSection: BenchSection = {
  name: 'behaviour',
  title: 'Learned-behaviour pass alone (analyzers, rule files off; child process) vs the load of the same case',
  async run(ctx) {
    const { caseDb, load } = ctx.shared;
    if (!caseDb || !load) throw new Error('the behaviour section needs the load section before it');
    ctx.log('learned-behaviour pass (child process)');
    const b = runBehaviourChild(ctx.work, {
      dbPath: caseDb,
      ...(ctx.memoryLimit ? { memoryLimit: ctx.memoryLimit } : {}),
    });
    const loadSeconds = load.sources.reduce((sum, s) => sum + s.seconds, 0);
    const events = b.events.cloudtrail + b.events.vpcflow + b.events.dns;
    const steps = [...STEPS, ...Object.keys(b.prepareMs).filter((k) => !STEPS.includes(k))].filter(
      (k) => b.prepareMs[k] !== undefined,
    );
    const prepared = steps.reduce((sum, k) => sum + (b.prepareMs[k] ?? 0), 0) / 1000;
    const staging = Object.values(b.ruleMs).reduce((sum, ms) => sum + ms, 0) / 1000;
    const anomalies = Object.entries(b.byType)
      .filter(([t]) => !t.startsWith('AttackSequence:'))
      .reduce((sum, [, n]) => sum + n, 0);
    const sequences = b.findings - anomalies;
    const row = (pass: string, seconds: number, extra: string[] = ['', '', '']) => [
      pass,
      fmt(seconds),
      fmt(seconds / loadSeconds, 2),
      ...extra,
    ];
    return {
      columns: ['pass', 'seconds', 'vs load', 'k events/s', 'findings', 'peak RSS MB'],
      rows: [
        row('load (all sources)', loadSeconds, [fmt(events / loadSeconds / 1000), '', fmt(load.peakRssMb, 0)]),
        row('learned behaviour', b.seconds, [fmt(events / b.seconds / 1000), String(b.findings), fmt(b.peakRssMb, 0)]),
        ...steps.map((k) => row(`  ${k}`, (b.prepareMs[k] ?? 0) / 1000)),
        row('  analyzer rules (hits)', staging),
        row('  lists, IP data, findings', Math.max(0, b.seconds - prepared - staging)),
      ],
      notes: [
        `${b.events.cloudtrail} CloudTrail events, ${b.events.vpcflow} flow records, ${b.events.dns} DNS queries; ` +
          `${anomalies} anomaly findings, ${sequences} attack sequences (rule files off, so sequences see anomalies only).`,
      ],
    };
  },
};
