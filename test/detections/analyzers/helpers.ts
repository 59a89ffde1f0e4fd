import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import type { JobContext } from '../../../electron/engine/jobs/job-registry';
import { ingestPaths } from '../../../electron/engine/sources/ingest';
import {
  BEHAVIOUR_SCENARIOS,
  generateCase,
  type CaseSpec,
  type GeneratedCase,
  type InjectedScenario,
} from '../../fixtures/generator/index';

export const ctx = (): JobContext => ({ signal: new AbortController().signal, report: () => undefined });

/** Two accounts, one region, six days, the benign habits and every behaviour scenario. */
export const SMALL_BEHAVIOUR_SPEC: Omit<CaseSpec, 'outDir'> = {
  seed: 5,
  start: '2026-03-01T00:00:00Z',
  days: 6,
  accounts: ['111122223333', '444455556666'],
  regions: ['us-east-1'],
  cloudtrail: { eventsPerDay: 3000, fileMinutes: 60, digests: false },
  vpcflow: { recordsPerDay: 8000, fileMinutes: 60 },
  dns: { queriesPerDay: 2000, fileMinutes: 60 },
  scenarios: [...BEHAVIOUR_SCENARIOS],
  behaviour: { habits: true, extraInstancesPerVpc: 2 },
  gzipLevel: 1,
};

export async function generateSmallCase(spec: Omit<CaseSpec, 'outDir'> = SMALL_BEHAVIOUR_SPEC): Promise<GeneratedCase> {
  return generateCase({ ...spec, outDir: mkdtempSync(join(tmpdir(), 'loupe-behaviour-')) });
}

export async function loadCase(dir: string): Promise<Database> {
  const db = await Database.open({ path: ':memory:' });
  await migrate(db);
  await ingestPaths(db, [join(dir, 'AWSLogs')], ctx());
  return db;
}

/** Finding id -> type, rule and the generator's evidence keys of its events (eventID or file#line). */
export async function findingKeys(
  db: Database,
  dir: string,
): Promise<Map<string, { type: string; rule: string; keys: Set<string> }>> {
  const rows = await db.all<{ id: string; type: string; rule_id: string; key: string }>(
    `SELECT f.id, f.type, f.rule_id,
            CASE fe.source WHEN 'cloudtrail' THEN fe.event_uid ELSE substr(fl.path, $prefix) || '#' || coalesce(v.position, d.position) END AS key
       FROM findings f JOIN finding_events fe ON fe.finding_id = f.id
       LEFT JOIN vpcflow v ON fe.source = 'vpcflow' AND v.event_uid = fe.event_uid
       LEFT JOIN dns d ON fe.source = 'dns' AND d.event_uid = fe.event_uid
       LEFT JOIN files fl ON fl.file_id = coalesce(v.file_id, d.file_id)`,
    { prefix: dir.length + 2 },
  );
  const out = new Map<string, { type: string; rule: string; keys: Set<string> }>();
  for (const r of rows) {
    const f = out.get(r.id) ?? { type: r.type, rule: r.rule_id, keys: new Set<string>() };
    f.keys.add(r.key);
    out.set(r.id, f);
  }
  return out;
}

export function touching(
  findings: Map<string, { type: string; rule: string; keys: Set<string> }>,
  s: InjectedScenario,
) {
  const keys = [...s.eventIds, ...(s.contextEventIds ?? [])];
  return [...findings.values()].filter((f) => keys.some((k) => f.keys.has(k)));
}
