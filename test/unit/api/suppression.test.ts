import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caseStateSchema, type CaseState, type CaseStateInput } from '../../../shared/api/schemas';
import type { Database } from '../../../electron/engine/db/database';
import { applySuppression, effectiveRules, matchRules } from '../../../electron/engine/case/suppression';
import { readSuppressionRules } from '../../../electron/engine/case/suppression-file';
import { emptyCaseState } from '../../../electron/engine/workspace/case-state';
import { openCaseDb } from './case-fixture';

/**
 * Suppression rules as GuardDuty filter criteria, evaluated in SQL over real DuckDB against
 * full finding JSON: operators, nested arrays, account scopes, rank, and what wins when.
 */
let db: Database;
const AT = '2025-03-01T00:00:00.000Z';

interface Seed {
  id: string;
  type: string;
  severity: number;
  account?: string;
  archived?: boolean;
  tags?: Array<{ key: string; value: string }>;
  remoteIp?: string;
  threatList?: string;
  updatedAt?: string;
}

async function addFinding(s: Seed): Promise<void> {
  const account = s.account ?? '111122223333';
  const finding = {
    schemaVersion: '2.0',
    id: s.id,
    type: s.type,
    severity: s.severity,
    accountId: account,
    region: 'us-east-1',
    updatedAt: s.updatedAt ?? '2025-02-01T10:00:00.000Z',
    resource: {
      resourceType: 'Instance',
      instanceDetails: { instanceId: `i-${s.id}`, tags: s.tags ?? [] },
    },
    service: {
      archived: !s.archived,
      count: 1,
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: { remoteIpDetails: { ipAddressV4: s.remoteIp ?? '198.51.100.7' } },
      },
      additionalInfo: s.threatList ? { threatListName: s.threatList } : {},
    },
  };
  await db.run(
    `INSERT INTO findings (id, type, severity, title, account_id, region, resource_type, resource_id, rule_id, count,
                           first_seen, last_seen, created_at, updated_at, archived, finding)
     VALUES ($id, $type, $severity, 't', $account, 'us-east-1', 'Instance', $id, 'rule', 1,
             now(), now(), now(), now(), $archived, CAST($json AS JSON))`,
    {
      id: s.id,
      type: s.type,
      severity: s.severity,
      account,
      archived: s.archived ?? false,
      json: JSON.stringify(finding),
    },
  );
}

function state(over: Partial<CaseStateInput> = {}): CaseState {
  return caseStateSchema.parse({ ...emptyCaseState('t', new Date(AT)), ...over });
}

function rule(id: string, criterion: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { id, name: id, criterion, createdAt: AT, updatedAt: AT, ...extra };
}

async function archivedIds(): Promise<string[]> {
  return (await db.all<{ id: string }>(`SELECT id FROM findings WHERE archived ORDER BY id`)).map((r) => r.id);
}

beforeEach(async () => {
  db = await openCaseDb();
  await addFinding({
    id: 'ssh-bastion',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    severity: 2,
    tags: [
      { key: 'Name', value: 'web' },
      { key: 'Role', value: 'bastion' },
    ],
  });
  await addFinding({ id: 'ssh-web', type: 'UnauthorizedAccess:EC2/SSHBruteForce', severity: 2 });
  await addFinding({ id: 'scan', type: 'Recon:EC2/Portscan', severity: 5, remoteIp: '203.0.113.50' });
  await addFinding({
    id: 'c2',
    type: 'Backdoor:EC2/C&CActivity.B!DNS',
    severity: 8.4,
    account: '444455556666',
    updatedAt: '2025-02-03T10:00:00.000Z',
  });
  await addFinding({
    id: 'intel',
    type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
    severity: 5,
    account: '444455556666',
    threatList: 'partner-list.txt',
  });
});
afterEach(() => db.close());

describe('suppression criteria', () => {
  const match = async (criterion: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    [
      ...(await matchRules(db, effectiveRules(state({ suppressionRules: [rule('r', criterion, extra)] })))).keys(),
    ].sort();

  it('matches equals on a field and on any element of a nested array (tags.key / tags.value)', async () => {
    expect(await match({ type: { Eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] } })).toEqual(['ssh-bastion', 'ssh-web']);
    expect(
      await match({
        type: { eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] },
        'resource.instanceDetails.tags.value': { equals: ['bastion'] },
      }),
    ).toEqual(['ssh-bastion']);
    expect(await match({ 'resource.instanceDetails.tags.key': { eq: ['Nope'] } })).toEqual([]);
  });

  it('treats notEquals as "no element equals", also true when the field is absent', async () => {
    expect(await match({ 'resource.instanceDetails.tags.value': { neq: ['bastion'] } })).toEqual([
      'c2',
      'intel',
      'scan',
      'ssh-web',
    ]);
  });

  it('compares severity levels as GuardDuty does (Eq "8" is 8.0-8.9) and numbers with gt/gte/lt', async () => {
    expect(await match({ severity: { Eq: ['8'] } })).toEqual(['c2']);
    expect(await match({ severity: { Gte: 5 } })).toEqual(['c2', 'intel', 'scan']);
    expect(await match({ severity: { greaterThan: 5, lessThan: 9 } })).toEqual(['c2']);
    // Timestamps compare as epoch milliseconds, like GuardDuty's filter API.
    expect(await match({ updatedAt: { gt: Date.parse('2025-02-02T00:00:00Z') } })).toEqual(['c2']);
  });

  it('matches wildcards with Matches / NotMatches', async () => {
    expect(await match({ type: { matches: ['UnauthorizedAccess:*'] } })).toEqual(['intel', 'ssh-bastion', 'ssh-web']);
    expect(
      await match({
        'service.action.networkConnectionAction.remoteIpDetails.ipAddressV4': { notMatches: ['198.51.*'] },
      }),
    ).toEqual(['scan']);
  });

  it('scopes a rule to some accounts', async () => {
    expect(await match({ severity: { gte: 1 } }, { accounts: ['444455556666'] })).toEqual(['c2', 'intel']);
  });

  it('uses the archived column, not the JSON copy, for service.archived', async () => {
    await db.run(`UPDATE findings SET archived = true WHERE id = 'scan'`);
    expect(await match({ 'service.archived': { eq: ['true'] } })).toEqual(['scan']);
  });

  it('names the first matching rule by rank', async () => {
    const rules = effectiveRules(
      state({
        suppressionRules: [
          rule('broad', { severity: { gte: 1 } }, { rank: 5 }),
          rule('narrow', { type: { eq: ['Recon:EC2/Portscan'] } }, { rank: 1 }),
          rule('off', { severity: { gte: 1 } }, { rank: 1, enabled: false }),
        ],
      }),
    );
    const matched = await matchRules(db, rules);
    expect(matched.get('scan')).toBe('narrow');
    expect(matched.get('c2')).toBe('broad');
  });
});

