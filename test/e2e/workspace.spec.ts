import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, shot, test, type LoupeServer } from './fixtures';

/**
 * The case-level work of the web shell on the sample case: the organisation in the Accounts
 * view, the learning period with a re-run of detections, suppression rules made from scratch,
 * the exact-resource and archived filters, and Save As with a typed folder (refusals first).
 * Every check compares what the page shows with what the engine answers.
 */
interface Counts {
  Low: number;
  Medium: number;
  High: number;
  Critical: number;
  total: number;
}
interface Group {
  key: string;
  findings: number;
}
const fmt = (n: number) => n.toLocaleString('en-US');

async function openCase(page: Page, loupe: LoupeServer): Promise<void> {
  await page.goto(loupe.url);
  await expect(page.locator('[data-finding-id]').first()).toBeVisible({ timeout: 280_000 });
}

async function openCasePanel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Case', exact: true }).click();
  await expect(page.getByTestId('case-panel')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test('accounts: the organisation, with roles the analyst sets', async ({ page, loupe }) => {
  await openCase(page, loupe);
  await page.getByRole('tab', { name: 'Accounts' }).click();
  const org = page.getByTestId('organization');
  // The sample case holds no Organizations calls: the panel says so and offers the roles.
  await expect(org).toContainText('Nothing in the logs names an organisation');
  await expect(page.getByTestId('org-management')).toHaveText('not known');
  await org.getByLabel('Role of account 012345678901').selectOption('management');
  await expect(page.getByTestId('org-management')).toHaveText('012345678901');
  await org.getByLabel('Role of account 444455556666').selectOption('member');
  await expect(page.getByTestId('org-members')).toHaveText('444455556666');
  const name = org.getByLabel('Name of account 444455556666');
  await name.fill('workloads');
  await name.press('Enter');
  await expect(org.locator('[data-account-id="444455556666"]')).toContainText('set by you');
  await expect(org).toContainText('As set in this case.');

  const listed = await loupe.call<{
    organization: { managementAccountId: string | null; memberAccountIds: string[]; source: string };
    accounts: Array<{ accountId: string; name: string | null; role: string }>;
  }>('accounts:list');
  expect(listed.organization).toMatchObject({
    managementAccountId: '012345678901',
    memberAccountIds: ['444455556666'],
    source: 'user',
  });
  await expect
    .poll(async () => (await loupe.call<{ accounts: Array<{ name?: string }> }>('case:state')).accounts)
    .toContainEqual({ accountId: '444455556666', role: 'member', name: 'workloads' });
  await expect(page.getByTestId('accounts-table')).toContainText('012345678901');
  await shot(page, '10-organisation');
});

test('learning period: set N days, re-run detections, back to automatic', async ({ page, loupe }) => {
  await openCase(page, loupe);
  await openCasePanel(page);
  const settings = page.getByTestId('detection-settings');
  await expect(page.getByTestId('learning-current')).toContainText('automatic');
  await settings.getByLabel('First').check();
  await settings.getByLabel('Learning period in days').fill('2');
  await settings.getByRole('button', { name: 'Save period' }).click();
  await expect(page.getByTestId('learning-current')).toHaveText('the first 2 days of each source');
  expect((await loupe.call<{ settings: { learningPeriodDays?: number } }>('case:state')).settings).toMatchObject({
    learningPeriodDays: 2,
  });

  await page.getByTestId('rerun-detections').click();
  await expect(page.getByTestId('rerun-detections')).toHaveText('Re-running…');
  await shot(page, '11-learning-period');
  await loupe.waitForIdle(240_000);
  const jobs = await loupe.call<Array<{ kind: string; status: string }>>('jobs:list');
  expect(jobs.filter((j) => j.kind === 'detect:run').at(-1)?.status).toBe('ok');
  await expect(page.getByTestId('rerun-detections')).toHaveText('Re-run detections');
  // The list was reloaded from the re-run's findings.
  const counts = await loupe.call<Counts>('findings:counts', { filter: {} });
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(counts.total)} findings`);

  await settings.getByLabel('Automatic').check();
  await settings.getByRole('button', { name: 'Save period' }).click();
  await expect(page.getByTestId('learning-current')).toContainText('automatic');
  const state = await loupe.call<{ settings: Record<string, unknown> }>('case:state');
  expect('learningPeriodDays' in state.settings).toBe(false);
});

test('suppression rules: create from scratch, see what they archive, filter archived and by exact resource, delete', async ({
  page,
  loupe,
}) => {
  await openCase(page, loupe);
  const before = await loupe.call<Counts>('findings:counts', { filter: {} });
  const { groups } = await loupe.call<{ groups: Group[] }>('findings:groups', { by: 'type' });
  // The rarest type: a rule over it archives a few findings, not the case.
  const target = [...groups].sort((a, b) => a.findings - b.findings || a.key.localeCompare(b.key))[0]!;
  expect(target.findings).toBeGreaterThan(0);

  await openCasePanel(page);
  const rules = page.getByTestId('suppression-rules');
  await expect(rules).toContainText('No suppression rules');
  await rules.getByRole('button', { name: 'New rule' }).click();
  const editor = rules.getByTestId('rule-editor');
  await editor.getByLabel('Name').fill('Expected noise');
  await editor.getByLabel('Description').fill('Known test traffic');
  await editor.getByLabel('Condition 1 attribute').fill('type');
  await editor.getByLabel('Condition 1 values').fill(target.key);
  await editor.getByRole('button', { name: 'Add condition' }).click();
  await editor.getByLabel('Condition 2 attribute').fill('severity');
  await editor.getByLabel('Condition 2 operator').selectOption('gte');
  await editor.getByLabel('Condition 2 values').fill('not a number');
  await editor.getByRole('button', { name: 'Save rule' }).click();
  await expect(editor.getByTestId('rule-error')).toHaveText('Condition 2: gte needs one number.');
  await editor.getByLabel('Condition 2 values').fill('0');
  await editor.getByRole('button', { name: 'Save rule' }).click();

  const row = rules.getByTestId('rule-row');
  await expect(row).toContainText('Expected noise');
  await expect(row).toContainText(`Finding type is ${target.key}`);
  await expect(row).toContainText('Severity ≥ 0');
  await expect(row.getByTestId('rule-archives')).toHaveText(fmt(target.findings));
  const listed = await loupe.call<{ rules: Array<{ id: string; name: string }>; archivedBy: Record<string, number> }>(
    'suppression:list',
  );
  expect(listed.rules.map((r) => r.name)).toEqual(['Expected noise']);
  expect(listed.archivedBy[listed.rules[0]!.id]).toBe(target.findings);
  await shot(page, '12-suppression-rules');

  // The archived findings left the list, and the archived filter shows exactly them.
  await page.getByRole('button', { name: 'Close case panel' }).click();
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(before.total - target.findings)} findings`);
  await page.getByLabel('Archived', { exact: true }).selectOption('only');
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(target.findings)} findings`);
  await expect(page.locator('[data-finding-id]').first()).toContainText(target.key);
  await shot(page, '13-findings-archived-only');
  await page.getByLabel('Archived', { exact: true }).selectOption('exclude');

  // Exact resource id versus a part of it.
  const { groups: resources } = await loupe.call<{ groups: Group[] }>('findings:groups', { by: 'resource' });
  // A resource whose first characters other resources share (AKIA..., i-0...), so a part matches more.
  const sharing = (g: Group) =>
    resources.filter((o) => o.key.toLowerCase().includes(g.key.slice(0, 4).toLowerCase())).length;
  const resource = resources.find((g) => g.key.length > 4 && sharing(g) > 1)!;
  const part = resource.key.slice(0, 4);
  const exact = await loupe.call<{ total: number }>('findings:list', { filter: { resourceId: resource.key } });
  const partial = await loupe.call<{ total: number }>('findings:list', { filter: { resource: part } });
  expect(exact.total).toBe(resource.findings);
  expect(partial.total).toBeGreaterThan(exact.total);
  const field = page.getByLabel('Resource id', { exact: true });
  await field.fill(part);
  await field.press('Enter');
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(partial.total)} findings`);
  await page.getByLabel('Exact resource id').check();
  await field.fill(resource.key);
  await field.press('Enter');
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(exact.total)} findings`);
  const shown = page.locator('[data-finding-id]');
  await expect(shown.first()).toContainText(resource.key);
  const texts = await shown.allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) expect(text).toContain(resource.key);
  await shot(page, '14-findings-exact-resource');
  await field.fill('');
  await field.press('Enter');

  // Delete asks first; the findings come back.
  await openCasePanel(page);
  await rules.getByRole('button', { name: 'Delete Expected noise' }).click();
  await rules.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(rules).toContainText('No suppression rules');
  expect((await loupe.call<{ rules: unknown[] }>('suppression:list')).rules).toEqual([]);
  await expect(page.getByTestId('sev-count-Low')).toContainText(fmt(before.Low));
  expect((await loupe.call<Counts>('findings:counts', { filter: {} })).total).toBe(before.total);
});

test('Save As in web mode: a typed folder, refused clearly when it exists or cannot be written', async ({
  page,
  loupe,
}) => {
  const scratch = mkdtempSync(join(tmpdir(), 'loupe-e2e-saveas-'));
  const busy = join(scratch, 'busy.loupe');
  mkdirSync(busy);
  writeFileSync(join(busy, 'notes.txt'), 'someone else was here');
  // Root ignores permission bits; sysfs refuses new folders even to root.
  let readOnly = join(scratch, 'locked');
  if (process.getuid?.() === 0) readOnly = '/sys/loupe-e2e';
  else {
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
  }

  await openCase(page, loupe);
  const before = await loupe.call<{ case: { dir: string; temp: boolean } }>('case:info');
  await openCasePanel(page);
  const save = page.getByTestId('save-case');
  await expect(page.getByTestId('case-location')).toContainText(before.case.dir);
  const folder = save.getByLabel('Save As folder');

  await folder.fill('cases/relative');
  await folder.blur();
  await expect(page.getByTestId('save-as-help')).toContainText('is not a full path');

  await folder.fill(busy);
  await expect(page.getByTestId('save-as-help')).toContainText(`${busy}, which must be new or empty`);
  await save.getByRole('button', { name: 'Save As', exact: true }).click();
  await expect(page.getByTestId('save-error')).toContainText('already exists and is not empty');
  await shot(page, '15-save-as-refused');

  await folder.fill(join(readOnly, 'case'));
  await save.getByRole('button', { name: 'Save As', exact: true }).click();
  await expect(page.getByTestId('save-error')).toContainText('FILE_UNWRITABLE');
  await expect(page.getByTestId('save-error')).toContainText('read-only or you lack permission');
  // Nothing moved: the case is where it was.
  expect((await loupe.call<{ case: { dir: string } }>('case:info')).case.dir).toBe(before.case.dir);

  const good = join(scratch, 'incident-42');
  await folder.fill(good);
  await save.getByLabel('Case name').fill('Incident 42');
  await save.getByRole('button', { name: 'Save As', exact: true }).click();
  await expect(page.getByTestId('save-ok')).toContainText(`${good}.loupe`);
  await expect(page.getByTestId('case-location')).toHaveText(`${good}.loupe`);
  const after = await loupe.call<{ case: { dir: string; name: string; temp: boolean } }>('case:info');
  expect(after.case).toMatchObject({ dir: `${good}.loupe`, name: 'Incident 42', temp: false });
  await expect(page.getByTestId('case-stats')).toContainText('Incident 42');
  await expect(save.getByRole('button', { name: 'Save', exact: true })).toBeEnabled();
  await shot(page, '16-save-as-done');
  await save.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Case saved').first()).toBeVisible();
});
