import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKnownFindingType } from '../../shared/findings/catalog';
import { Database } from '../../electron/engine/db/database';
import { migrate } from '../../electron/engine/db/schema';
import { createRuleTestDb, runRuleCase } from '../../electron/engine/detect/rule-tests';
import { DEFAULT_RULES_DIR, loadRules, parseRuleFile } from '../../electron/engine/detect/rules';
import { coveredTypes } from '../../electron/engine/detect/runner';
import { describeRule, ruleParams } from '../../electron/engine/detect/stage';

/** The rule linter: schema, known type, MITRE format, and every query dry-run with DESCRIBE. */
const { rules, failed } = loadRules(DEFAULT_RULES_DIR);
const tmp = mkdtempSync(join(tmpdir(), 'loupe-lint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let empty: Database;
beforeAll(async () => {
  empty = await Database.open({ path: ':memory:' });
  await migrate(empty);
});
afterAll(() => empty?.close());

describe('every rule file', () => {
  it('loads without errors', () => expect(failed).toEqual([]));

  for (const rule of rules) {
    it(`${rule.id}: valid type, MITRE ids and a query that compiles against an empty case`, async () => {
      expect(isKnownFindingType(rule.type)).toBe(true);
      for (const m of rule.mitre) expect(m).toMatch(/^TA\d{4}:T\d{4}(\.\d{3})?$/);
      const columns = await describeRule(empty, rule, ruleParams(rule, new Date()));
      expect(columns.get('event_uid')).toBe('VARCHAR');
      expect(columns.get('event_time')).toMatch(/^TIMESTAMP/);
    });
  }
});

describe('coverage', () => {
  it('covers every issue-2 finding type', () => {
    const types = coveredTypes(rules);
    for (const t of [
      'Policy:IAMUser/RootCredentialUsage',
      'Stealth:IAMUser/CloudTrailLoggingDisabled',
      'Stealth:IAMUser/PasswordPolicyChange',
      'PenTest:IAMUser/KaliLinux',
      'PenTest:IAMUser/ParrotLinux',
      'PenTest:IAMUser/PentooLinux',
      'Policy:S3/AccountBlockPublicAccessDisabled',
      'Policy:S3/BucketBlockPublicAccessDisabled',
      'Policy:S3/BucketAnonymousAccessGranted',
      'Policy:S3/BucketPublicAccessGranted',
      'Stealth:S3/ServerAccessLoggingDisabled',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      'Recon:IAMUser/MaliciousIPCaller.Custom',
    ]) {
      expect(types).toContain(t);
    }
  });
});

const VALID = readFileSync(join(DEFAULT_RULES_DIR, 'cloudtrail', 'root-credential-usage.yml'), 'utf8');

function variant(name: string, edit: (text: string) => string, folder = 'cloudtrail'): string {
  const dir = join(tmp, name, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'root-credential-usage.yml');
  writeFileSync(path, edit(VALID));
  return path;
}

function lint(path: string, dir: string): string {
  const result = parseRuleFile(path, dir);
  return 'failure' in result ? result.failure.error : 'ok';
}

describe('the linter refuses', () => {
  const cases: Array<[string, (t: string) => string, RegExp]> = [
    [
      'an unknown finding type',
      (t) => t.replace('type: Policy:IAMUser/RootCredentialUsage', 'type: Policy:IAMUser/RootUse'),
      /not a GuardDuty finding type/,
    ],
    [
      'a type from another source',
      (t) => t.replace('type: Policy:IAMUser/RootCredentialUsage', 'type: Recon:EC2/Portscan'),
      /comes from vpcflow logs/,
    ],
    [
      'a bad MITRE id',
      (t) => t.replace('mitre: [TA0001:T1078.004, TA0004:T1078.004]', 'mitre: [T1078]'),
      /mitre\.0: must look like/,
    ],
    [
      'an id that is not the file name',
      (t) => t.replace('id: root-credential-usage', 'id: root-usage'),
      /does not match the file name/,
    ],
    [
      'an undeclared parameter',
      (t) => t.replace("WHERE c.principal_type = 'Root'", 'WHERE c.principal_type = $who'),
      /uses \$who, which is not declared/,
    ],
    ['two statements', (t) => t.replace('AS remote_ip\n', 'AS remote_ip; DROP TABLE findings\n'), /one statement/],
    [
      'a template field that does not exist',
      (t) => t.replace('title: API {api}', 'title: API {apii}'),
      /title uses \{apii\}/,
    ],
    [
      'missing no-match tests',
      (t) => t.replace(/expect: no_match/g, 'expect: match'),
      /at least one test that expects no match/,
    ],
    ['an unknown key', (t) => `${t}\nowner: me\n`, /Unrecognized key/],
  ];
  for (const [label, edit, pattern] of cases) {
    it(label, () => {
      const path = variant(label.replace(/\W+/g, '-'), edit);
      expect(lint(path, join(tmp, label.replace(/\W+/g, '-')))).toMatch(pattern);
    });
  }

  it('a rule in the wrong source folder', () => {
    const path = variant('wrong-folder', (t) => t, 'dns');
    expect(lint(path, join(tmp, 'wrong-folder'))).toMatch(/belongs in cloudtrail\//);
  });

  it('accepts the unmodified rule (so the cases above fail for their own reason)', () => {
    const path = variant('unmodified', (t) => t);
    expect(lint(path, join(tmp, 'unmodified'))).toBe('ok');
  });
});

describe('the inline test harness', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createRuleTestDb();
  });
  afterAll(() => db?.close());

  it('fails a case whose expectation is wrong', async () => {
    const rule = rules.find((r) => r.id === 'root-credential-usage');
    if (!rule) throw new Error('root-credential-usage rule missing');
    const matching = rule.tests.find((t) => t.expect === 'match');
    const quiet = rule.tests.find((t) => t.expect === 'no_match');
    if (!matching || !quiet) throw new Error('rule lacks cases');
    expect((await runRuleCase(db, rule, { ...matching, expect: 'no_match' }, 0)).ok).toBe(false);
    expect((await runRuleCase(db, rule, { ...quiet, expect: 'match' }, 0)).ok).toBe(false);
    expect((await runRuleCase(db, rule, { ...matching, severity: 9 }, 0)).message).toMatch(
      /expected severity 9, got 2/,
    );
    expect((await runRuleCase(db, rule, { ...matching, findings: 3 }, 0)).message).toMatch(
      /expected 3 findings, got 1/,
    );
    await expect(runRuleCase(db, rule, { ...matching, events: [{ no_such_column: 1 }] }, 0)).rejects.toThrow(
      /cloudtrail has no column "no_such_column"/,
    );
  });
});