describe('applying suppression', () => {
  it('archives matches, remembers the rule, and unarchives them when the rule goes', async () => {
    const rules = [rule('bastions', { 'resource.instanceDetails.tags.value': { eq: ['bastion'] } })];
    const first = await applySuppression(db, state({ suppressionRules: rules }));
    expect(first).toMatchObject({ archived: 1, unarchived: 0, changed: true });
    expect(first.state.findings['ssh-bastion']?.suppressedBy).toBe('bastions');
    expect(await archivedIds()).toEqual(['ssh-bastion']);

    // Running again changes nothing.
    const again = await applySuppression(db, first.state);
    expect(again).toMatchObject({ archived: 0, unarchived: 0, changed: false });

    const removed = await applySuppression(db, { ...first.state, suppressionRules: [] });
    expect(removed).toMatchObject({ archived: 0, unarchived: 1, changed: true });
    expect(removed.state.findings['ssh-bastion']?.suppressedBy).toBeUndefined();
    expect(await archivedIds()).toEqual([]);
  });

  it("lets the analyst's own archive or unarchive win over the rules, and never touches others' archives", async () => {
    await db.run(`UPDATE findings SET archived = true WHERE id = 'c2'`);
    const decided = state({
      suppressionRules: [rule('all-ssh', { type: { eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] } })],
      findings: {
        'ssh-web': { status: 'investigating', comments: [], tags: [], archived: false, updatedAt: AT },
        scan: { status: 'benign', comments: [], tags: [], archived: true, updatedAt: AT },
      },
    });
    const result = await applySuppression(db, decided);
    expect(await archivedIds()).toEqual(['c2', 'scan', 'ssh-bastion']);
    expect(result.state.findings['ssh-web']?.suppressedBy).toBeUndefined();
    expect(result.state.findings['ssh-web']?.status).toBe('investigating');
  });

  it('archives findings of a threat list raised for accounts outside its scope', async () => {
    const list = {
      id: 'threat:partner-list.txt',
      name: 'partner-list.txt',
      kind: 'threat' as const,
      format: 'TXT' as const,
      source: '/lists/partner-list.txt',
      sha256: 'a'.repeat(64),
      entries: 3,
      importedAt: AT,
    };
    const inScope = await applySuppression(db, state({ intelLists: [{ ...list, accounts: ['444455556666'] }] }));
    expect(inScope.archived).toBe(0);
    const outOfScope = await applySuppression(db, state({ intelLists: [{ ...list, accounts: ['111122223333'] }] }));
    expect(outOfScope.archived).toBe(1);
    expect(outOfScope.state.findings['intel']?.suppressedBy).toBe('intel:partner-list.txt');
  });
});

describe('suppression rules files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loupe-suppress-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads GuardDuty's CreateFilter shape, lists of filters, and skips NOOP filters", async () => {
    const file = join(dir, 'filters.json');
    writeFileSync(
      file,
      JSON.stringify({
        Filters: [
          {
            Name: 'Bastion SSH',
            Action: 'ARCHIVE',
            Rank: 2,
            Description: 'expected brute force on bastions',
            FindingCriteria: {
              Criterion: {
                type: { Eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] },
                'resource.instanceDetails.tags.value': { Eq: ['bastion'] },
              },
            },
          },
          { Name: 'just a view', Action: 'NOOP', FindingCriteria: { Criterion: { severity: { Gte: 7 } } } },
          { name: 'loupe style', criterion: { severity: { lt: 4 } }, accounts: ['111122223333'] },
        ],
      }),
    );
    const rules = await readSuppressionRules(file, new Date(AT));
    expect(rules.map((r) => [r.id, r.rank, r.accounts])).toEqual([
      ['bastion-ssh', 2, undefined],
      ['loupe-style', undefined, ['111122223333']],
    ]);
    expect(rules[0]?.criterion['type']).toEqual({ eq: ['UnauthorizedAccess:EC2/SSHBruteForce'] });
  });

  it('names the file and the field when a filter is wrong', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ Name: 'x', FindingCriteria: { Criterion: { type: { Like: ['*'] } } } }));
    await expect(readSuppressionRules(file)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`${file}: filter 1 is not valid`),
    });
    writeFileSync(file, '{ not json');
    await expect(readSuppressionRules(file)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
