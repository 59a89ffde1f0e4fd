import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoupeError } from '../../../shared/errors';
import type { Database } from '../../../electron/engine/db/database';
import { createRuleTestDb, insertEvents } from '../../../electron/engine/detect/rule-tests';
import { DEFAULT_RULES_DIR, loadRules } from '../../../electron/engine/detect/rules';
import { runDetections } from '../../../electron/engine/detect/runner';
import { headerAccounts, listIntelLists, loadIntelText } from '../../../electron/engine/intel/lists';
import type { JobContext } from '../../../electron/engine/jobs/job-registry';

/** Lists scoped to some accounts (issue 7): header line or option, applied to every rule's matches. */
const ctx: JobContext = { signal: new AbortController().signal, report: () => undefined };
const A = '111122223333';
const B = '444455556666';
const c2Rule = loadRules(DEFAULT_RULES_DIR).rules.filter((r) => r.id === 'flow-c2-activity');

let db: Database;
beforeAll(async () => {
  db = await createRuleTestDb();
});
afterAll(() => db?.close());
beforeEach(async () => {
  for (const sql of ['DELETE FROM vpcflow', 'DELETE FROM findings', 'DELETE FROM finding_events']) await db.run(sql);
  await db.run(`DELETE FROM intel WHERE NOT bundled`);
  await db.run(`DELETE FROM intel_lists WHERE NOT bundled`);
});

/** The same beacon to 192.0.2.20 from one instance in each account. */
async function beaconInBothAccounts(): Promise<void> {
  const beacon = (account: string, instance: string, eni: string) => ({
    account_id: account,
    interface_id: eni,
    instance_id: instance,
    srcaddr: '10.0.1.5',
    dstaddr: '192.0.2.20',
    srcport: 50123,
    dstport: 443,
    protocol: 6,
    packets: 10,
    bytes: 2000,
    action: 'ACCEPT',
  });
  await insertEvents(
    db,
    'vpcflow',
    [beacon(A, 'i-0aaaaaaaaaaaaaaa1', 'eni-0a'), beacon(B, 'i-0bbbbbbbbbbbbbbb1', 'eni-0b')],
    {
      uidPrefix: 'scope',
    },
  );
}

async function findingAccounts(): Promise<string[]> {
  const report = await runDetections(db, ctx, { rules: c2Rule, prepared: true, now: new Date('2026-03-03T00:00:00Z') });
  expect(report.rulesFailed).toEqual([]);
  const rows = await db.all<{ account_id: string }>(`SELECT DISTINCT account_id FROM findings ORDER BY 1`);
  return rows.map((r) => r.account_id);
}

describe('account-scoped lists', () => {
  it('reads the scope from a "# accounts:" header line, sorted and without duplicates', async () => {
    const info = await loadIntelText(db, `# category: c2\n# accounts: ${B}, ${A} ${B}\n192.0.2.16/28\n`, 'threat', {
      name: 'c2-scoped',
    });
    expect(info.accounts).toEqual([A, B]);
    expect(info.category).toBe('c2');
    const listed = await listIntelLists(db);
    expect(listed.find((l) => l.name === 'c2-scoped')?.accounts).toEqual([A, B]);
  });

  it('an unscoped list applies to every account', async () => {
    const info = await loadIntelText(db, '192.0.2.16/28\n', 'threat', { name: 'c2', category: 'c2' });
    expect(info.accounts).toBeNull();
    await beaconInBothAccounts();
    expect(await findingAccounts()).toEqual([A, B]);
  });

  it('a threat list scoped to one account raises findings only there', async () => {
    await loadIntelText(db, `# accounts: ${A}\n192.0.2.16/28\n`, 'threat', { name: 'c2-a', category: 'c2' });
    await beaconInBothAccounts();
    expect(await findingAccounts()).toEqual([A]);
  });

  it('an event that matches an in-scope list still counts when another list is scoped away', async () => {
    await loadIntelText(db, `# accounts: ${A}\n192.0.2.16/28\n`, 'threat', { name: 'c2-a', category: 'c2' });
    await loadIntelText(db, `192.0.2.20\n`, 'threat', { name: 'c2-everywhere', category: 'c2' });
    await beaconInBothAccounts();
    expect(await findingAccounts()).toEqual([A, B]);
  });

  it('a trusted list scoped to one account suppresses matches only there', async () => {
    await loadIntelText(db, '192.0.2.16/28\n', 'threat', { name: 'c2', category: 'c2' });
    await loadIntelText(db, '192.0.2.20\n', 'trusted', { name: 'lab-b', accounts: [B] });
    await beaconInBothAccounts();
    expect(await findingAccounts()).toEqual([A]);
  });

  it('the option wins over the header', async () => {
    const info = await loadIntelText(db, `# accounts: ${A}\n192.0.2.20\n`, 'trusted', { name: 't', accounts: [B] });
    expect(info.accounts).toEqual([B]);
  });

  it('refuses an account id that is not 12 digits, naming the list', async () => {
    const error = await loadIntelText(db, '# accounts: 1234, prod\n192.0.2.20\n', 'threat', { name: 'typo.txt' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoupeError);
    expect((error as LoupeError).code).toBe('INVALID_INPUT');
    expect((error as LoupeError).message).toContain('typo.txt');
    expect((error as LoupeError).message).toContain('"1234"');
    expect((await listIntelLists(db)).some((l) => l.name === 'typo.txt')).toBe(false);
  });

  it('only leading comment lines can scope a list', () => {
    expect(headerAccounts(`# list\n# accounts: ${A}\n1.2.3.4\n`)).toEqual([A]);
    expect(headerAccounts(`1.2.3.4\n# accounts: ${A}\n`)).toBeUndefined();
  });
});
