import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database } from '../../../electron/engine/db/database';
import { runAnalyzers } from '../../../electron/engine/detect/analyzers/index';
import type { GeneratedCase, InjectedScenario } from '../../fixtures/generator/index';
import { ctx, findingKeys, generateSmallCase, loadCase, touching } from './helpers';

/**
 * Every analyzer on one small generated case (2 accounts, 6 days, benign habits, all behaviour
 * scenarios): each injected scenario produces its finding type on its own events, each decoy
 * produces nothing, nothing fires inside the learning period, and findings explain themselves.
 * Then causality: the same case cut at a time T gives exactly the same verdicts up to T.
 */
const LEARNING_DAYS = 2;
let gen: GeneratedCase;
let db: Database;
let findings: Awaited<ReturnType<typeof findingKeys>>;

beforeAll(async () => {
  gen = await generateSmallCase();
  db = await loadCase(gen.outDir);
  await runAnalyzers(db, ctx(), { learningDays: LEARNING_DAYS, now: new Date('2026-03-08T00:00:00Z') });
  findings = await findingKeys(db, gen.outDir);
}, 300_000);

afterAll(() => {
  db?.close();
  if (gen) rmSync(gen.outDir, { recursive: true, force: true });
});

const byPrefix = (prefix: string) => () =>
  gen.scenarios.filter((s) => s.findingType !== '' && s.name.startsWith(prefix));

function expectFound(s: InjectedScenario): void {
  const on = touching(findings, s).filter((f) => f.type === s.findingType);
  expect(
    on.map((f) => f.type),
    `${s.name} should produce ${s.findingType}`,
  ).toContain(s.findingType);
}

describe('IAM analyzer', () => {
  it('finds one anomaly of the right tactic for each stolen-key scenario', () => {
    const list = byPrefix('iam-anomalous-')();
    expect(list).toHaveLength(8);
    for (const s of list) expectFound(s);
  });

  it('explains the anomaly in GuardDuty shape with the baseline figures', async () => {
    const row = await db.one<{ finding: string }>(
      `SELECT finding FROM findings WHERE type = 'Persistence:IAMUser/AnomalousBehavior' LIMIT 1`,
    );
    const f = JSON.parse(row?.finding ?? '{}') as GuardDutyFinding;
    const info = f.service.additionalInfo as Record<string, unknown> | undefined;
    const anomaly = (f.service.detection?.anomaly ??
      (info?.['evidence'] as { anomaly?: unknown } | undefined)?.anomaly) as {
      unusual: { behavior: { User: Record<string, { profileSubtype: string; observations: { text: string[] } }> } };
      profiles: { User: { Api: Array<{ profileSubtype: string }> } };
    };
    expect(anomaly.unusual.behavior.User['Api']?.profileSubtype).toBe('UNSEEN');
    expect(anomaly.unusual.behavior.User['AsnOrg']?.profileSubtype).toBe('UNSEEN');
    expect(anomaly.profiles.User.Api.length).toBeGreaterThan(0);
    expect(f.description).toMatch(/Before this day, this principal made \d+ calls to \d+ APIs on \d+ days/);
  });

  it('stays quiet on the administrators routine IAM changes, even a new API from the usual place', () => {
    const decoy = gen.scenarios.find((s) => s.name === 'admin-iam-changes-decoy') as InjectedScenario;
    expect(touching(findings, decoy).filter((f) => f.rule.startsWith('behaviour-'))).toEqual([]);
  });
});

describe('S3 analyzer', () => {
  it('finds discovery, exfiltration, deletion, permission and write anomalies', () => {
    const list = byPrefix('s3-anomalous-')();
    expect(list).toHaveLength(5);
    for (const s of list) expectFound(s);
  });

  it('lets the CI role read in bulk as it does every day', () => {
    const decoy = gen.scenarios.find((s) => s.name === 'ci-bulk-read-decoy') as InjectedScenario;
    expect(decoy.eventIds.length).toBe(320);
    expect(touching(findings, decoy).filter((f) => f.rule.startsWith('behaviour-'))).toEqual([]);
  });
});

