import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../electron/engine/db/database';
import { runDetections } from '../../../electron/engine/detect/runner';
import type { GeneratedCase, InjectedScenario, ScenarioName } from '../../fixtures/generator/index';
import { ctx, findingKeys, generateSmallCase, loadCase, SMALL_BEHAVIOUR_SPEC, touching } from './helpers';

/**
 * Attack sequences on generated logs, with every rule file and every analyzer running (the
 * correlation sees rule findings and anomalies alike). A case of benign habits and decoys only
 * must produce no sequence at all; the same case with the two injected chains must produce
 * exactly one sequence per stolen credential, of the right type, built from that credential.
 */
const DECOYS: ScenarioName[] = [
  'website-bucket-decoy',
  'admin-iam-changes-decoy',
  'ci-bulk-read-decoy',
  'nightly-backup-decoy',
  'dns-new-saas-decoy',
];
const CHAINS: ScenarioName[] = ['attack-sequence-iam', 'attack-sequence-s3'];
const NOW = new Date('2026-03-08T00:00:00Z');

interface Loaded {
  gen: GeneratedCase;
  db: Database;
}

async function detected(scenarios: ScenarioName[]): Promise<Loaded> {
  const gen = await generateSmallCase({ ...SMALL_BEHAVIOUR_SPEC, seed: 9, scenarios });
  const db = await loadCase(gen.outDir);
  await runDetections(db, ctx(), { now: NOW, learningDays: 2 });
  return { gen, db };
}

function close(c: Loaded | undefined): void {
  c?.db.close();
  if (c) rmSync(c.gen.outDir, { recursive: true, force: true });
}

type SequenceRow = { id: string; type: string; resource_id: string; n: number; finding: string };
const SEQUENCES = `SELECT id, type, resource_id, count::INTEGER AS n, finding FROM findings WHERE starts_with(type, 'AttackSequence:') ORDER BY id`;

describe('benign activity', () => {
  let c: Loaded;
  beforeAll(async () => {
    c = await detected(DECOYS);
  }, 300_000);
  afterAll(() => close(c));

  it('gives the correlation weak signals of two tactics on one credential (the website decoy)', async () => {
    const decoy = c.gen.scenarios.find((s) => s.name === 'website-bucket-decoy') as InjectedScenario;
    const row = await c.db.one<{ calls: number; types: number; creds: number }>(
      `SELECT count(DISTINCT event_uid)::INTEGER AS calls, count(DISTINCT type)::INTEGER AS types,
              count(DISTINCT coalesce(access_key_id, resource_id))::INTEGER AS creds
         FROM detect_hits WHERE source = 'cloudtrail' AND event_uid IN (SELECT unnest(from_json($ids, '["VARCHAR"]')))`,
      { ids: JSON.stringify(decoy.eventIds) },
    );
    // What the earlier correlation (3 signals, 2 tactics, 2 types in 24 hours) called a sequence.
    expect(row).toEqual({ calls: 3, types: 2, creds: 1 });
  });

  it('produces no attack sequence', async () => {
    const rows = await c.db.all<SequenceRow>(SEQUENCES);
    expect(rows.map((r) => `${r.type} ${r.resource_id}`)).toEqual([]);
  });
});

describe('injected attack chains', () => {
  let c: Loaded;
  let chains: InjectedScenario[];
  beforeAll(async () => {
    c = await detected([...CHAINS, ...DECOYS]);
    chains = c.gen.scenarios.filter((s) => CHAINS.includes(s.name as ScenarioName));
  }, 300_000);
  afterAll(() => close(c));

  it('gives one sequence per stolen credential, of the chain type, on its events', async () => {
    expect(chains).toHaveLength(2);
    const rows = await c.db.all<SequenceRow>(SEQUENCES);
    const findings = await findingKeys(c.db, c.gen.outDir);
    for (const s of chains) {
      const mine = rows.filter((r) => r.resource_id === s.resource);
      expect(
        mine.map((r) => r.type),
        s.name,
      ).toEqual([s.findingType]);
      const on = touching(findings, s).filter((f) => f.type === s.findingType);
      expect(on, `${s.name} events in its sequence`).toHaveLength(1);
    }
    // Nothing else: no sequence on a credential that no chain used.
    expect(rows).toHaveLength(chains.length);
  });

  it('lists the signals of different tactics in kill-chain order, with a strong one', async () => {
    const s = chains.find((x) => x.name === 'attack-sequence-iam') as InjectedScenario;
    const row = await c.db.one<{ finding: string }>(
      `SELECT finding FROM findings WHERE type = 'AttackSequence:IAM/CompromisedCredentials' AND resource_id = $r`,
      { r: s.resource },
    );
    const f = JSON.parse(row?.finding ?? '{}') as {
      severity: number;
      service: { detection?: { sequence?: unknown }; additionalInfo?: { evidence?: { sequence?: unknown } } };
    };
    expect(f.severity).toBe(9);
    const seq = (f.service.detection?.sequence ?? f.service.additionalInfo?.evidence?.sequence) as {
      signals: Array<{ name: string; strong: boolean }>;
      sequenceIndicators: Array<{ key: string; values: string[] }>;
    };
    const tactics = seq.sequenceIndicators.find((i) => i.key === 'ATTACK_TACTIC')?.values ?? [];
    expect(tactics.length).toBeGreaterThanOrEqual(3);
    expect(tactics.indexOf('Discovery')).toBeGreaterThanOrEqual(0);
    expect(tactics.indexOf('Discovery')).toBeLessThan(tactics.indexOf('Persistence'));
    expect(seq.signals.some((g) => g.strong)).toBe(true);
  });
});
