import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../../electron/engine/db/database';
import { migrate } from '../../../electron/engine/db/schema';
import { correlationRules, prepareCorrelation } from '../../../electron/engine/detect/analyzers/correlation';
import { stageRule } from '../../../electron/engine/detect/stage';

/**
 * The correlation rules on hand-made signals in detect_hits (what earlier rules and analyzers
 * would have staged): which windows become a sequence, how many findings, which type.
 */
let db: Database;

beforeAll(async () => {
  db = await Database.open({ path: ':memory:' });
  await migrate(db);
  await prepareCorrelation(db, {});
});
afterAll(() => db?.close());
beforeEach(async () => {
  await db.run(`DELETE FROM detect_hits`);
});

/** Unusual-behaviour evidence as the IAM/S3 analyzers write it; keys present = unseen. */
function anomaly(user: string[], account: string[] = []): string {
  const unseen = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, { profileSubtype: 'UNSEEN' }]));
  return JSON.stringify({ anomaly: { unusual: { behavior: { User: unseen(user), Account: unseen(account) } } } });
}

let seq = 0;
async function signal(
  key: string,
  type: string,
  at: string,
  options: { evidence?: string; region?: string; uid?: string } = {},
): Promise<void> {
  seq++;
  await db.run(
    `INSERT INTO detect_hits (rule_id, type, source, finding_id, event_uid, event_time, account_id, region, resource_id,
                              resource_role, discriminator, access_key_id, api, evidence)
     VALUES ('r-' || $type, $type, 'cloudtrail', md5($type || $key), $uid, $at::TIMESTAMPTZ, '111122223333', $region, $key,
             'TARGET', '', $key, 'Api' || $n, $evidence::JSON)`,
    {
      type,
      key,
      uid: options.uid ?? `ev-${seq}`,
      at,
      region: options.region ?? 'us-east-1',
      n: seq,
      evidence: options.evidence ?? 'null',
    },
  );
}

type Found = { type: string; credential: string; findings: number; calls: number };
async function sequences(): Promise<Found[]> {
  for (const rule of correlationRules()) await stageRule(db, rule, { now: new Date('2026-03-10T00:00:00Z') });
  return db.all<Found>(
    `SELECT type, resource_id AS credential, count(DISTINCT finding_id)::INTEGER AS findings, count(DISTINCT event_uid)::INTEGER AS calls
       FROM detect_hits WHERE starts_with(type, 'AttackSequence:') GROUP BY ALL ORDER BY ALL`,
  );
}

const WEAK_DISCOVERY = anomaly(['Api', 'UserAgent']);
const WEAK_PERSISTENCE = anomaly(['Api', 'UserAgent']);
const STRONG = anomaly(['Api', 'AsnOrg', 'UserAgent']);

