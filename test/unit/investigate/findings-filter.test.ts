import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import { CASE_FORMAT_VERSION, type CaseState } from '../../../shared/api/schemas';
import type { Database } from '../../../electron/engine/db/database';
import { listAccounts } from '../../../electron/engine/case/accounts';
import { applyStatePatch } from '../../../electron/engine/case/state-patch';
import { countFindings, listFindings } from '../../../electron/engine/findings/list';
import { archivedByRule } from '../../../electron/engine/findings/suppression-view';
import { caseStateSchema, suppressionRuleSchema } from '../../../shared/api/schemas';
import { addFinding, openCaseDb } from '../api/case-fixture';

/**
 * The findings filter's exact resource id (a group drill, "Same resource") next to the substring
 * one, and archived handling; the per-rule archive counts of `suppression:list`; and the
 * settings patch that puts the learning period back to automatic.
 */
let db: Database;
const list = (filter: unknown) => listFindings(db, contract['findings:list'].input.parse({ filter }));
const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort();

beforeEach(async () => {
  db = await openCaseDb();
  const base = {
    type: 'Recon:IAMUser/MaliciousIPCaller',
    severity: 5,
    firstSeen: '2024-05-01T00:00:00Z',
    lastSeen: '2024-05-01T01:00:00Z',
  };
  await addFinding(db, { ...base, id: 'f-1', resourceId: 'AKIAEXAMPLE1' });
  await addFinding(db, { ...base, id: 'f-10', resourceId: 'AKIAEXAMPLE10' });
  await addFinding(db, { ...base, id: 'f-lower', resourceId: 'akiaexample1' });
  await addFinding(db, { ...base, id: 'f-arch', resourceId: 'AKIAEXAMPLE1', archived: true });
});
afterEach(() => db.close());

describe('findings filter by resource', () => {
  it('resourceId matches the whole id exactly, case and all; resource matches a part in any case', async () => {
    expect(ids((await list({ resourceId: 'AKIAEXAMPLE1' })).rows)).toEqual(['f-1']);
    expect(ids((await list({ resource: 'AKIAEXAMPLE1' })).rows)).toEqual(['f-1', 'f-10', 'f-lower']);
    expect((await list({ resourceId: 'AKIAEXAMPLE' })).total).toBe(0);
  });

  it('combines with archived: include and only', async () => {
    expect(ids((await list({ resourceId: 'AKIAEXAMPLE1', archived: 'include' })).rows)).toEqual(['f-1', 'f-arch']);
    expect(ids((await list({ resourceId: 'AKIAEXAMPLE1', archived: 'only' })).rows)).toEqual(['f-arch']);
    const counts = await countFindings(db, { resourceId: 'AKIAEXAMPLE1', archived: 'include' });
    expect(counts).toMatchObject({ Medium: 2, total: 2 });
  });

  it('binds the id as a value: quotes and wildcards mean themselves', async () => {
    expect((await list({ resourceId: "x' OR '1'='1" })).total).toBe(0);
    expect((await list({ resourceId: 'AKIAEXAMPLE%' })).total).toBe(0);
  });
});

function state(over: Partial<CaseState> = {}): CaseState {
  return caseStateSchema.parse({
    formatVersion: CASE_FORMAT_VERSION,
    name: 'c',
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-05-01T00:00:00.000Z',
    ...over,
  });
}

describe('archivedByRule', () => {
  const rule = (id: string) => ({
    id,
    name: id,
    criterion: { type: { eq: ['T'] } },
    createdAt: '2024-05-01T00:00:00.000Z',
    updatedAt: '2024-05-01T00:00:00.000Z',
  });
  const entry = (suppressedBy?: string) => ({
    status: 'new' as const,
    comments: [],
    tags: [],
    updatedAt: '2024-05-01T00:00:00.000Z',
    ...(suppressedBy ? { suppressedBy } : {}),
  });

  it('counts the findings each rule archives, zero for a rule that archives none, ignoring other marks', () => {
    const s = state({
      suppressionRules: [rule('r-a'), rule('r-b')].map((r) => suppressionRuleSchema.parse(r)),
      findings: { f1: entry('r-a'), f2: entry('r-a'), f3: entry('intel:list'), f4: entry(), f5: entry('r-gone') },
    });
    expect(archivedByRule(s)).toEqual({ 'r-a': 2, 'r-b': 0 });
  });
});

describe('settings patch', () => {
  it('sets the learning period, and null puts it back to automatic without touching other settings', () => {
    const s = state({ settings: { displayTimeZone: 'UTC', disabledRules: ['x'] } });
    const set = caseStateSchema.parse(applyStatePatch(s, { settings: { learningPeriodDays: 3 } }));
    expect(set.settings).toMatchObject({ learningPeriodDays: 3, disabledRules: ['x'] });
    const auto = caseStateSchema.parse(applyStatePatch(set, { settings: { learningPeriodDays: null } }));
    expect('learningPeriodDays' in auto.settings).toBe(false);
    expect(auto.settings.disabledRules).toEqual(['x']);
  });

  it('still refuses a learning period out of range', () => {
    const s = state();
    expect(() => caseStateSchema.parse(applyStatePatch(s, { settings: { learningPeriodDays: 400 } }))).toThrow();
  });
});

describe('organisation source', () => {
  it("counts roles the analyst gave single accounts as the analyst's organisation", async () => {
    const none = await listAccounts(db, state());
    expect(none.organization.source).toBe('none');
    const set = await listAccounts(
      db,
      state({
        accounts: [
          { accountId: '111122223333', role: 'management' },
          { accountId: '444455556666', role: 'member' },
        ],
      }),
    );
    expect(set.organization).toMatchObject({
      source: 'user',
      managementAccountId: '111122223333',
      memberAccountIds: ['444455556666'],
    });
  });
});
