import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GuardDutyFinding } from '../../../shared/findings/guardduty';
import type { Database } from '../../../electron/engine/db/database';
import { createRuleTestDb, insertEvents } from '../../../electron/engine/detect/rule-tests';
import { DEFAULT_RULES_DIR } from '../../../electron/engine/detect/rules';
import { runDetections } from '../../../electron/engine/detect/runner';
import { loadIntelText } from '../../../electron/engine/intel/lists';
import type { JobContext } from '../../../electron/engine/jobs/job-registry';

const tmp = mkdtempSync(join(tmpdir(), 'loupe-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A rules folder with copies of real rules plus whatever broken files a test adds. */
function rulesDir(name: string, real: string[], extra: Record<string, string> = {}): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'cloudtrail'), { recursive: true });
  for (const id of real)
    copyFileSync(join(DEFAULT_RULES_DIR, 'cloudtrail', `${id}.yml`), join(dir, 'cloudtrail', `${id}.yml`));
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, 'cloudtrail', file), text);
  return dir;
}

const ctx = (signal = new AbortController().signal): JobContext & { phases: string[] } => {
  const phases: string[] = [];
  return { signal, phases, report: (p) => void (p.phase && phases.push(p.phase)) };
};

const root = (n: number, extra: Record<string, unknown> = {}) => ({
  event_uid: `root-${n}`,
  event_time: `2026-03-02T1${n}:00:00Z`,
  event_name: 'ListBuckets',
  event_source: 's3.amazonaws.com',
  principal_type: 'Root',
  principal_arn: 'arn:aws:iam::111122223333:root',
  source_ip: '8.8.8.8',
  ...extra,
});

async function findings(
  db: Database,
): Promise<
  Array<{ id: string; count: number; created: string; updated: string; archived: boolean; finding: GuardDutyFinding }>
> {
  const rows = await db.all<{
    id: string;
    count: number;
    created: string;
    updated: string;
    archived: boolean;
    finding: string;
  }>(
    `SELECT id, count::INTEGER AS count, iso_ts(created_at) AS created, iso_ts(updated_at) AS updated, archived, finding FROM findings ORDER BY id`,
  );
  return rows.map((r) => ({ ...r, finding: JSON.parse(r.finding) as GuardDutyFinding }));
}

let db: Database;
beforeAll(async () => {
  db = await createRuleTestDb();
});
afterAll(() => db?.close());
beforeEach(async () => {
  for (const sql of [
    'DELETE FROM cloudtrail',
    'DELETE FROM findings',
    'DELETE FROM finding_events',
    'DELETE FROM intel WHERE NOT bundled',
    'DELETE FROM intel_lists WHERE NOT bundled',
  ]) {
    await db.run(sql);
  }
});