describe('attack sequences', () => {
  it('needs a strong signal: weak anomalies and Low rule findings of three tactics are not enough', async () => {
    await signal('K1', 'Discovery:IAMUser/AnomalousBehavior', '2026-03-05T10:00:00Z', { evidence: WEAK_DISCOVERY });
    await signal('K1', 'Persistence:IAMUser/AnomalousBehavior', '2026-03-05T10:05:00Z', { evidence: WEAK_PERSISTENCE });
    await signal('K1', 'Stealth:S3/ServerAccessLoggingDisabled', '2026-03-05T10:06:00Z');
    await signal('K1', 'Policy:S3/BucketBlockPublicAccessDisabled', '2026-03-05T10:07:00Z');
    expect(await sequences()).toEqual([]);
  });

  it('starts with the first strong signal and keeps its calls from then on', async () => {
    await signal('K1', 'Discovery:IAMUser/AnomalousBehavior', '2026-03-05T10:00:00Z', { evidence: WEAK_DISCOVERY });
    await signal('K1', 'Persistence:IAMUser/AnomalousBehavior', '2026-03-05T10:05:00Z', { evidence: WEAK_PERSISTENCE });
    await signal('K1', 'PrivilegeEscalation:IAMUser/AnomalousBehavior', '2026-03-05T10:06:00Z', { evidence: STRONG });
    await signal('K1', 'DefenseEvasion:IAMUser/AnomalousBehavior', '2026-03-05T10:09:00Z', { evidence: STRONG });
    expect(await sequences()).toEqual([
      { type: 'AttackSequence:IAM/CompromisedCredentials', credential: 'K1', findings: 1, calls: 2 },
    ]);
  });

  it('does not count InitialAccess as a tactic: stolen credentials that only look around are not a sequence', async () => {
    for (const [i, api] of ['10:00', '10:01', '10:02'].entries()) {
      await signal(
        'K2',
        'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        `2026-03-05T${api}:00Z`,
        {
          uid: `steal-${i}`,
        },
      );
      await signal('K2', 'Discovery:IAMUser/AnomalousBehavior', `2026-03-05T${api}:00Z`, {
        uid: `steal-${i}`,
        evidence: STRONG,
      });
    }
    expect(await sequences()).toEqual([]);
    await signal('K2', 'Persistence:IAMUser/AnomalousBehavior', '2026-03-05T10:03:00Z', { evidence: STRONG });
    expect((await sequences()).map((s) => [s.credential, s.findings])).toEqual([['K2', 1]]);
  });

  it('gives one finding per credential per 24 hours, whatever the regions', async () => {
    const chain = async (day: string) => {
      await signal('K3', 'Discovery:IAMUser/AnomalousBehavior', `${day}T08:00:00Z`, {
        evidence: STRONG,
        region: 'eu-west-1',
      });
      await signal('K3', 'Persistence:IAMUser/AnomalousBehavior', `${day}T08:10:00Z`, { evidence: STRONG });
      await signal('K3', 'PrivilegeEscalation:IAMUser/AnomalousBehavior', `${day}T09:00:00Z`, {
        evidence: STRONG,
        region: 'us-west-2',
      });
      await signal('K3', 'DefenseEvasion:IAMUser/AnomalousBehavior', `${day}T20:00:00Z`, { evidence: STRONG });
    };
    await chain('2026-03-05');
    expect((await sequences()).map((s) => s.findings)).toEqual([1]);
    await chain('2026-03-07');
    expect((await sequences()).map((s) => s.findings)).toEqual([2]);
  });

  it('is an S3 data compromise when the window holds S3 data signals when it starts, and only that', async () => {
    await signal('K4', 'Discovery:IAMUser/AnomalousBehavior', '2026-03-05T10:00:00Z', { evidence: STRONG });
    await signal('K4', 'Discovery:IAMUser/AnomalousBehavior', '2026-03-05T10:01:00Z', { evidence: STRONG });
    await signal('K4', 'Exfiltration:S3/AnomalousBehavior', '2026-03-05T10:05:00Z', { evidence: STRONG });
    await signal('K4', 'Impact:S3/AnomalousBehavior.Delete', '2026-03-05T10:20:00Z', { evidence: STRONG });
    expect(await sequences()).toEqual([
      { type: 'AttackSequence:S3/CompromisedData', credential: 'K4', findings: 1, calls: 2 },
    ]);
  });

  it('lets a Medium rule finding be the strong signal', async () => {
    await signal('K5', 'PenTest:IAMUser/KaliLinux', '2026-03-05T10:00:00Z');
    await signal('K5', 'Discovery:IAMUser/AnomalousBehavior', '2026-03-05T10:01:00Z', { evidence: WEAK_DISCOVERY });
    await signal('K5', 'Persistence:IAMUser/AnomalousBehavior', '2026-03-05T10:02:00Z', { evidence: WEAK_PERSISTENCE });
    expect((await sequences()).map((s) => [s.type, s.credential])).toEqual([
      ['AttackSequence:IAM/CompromisedCredentials', 'K5'],
    ]);
  });
});
