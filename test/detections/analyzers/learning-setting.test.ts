import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, type Channel, type ChannelOutput } from '../../../shared/api/contract';
import { createEngine, invokeChannel, type Engine } from '../../../electron/engine/api';
import type { GeneratedCase } from '../../fixtures/generator/index';
import { generateSmallCase, SMALL_BEHAVIOUR_SPEC } from './helpers';

/**
 * The learning period set in the UI (case state `settings.learningPeriodDays`) reaches the
 * detection pass the UI starts (`detect:run`): a period longer than the case leaves nothing to
 * judge, so no anomaly findings; a short one brings them back.
 */
let gen: GeneratedCase;
let work: string;
let engine: Engine;

async function call<C extends Channel>(channel: C, input: unknown): Promise<ChannelOutput<C>> {
  const result = await invokeChannel(engine.handlers, channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return contract[channel].output.parse(result.value) as ChannelOutput<C>;
}

async function runJob(channel: 'case:open' | 'detect:run', input: unknown): Promise<string> {
  const { jobId } = await call(channel, input);
  return (await engine.jobs.wait(jobId)).status;
}

async function anomalyTypes(): Promise<string[]> {
  const { rows } = await call('findings:list', { limit: 1000 });
  return [
    ...new Set(rows.map((r) => r.type).filter((t) => t.includes('AnomalousBehavior') || t.startsWith('Behavior:'))),
  ];
}

beforeAll(async () => {
  gen = await generateSmallCase({
    ...SMALL_BEHAVIOUR_SPEC,
    seed: 13,
    scenarios: ['iam-anomalous-persistence', 'flow-port-unusual'],
  });
  work = mkdtempSync(join(tmpdir(), 'loupe-learning-setting-'));
  engine = await createEngine({ shell: 'desktop', configDir: join(work, 'config'), autosaveDelayMs: 50 });
  await call('case:create', { dir: join(work, 'case'), name: 'Learning period' });
  await call('case:updateState', { settings: { learningPeriodDays: 2 } });
  expect(await runJob('case:open', { paths: [join(gen.outDir, 'AWSLogs')] })).toBe('ok');
}, 300_000);

afterAll(async () => {
  await engine?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (gen) rmSync(gen.outDir, { recursive: true, force: true });
});

describe('settings.learningPeriodDays', () => {
  it('is used by the load and by detect:run', async () => {
    const before = await anomalyTypes();
    expect(before).toEqual(
      expect.arrayContaining(['Persistence:IAMUser/AnomalousBehavior', 'Behavior:EC2/NetworkPortUnusual']),
    );

    await call('case:updateState', { settings: { learningPeriodDays: 30 } });
    expect(await runJob('detect:run', {})).toBe('ok');
    expect(await anomalyTypes()).toEqual([]);

    await call('case:updateState', { settings: { learningPeriodDays: 2 } });
    expect(await runJob('detect:run', {})).toBe('ok');
    expect((await anomalyTypes()).sort()).toEqual([...before].sort());
  }, 300_000);
});
