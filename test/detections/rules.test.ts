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