// These tests are about the rule mechanics; the learned-behaviour analyzers (on by default in
// a detection pass) have their own tests in test/detections/analyzers.
describe('runDetections', () => {
  it('builds one GuardDuty finding per aggregation key, linked to all its events', async () => {
    await insertEvents(db, 'cloudtrail', [
      root(1),
      root(2, { event_name: 'CreateUser', event_source: 'iam.amazonaws.com' }),
    ]);
    const report = await runDetections(db, ctx(), {
      analyzers: false,
      rulesDir: rulesDir('shape', ['root-credential-usage']),
      now: new Date('2026-03-03T00:00:00Z'),
    });
    expect(report).toMatchObject({
      rules: 1,
      rulesFailed: [],
      findings: 1,
      byType: { 'Policy:IAMUser/RootCredentialUsage': 1 },
      bySeverity: { Low: 1 },
    });
    const [f] = await findings(db);
    expect(f?.finding).toMatchObject({
      schemaVersion: '2.0',
      accountId: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      type: 'Policy:IAMUser/RootCredentialUsage',
      title: 'API CreateUser was invoked using root credentials in account 111122223333.',
      severity: 2,
      createdAt: '2026-03-03T00:00:00.000Z',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { userName: 'Root', userType: 'Root' } },
      service: {
        serviceName: 'guardduty',
        resourceRole: 'TARGET',
        archived: false,
        count: 2,
        eventFirstSeen: '2026-03-02T11:00:00.000Z',
        eventLastSeen: '2026-03-02T12:00:00.000Z',
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: {
            api: 'CreateUser',
            serviceName: 'iam.amazonaws.com',
            callerType: 'Remote IP',
            remoteIpDetails: {
              ipAddressV4: '8.8.8.8',
              organization: { asn: '15169', asnOrg: 'Google LLC' },
              country: { countryCode: 'US', countryName: 'United States' },
            },
          },
        },
        additionalInfo: { type: 'default', ruleId: 'root-credential-usage' },
      },
    });
    expect(f?.id).toMatch(/^[0-9a-f]{32}$/);
    expect(f?.finding.arn).toBe(
      `arn:aws:guardduty:us-east-1:111122223333:detector/${f?.finding.service.detectorId}/finding/${f?.id}`,
    );
    expect(JSON.parse(String(f?.finding.service.additionalInfo?.value))).toMatchObject({
      ruleId: 'root-credential-usage',
      runbook: expect.any(Array),
    });
    const links = await db.all<{ event_uid: string; source: string }>(
      `SELECT event_uid, source FROM finding_events WHERE finding_id = $id ORDER BY event_uid`,
      { id: f?.id ?? '' },
    );
    expect(links).toEqual([
      { event_uid: 'root-1', source: 'cloudtrail' },
      { event_uid: 'root-2', source: 'cloudtrail' },
    ]);
  });

  it('re-running updates the same finding: count and last seen move, createdAt and archived stay', async () => {
    const dir = rulesDir('rerun', ['root-credential-usage']);
    await insertEvents(db, 'cloudtrail', [root(1)]);
    await runDetections(db, ctx(), { analyzers: false, rulesDir: dir, now: new Date('2026-03-03T00:00:00Z') });
    const [first] = await findings(db);
    await db.run(`UPDATE findings SET archived = true`);

    await runDetections(db, ctx(), { analyzers: false, rulesDir: dir, now: new Date('2026-03-04T00:00:00Z') });
    const [same] = await findings(db);
    expect(same).toMatchObject({
      id: first?.id,
      count: 1,
      created: first?.created,
      updated: first?.updated,
      archived: true,
    });

    // An event exported twice (overlapping exports) counts once.
    await insertEvents(db, 'cloudtrail', [root(3), root(3, { file_id: 1 })], { firstPosition: 10 });
    const report = await runDetections(db, ctx(), {
      analyzers: false,
      rulesDir: dir,
      now: new Date('2026-03-05T00:00:00Z'),
    });
    expect(report.findings).toBe(1);
    const [moved] = await findings(db);
    expect(moved).toMatchObject({
      id: first?.id,
      count: 2,
      created: first?.created,
      updated: '2026-03-05T00:00:00.000Z',
      archived: true,
    });
    expect(moved?.finding).toMatchObject({
      createdAt: first?.finding.createdAt,
      updatedAt: '2026-03-05T00:00:00.000Z',
      service: { archived: true, count: 2, eventLastSeen: '2026-03-02T13:00:00.000Z' },
    });
    const links = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM finding_events`);
    expect(links?.n).toBe(2);
  });

  it('a broken rule disables itself with an error naming its file; the others still run', async () => {
    const dir = rulesDir('broken', ['root-credential-usage'], {
      'bad-yaml.yml': 'id: bad-yaml\ntype: [unclosed\n',
      'bad-sql.yml': `id: bad-sql
type: Policy:IAMUser/RootCredentialUsage
source: cloudtrail
title: never
description: a rule whose query names a column that does not exist
severity: 2
mitre: [TA0001:T1078]
query: SELECT event_uid, event_time, account_id, aws_region AS region, no_such_column AS resource_id FROM cloudtrail
runbook: [Fix the query of this rule., Run the detections again.]
tests:
  - { name: a, expect: match, events: [{ event_name: X }] }
  - { name: b, expect: no_match, events: [{ event_name: X }] }
`,
      'bad-shape.yml': `id: bad-shape
type: Policy:IAMUser/RootCredentialUsage
source: cloudtrail
title: never
description: a rule whose query lacks the columns the runner needs
severity: 2
mitre: [TA0001:T1078]
query: SELECT event_uid FROM cloudtrail
runbook: [Fix the query of this rule., Run the detections again.]
tests:
  - { name: a, expect: match, events: [{ event_name: X }] }
  - { name: b, expect: no_match, events: [{ event_name: X }] }
`,
    });
    await insertEvents(db, 'cloudtrail', [root(1)]);
    const report = await runDetections(db, ctx(), { analyzers: false, rulesDir: dir });
    expect(report.rules).toBe(1);
    expect(report.findings).toBe(1);
    const failed = Object.fromEntries(report.rulesFailed.map((f) => [f.ruleId, f]));
    expect(Object.keys(failed).sort()).toEqual(['bad-shape', 'bad-sql', 'bad-yaml']);
    expect(failed['bad-yaml']?.error).toMatch(/bad-yaml\.yml: not valid YAML/);
    expect(failed['bad-sql']?.error).toMatch(/bad-sql\.yml: query does not compile: .*no_such_column/);
    expect(failed['bad-shape']?.error).toMatch(/bad-shape\.yml: query returns no event_time column/);
  });

  it('a trusted list wins over a threat list, and findings it now covers go away', async () => {
    const dir = rulesDir('trusted', ['iam-malicious-ip-caller-custom']);
    await insertEvents(db, 'cloudtrail', [
      { event_name: 'CreateUser', event_source: 'iam.amazonaws.com', source_ip: '198.51.100.7' },
      {
        event_name: 'CreateUser',
        event_source: 'iam.amazonaws.com',
        source_ip: '198.51.100.8',
        principal_arn: 'arn:aws:iam::111122223333:user/bob',
      },
    ]);
    await loadIntelText(db, '198.51.100.0/24\n', 'threat', { name: 'bad-block' });
    const before = await runDetections(db, ctx(), { analyzers: false, rulesDir: dir });
    expect(before.findings).toBe(2);
    const [one] = (await findings(db)).filter(
      (f) => f.finding.service.action?.awsApiCallAction?.remoteIpDetails?.ipAddressV4 === '198.51.100.7',
    );
    expect(one?.finding.service.evidence?.threatIntelligenceDetails).toEqual([
      {
        threatListName: 'bad-block',
        threatNames: ['198.51.100.0/24'],
        threatFileSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);

    await loadIntelText(db, '198.51.100.7\n', 'trusted', { name: 'partners' });
    const after = await runDetections(db, ctx(), { analyzers: false, rulesDir: dir });
    expect(after).toMatchObject({ findings: 1, suppressedByTrustedList: 1, findingsRemoved: 1 });
    const left = await findings(db);
    expect(left.map((f) => f.finding.service.action?.awsApiCallAction?.remoteIpDetails?.ipAddressV4)).toEqual([
      '198.51.100.8',
    ]);
    const orphans = await db.one<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM finding_events WHERE finding_id NOT IN (SELECT id FROM findings)`,
    );
    expect(orphans?.n).toBe(0);
  });

  it('cancel stops the run and leaves earlier findings as they were', async () => {
    const dir = rulesDir('cancel', ['root-credential-usage']);
    await insertEvents(db, 'cloudtrail', [root(1)]);
    await runDetections(db, ctx(), { analyzers: false, rulesDir: dir });
    const before = await findings(db);
    await insertEvents(db, 'cloudtrail', [root(2)], { firstPosition: 5 });
    const controller = new AbortController();
    controller.abort();
    await expect(runDetections(db, ctx(controller.signal), { analyzers: false, rulesDir: dir })).rejects.toMatchObject({
      code: 'QUERY_CANCELLED',
    });
    expect(await findings(db)).toEqual(before);
  });

  it('rules whose source table is missing are skipped, not failed', async () => {
    await db.run(`CREATE TABLE IF NOT EXISTS scratch_marker (x INTEGER)`);
    const dir = join(tmp, 'skip');
    mkdirSync(join(dir, 'dns'), { recursive: true });
    writeFileSync(
      join(dir, 'dns', 'needs-dns.yml'),
      `id: needs-dns
type: Trojan:EC2/DropPoint!DNS
source: dns
title: never
description: a DNS rule run against a case without the DNS table
severity: 5
mitre: [TA0011:T1071.004]
query: SELECT event_uid, query_time AS event_time, account_id, region, instance_id AS resource_id FROM dns
runbook: [Load Route 53 Resolver logs., Run the detections again.]
tests:
  - { name: a, expect: match, events: [{ query_name: x }] }
  - { name: b, expect: no_match, events: [{ query_name: x }] }
`,
    );
    const other = await createRuleTestDb();
    await other.run('DROP TABLE dns');
    const report = await runDetections(other, ctx(), { analyzers: false, rulesDir: dir });
    other.close();
    expect(report).toMatchObject({
      rules: 0,
      rulesFailed: [],
      rulesSkipped: [{ ruleId: 'needs-dns', reason: 'no dns table in this case' }],
    });
  });
});
