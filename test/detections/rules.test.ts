import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../electron/engine/db/database';
import { createRuleTestDb, runRuleCase } from '../../electron/engine/detect/rule-tests';
import { DEFAULT_RULES_DIR, loadRules } from '../../electron/engine/detect/rules';

/** Every rule file's inline cases, against a real in-memory DuckDB with the bundled lists. */
const { rules, failed } = loadRules(DEFAULT_RULES_DIR);

describe('rule files', () => {
  it('all parse and validate', () => {
    expect(failed).toEqual([]);
    expect(rules.length).toBeGreaterThan(0);
  });
});

let db: Database;
beforeAll(async () => {
  db = await createRuleTestDb();
});
afterAll(() => db?.close());

for (const rule of rules) {
  describe(rule.id, () => {
    rule.tests.forEach((test, index) => {
      it(`${test.expect}: ${test.name}`, async () => {
        const result = await runRuleCase(db, rule, test, index);
        expect(result.message).toBe(result.ok ? result.message : 'passing case');
        expect(result.ok).toBe(true);
      });
    });
  });
}

describe('the shared flow stage', () => {
  it('is built for the flow rules and emptied after the pass', async () => {
    const rule = rules.find((r) => r.id === 'flow-c2-activity');
    const test = rule?.tests.find((t) => t.expect === 'match');
    if (!rule || !test) throw new Error('flow-c2-activity and its match case are needed here');
    const result = await runRuleCase(db, rule, test, 0);
    expect(result.ok, result.message).toBe(true);
    expect(result.report?.stageMs['flow_sides']).toBeGreaterThanOrEqual(0);
    const left = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM flow_sides`);
    expect(left?.n).toBe(0);
  });

  it('is not built when no flow rule runs', async () => {
    const rule = rules.find((r) => r.source === 'cloudtrail');
    const test = rule?.tests[0];
    if (!rule || !test) throw new Error('a CloudTrail rule with a case is needed here');
    const result = await runRuleCase(db, rule, test, 0);
    expect(result.report?.stageMs).toEqual({});
  });
});