describe('flow analyzer', () => {
  it('finds the unusual port (High on 1389), volume, spam, resolver, DoH and DoT scenarios', async () => {
    const list = byPrefix('flow-')();
    expect(list).toHaveLength(6);
    for (const s of list) expectFound(s);
    const sev = await db.one<{ s: number }>(
      `SELECT max(severity) AS s FROM findings WHERE type = 'Behavior:EC2/NetworkPortUnusual'`,
    );
    expect(sev?.s).toBe(8);
  });

  it('does not flag the nightly backup upload that happens every night', () => {
    const decoy = gen.scenarios.find((s) => s.name === 'nightly-backup-decoy') as InjectedScenario;
    expect(decoy.eventIds.length).toBeGreaterThan(0);
    expect(touching(findings, decoy).filter((f) => f.rule.startsWith('behaviour-'))).toEqual([]);
  });
});

describe('DNS analyzers', () => {
  it('finds the DGA burst and the never-seen domain on an abused TLD', () => {
    for (const name of ['dns-dga', 'dns-suspicious-domain'])
      expectFound(gen.scenarios.find((s) => s.name === name) as InjectedScenario);
  });

  it('does not flag new SaaS domains with ordinary names or CDN host names', async () => {
    const decoy = gen.scenarios.find((s) => s.name === 'dns-new-saas-decoy') as InjectedScenario;
    expect(touching(findings, decoy).filter((f) => f.rule.startsWith('behaviour-'))).toEqual([]);
    const cdn = await db.one<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM detect_hits WHERE domain LIKE '%cloudfront.net'`,
    );
    const queried = await db.one<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM dns WHERE query_name LIKE '%.cloudfront.net.'`,
    );
    expect(queried?.n).toBeGreaterThan(0);
    expect(cdn?.n).toBe(0);
  });
});

describe('correlation', () => {
  it('builds both attack sequences with ordered signals', async () => {
    for (const s of byPrefix('attack-sequence-')()) expectFound(s);
    const row = await db.one<{ finding: string }>(
      `SELECT finding FROM findings WHERE type = 'AttackSequence:S3/CompromisedData' LIMIT 1`,
    );
    const f = JSON.parse(row?.finding ?? '{}') as GuardDutyFinding;
    expect(f.severity).toBe(9);
    const info = f.service.additionalInfo as Record<string, unknown>;
    const seq = (f.service.detection?.sequence ?? (info['evidence'] as { sequence: unknown }).sequence) as {
      signals: Array<{ name: string }>;
      sequenceIndicators: Array<{ key: string; values: string[] }>;
    };
    expect(seq.signals.length).toBeGreaterThanOrEqual(2);
    const tactics = seq.sequenceIndicators.find((i) => i.key === 'ATTACK_TACTIC')?.values ?? [];
    expect(tactics.indexOf('Discovery')).toBeLessThan(tactics.indexOf('Impact'));
  });
});

describe('learning period', () => {
  it('raises nothing from events inside it', async () => {
    const row = await db.one<{ n: number; total: number }>(
      `SELECT count(*) FILTER (WHERE event_time < TIMESTAMPTZ '2026-03-03T00:00:00Z')::INTEGER AS n, count(*)::INTEGER AS total
         FROM detect_hits WHERE starts_with(rule_id, 'behaviour-') AND rule_id <> 'behaviour-dns-dga'`,
    );
    expect(row?.total).toBeGreaterThan(0);
    expect(row?.n).toBe(0);
  });
});

describe('causality', () => {
  it('gives the same verdicts up to T whether or not later events are loaded', async () => {
    const cut = '2026-03-05T12:00:00Z';
    const early = await loadCase(gen.outDir);
    try {
      await early.run(`DELETE FROM cloudtrail WHERE event_time > $t::TIMESTAMPTZ`, { t: cut });
      await early.run(`DELETE FROM vpcflow WHERE start_time > $t::TIMESTAMPTZ`, { t: cut });
      await early.run(`DELETE FROM dns WHERE query_time > $t::TIMESTAMPTZ`, { t: cut });
      await runAnalyzers(early, ctx(), { learningDays: LEARNING_DAYS, now: new Date('2026-03-08T00:00:00Z') });
      const q = `SELECT rule_id || ' ' || event_uid AS k FROM detect_hits WHERE starts_with(rule_id, 'behaviour-') AND event_time <= $t::TIMESTAMPTZ ORDER BY k`;
      const full = (await db.all<{ k: string }>(q, { t: cut })).map((r) => r.k);
      const cutOnly = (await early.all<{ k: string }>(q, { t: cut })).map((r) => r.k);
      expect(full.length).toBeGreaterThan(10);
      expect(cutOnly).toEqual(full);
    } finally {
      early.close();
    }
  }, 300_000);
});
