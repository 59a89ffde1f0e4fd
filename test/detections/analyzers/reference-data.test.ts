import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../electron/engine/db/database';
import { learningEnd } from '../../../electron/engine/detect/analyzers/learning';
import {
  dgaScoreSql,
  loadApiTactics,
  loadDgaModel,
  loadDgaTables,
} from '../../../electron/engine/detect/analyzers/reference-data';
import { ACTIONS } from '../../fixtures/generator/cloudtrail/catalog';
import { BEHAVIOUR_SCENARIOS, SCENARIOS, prepare } from '../../fixtures/generator/index';

const DAY = 86_400_000;

describe('API -> tactic table', () => {
  const map = loadApiTactics();
  const explicit = new Set(Object.values(map.tactics).flat());

  it('names every event the generator writes explicitly', () => {
    const p = prepare({
      outDir: '/nonexistent',
      seed: 1,
      start: '2026-03-01T00:00:00Z',
      days: 6,
      accounts: ['111122223333', '444455556666'],
      regions: ['us-east-1', 'eu-west-1'],
      cloudtrail: { eventsPerDay: 100 },
      vpcflow: { recordsPerDay: 100 },
      dns: { queriesPerDay: 100 },
      scenarios: [...SCENARIOS, ...BEHAVIOUR_SCENARIOS],
      behaviour: { habits: true },
    });
    const names = new Set([
      ...ACTIONS.map((a) => a.name),
      ...p.ctInjected.map((e) => e.eventName),
      'ConsoleLogin',
      'AssumeRole',
      'AssumeRoleWithWebIdentity',
      'RotateKey',
      'GetBucketAcl',
    ]);
    expect(names.size).toBeGreaterThan(80);
    expect([...names].filter((n) => !explicit.has(n)).sort()).toEqual([]);
  });

  it('covers the common APIs of every service the issue lists', () => {
    const common = [
      'CreateUser',
      'AttachRolePolicy',
      'GetSessionToken',
      'AssumeRole',
      'RunInstances',
      'ModifySnapshotAttribute',
      'PutBucketPolicy',
      'DeleteObject',
      'ScheduleKeyDeletion',
      'CreateGrant',
      'GetSecretValue',
      'DeleteSecret',
      'StopLogging',
      'PutEventSelectors',
      'StopConfigurationRecorder',
      'DeleteDetector',
      'LeaveOrganization',
      'ListAccounts',
      'UpdateFunctionCode20150331v2',
      'AddPermission20150331v2',
      'ModifyDBSnapshotAttribute',
      'DeleteDBInstance',
      'GenerateDbAuthToken',
    ];
    expect(common.filter((n) => !explicit.has(n))).toEqual([]);
  });

  it('files the GuardDuty example APIs under their documented tactic', () => {
    const of = (n: string) => Object.entries(map.tactics).find(([, l]) => l.includes(n))?.[0];
    expect(of('GetPasswordData')).toBe('CredentialAccess');
    expect(of('DeleteFlowLogs')).toBe('DefenseEvasion');
    expect(of('ListAccessKeys')).toBe('Discovery');
    expect(of('PutBucketReplication')).toBe('Exfiltration');
    expect(of('DeleteSecurityGroup')).toBe('Impact');
    expect(of('StartSession')).toBe('InitialAccess');
    expect(of('ImportKeyPair')).toBe('Persistence');
    expect(of('AssociateIamInstanceProfile')).toBe('PrivilegeEscalation');
  });
});

describe('learning period', () => {
  const start = Date.parse('2026-03-01T00:00:00Z');
  it('is 7 days, or a quarter of a shorter case, unless set', () => {
    expect(learningEnd(start, start + 60 * DAY)).toBe(start + 7 * DAY);
    expect(learningEnd(start, start + 4 * DAY)).toBe(start + DAY);
    expect(learningEnd(start, start + 60 * DAY, 2)).toBe(start + 2 * DAY);
    expect(learningEnd(start, start + 60 * DAY, 0)).toBe(start);
  });
});

describe('DGA model scored in DuckDB', () => {
  let db: Database;
  const model = loadDgaModel();
  beforeAll(async () => {
    db = await Database.open({ path: ':memory:' });
    await loadDgaTables(db, model);
  });
  afterAll(() => db?.close());

  const score = async (labels: string[]) => {
    const rows = await db.all<{ label: string; score: number }>(
      dgaScoreSql(`SELECT unnest(from_json($l::JSON, '["VARCHAR"]')) AS label`, model),
      { l: JSON.stringify(labels) },
    );
    return new Map(rows.map((r) => [r.label, r.score]));
  };

  it('keeps well-known names above the threshold and random ones below', async () => {
    const s = await score([
      'stackoverflow',
      'wikipedia',
      'cloudflare',
      'xkqjzvbwplmrt',
      'a8f3k2m9x7q1z0',
      'qwxzkvjhgtrp',
    ]);
    for (const benign of ['stackoverflow', 'wikipedia', 'cloudflare'])
      expect(s.get(benign)).toBeGreaterThan(model.threshold);
    for (const dga of ['xkqjzvbwplmrt', 'a8f3k2m9x7q1z0', 'qwxzkvjhgtrp'])
      expect(s.get(dga)).toBeLessThan(model.threshold);
  });

  it('stores the threshold it was measured at', () => {
    const measured = model.measured as { heldOutBenign: { falsePositiveRate: number }; overall: { recall: number } };
    expect(measured.heldOutBenign.falsePositiveRate).toBeLessThanOrEqual(0.011);
    expect(measured.overall.recall).toBeGreaterThan(0.7);
  });
});
