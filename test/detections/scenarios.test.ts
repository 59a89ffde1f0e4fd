import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../electron/engine/db/database';
import { migrate } from '../../electron/engine/db/schema';
import { runDetections, type DetectReport } from '../../electron/engine/detect/runner';
import { loadIntelList } from '../../electron/engine/intel/lists';
import type { JobContext } from '../../electron/engine/jobs/job-registry';
import { ingestPaths } from '../../electron/engine/sources/ingest';
import { generateCase, SCENARIOS, type GeneratedCase, type InjectedScenario } from '../fixtures/generator/index';

/**
 * End to end over generated logs: every injected scenario must come out as a finding of its
 * GuardDuty type in its account, linked to all of the scenario's events; decoys must not.
 */
const out = mkdtempSync(join(tmpdir(), 'loupe-scenarios-'));
const ctx: JobContext = { signal: new AbortController().signal, report: () => undefined };

let db: Database;
let generated: GeneratedCase;
let report: DetectReport;
/** Generator evidence keys (`<relative path>#<line>` or eventID) -> our event_uid. */
let uidOf: (key: string) => string;

beforeAll(async () => {
  generated = await generateCase({
    outDir: out,
    seed: 11,
    start: '2026-02-01',
    days: 2,
    accounts: ['111111111111', '222222222222'],
    regions: ['us-east-1', 'eu-west-1'],
    cloudtrail: { eventsPerDay: 800 },
    vpcflow: { recordsPerDay: 4000 },
    dns: { queriesPerDay: 1500 },
    scenarios: [...SCENARIOS],
    gzipLevel: 1,
  });
  db = await Database.open({ path: ':memory:' });
  await migrate(db);
  const ingest = await ingestPaths(db, [out], ctx);
  expect(ingest.filesFailed).toBe(0);
  const intel = generated.intel;
  if (intel.threatList) await loadIntelList(db, join(out, intel.threatList), 'threat');
  if (intel.trustedList) await loadIntelList(db, join(out, intel.trustedList), 'trusted');
  if (intel.torList) await loadIntelList(db, join(out, intel.torList), 'threat', { category: 'tor-exit' });
  // The other lists (Tor relays, C&C, sinkholes...) declare their category in a `# category:` header.
  const known = new Set(
    [intel.threatList, intel.trustedList, intel.torList].filter(Boolean).map((p) => join(out, p ?? '')),
  );
  const intelDir = join(out, 'intel');
  const extra = existsSync(intelDir) ? readdirSync(intelDir).map((f) => join(intelDir, f)) : [];
  for (const path of extra.filter((p) => p.endsWith('.txt') && !known.has(p)).sort())
    await loadIntelList(db, path, 'threat');
  // The rule catalog alone: the learned-behaviour analyzers have their own scenario tests
  // (test/detections/analyzers), where a root console login after the learning period is news.
  report = await runDetections(db, ctx, { analyzers: false });
  const files = await db.all<{ file_id: number; path: string }>(`SELECT file_id, path FROM files`);
  const idByRelative = new Map(files.map((f) => [f.path.slice(out.length + 1), f.file_id]));
  uidOf = (key) => {
    const hash = key.lastIndexOf('#');
    if (hash < 0) return key;
    const fileId = idByRelative.get(key.slice(0, hash));
    return fileId === undefined ? key : `${fileId}:${key.slice(hash + 1)}`;
  };
}, 600_000);

afterAll(() => {
  db?.close();
  rmSync(out, { recursive: true, force: true });
});

type Linked = {
  id: string;
  type: string;
  account_id: string;
  resource_id: string;
  finding: string;
};

async function findingsFor(scenario: InjectedScenario): Promise<Linked[]> {
  return db.all<Linked>(
    `SELECT DISTINCT f.id, f.type, f.account_id, f.resource_id, CAST(f.finding AS VARCHAR) AS finding
       FROM finding_events e JOIN findings f ON f.id = e.finding_id
      WHERE e.event_uid IN (SELECT unnest(from_json($ids::JSON, '["VARCHAR"]')))`,
    { ids: JSON.stringify(scenario.eventIds.map((k) => uidOf(k))) },
  );
}

describe('generated case', () => {
  it('runs every rule without failures', () => {
    expect(report.rulesFailed).toEqual([]);
    expect(report.rulesSkipped).toEqual([]);
    expect(report.findings).toBeGreaterThan(0);
  });

  for (const name of SCENARIOS) {
    it(`scenario ${name}`, async () => {
      const scenario = generated.scenarios.find((s) => s.name === name);
      expect(scenario, `${name} was not injected`).toBeDefined();
      if (!scenario) return;
      expect(scenario.eventIds.length).toBeGreaterThan(0);
      const linked = await findingsFor(scenario);
      if (scenario.findingType === '') {
        expect(
          linked.map((f) => f.type),
          `decoy ${name} produced findings`,
        ).toEqual([]);
        return;
      }
      const mine = linked.filter((f) => f.type === scenario.findingType && f.account_id === scenario.accountId);
      expect(mine.length, `${name}: no ${scenario.findingType} finding in ${scenario.accountId}`).toBeGreaterThan(0);
      const covered = await db.one<{ n: number }>(
        `SELECT count(DISTINCT event_uid)::INTEGER AS n FROM finding_events
          WHERE finding_id IN (SELECT unnest(from_json($f::JSON, '["VARCHAR"]')))
            AND event_uid IN (SELECT unnest(from_json($ids::JSON, '["VARCHAR"]')))`,
        { f: JSON.stringify(mine.map((f) => f.id)), ids: JSON.stringify(scenario.eventIds.map((k) => uidOf(k))) },
      );
      expect(covered?.n, `${name}: not every scenario event is evidence`).toBe(new Set(scenario.eventIds).size);
      // The resource the scenario names appears in the finding (key, instance, bucket or user).
      expect(
        mine.some((f) => f.resource_id === scenario.resource || f.finding.includes(`"${scenario.resource}"`)),
      ).toBe(true);
    });
  }
});
