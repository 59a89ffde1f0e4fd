import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, shot, test, type LoupeServer } from './fixtures';

/**
 * Threat lists in the web shell on the sample case: a malformed list refused with its line, a
 * list of an attacker's address imported (findings appear), scoped away from its account
 * (they go), and removed. The page and the engine are checked against each other.
 */
const ACCOUNTS = ['012345678901', '444455556666'];

async function openCase(page: Page, loupe: LoupeServer): Promise<void> {
  await page.goto(loupe.url);
  await expect(page.locator('[data-finding-id]').first()).toBeVisible({ timeout: 280_000 });
}

async function openCasePanel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Case', exact: true }).click();
  await expect(page.getByTestId('case-panel')).toBeVisible();
}

async function customFindings(loupe: LoupeServer): Promise<number> {
  const out = await loupe.call<{ total: number }>('findings:list', { filter: { text: 'MaliciousIPCaller.Custom' } });
  return out.total;
}

async function allFindings(loupe: LoupeServer): Promise<number> {
  return (await loupe.call<{ total: number }>('findings:list', {})).total;
}

test.describe.configure({ mode: 'serial' });

test('threat lists: refused with the line, imported, scoped away, removed', async ({ page, loupe }) => {
  await openCase(page, loupe);
  await loupe.waitForIdle();
  // An IAM user's public address from the sample case, and the account it acted in.
  const picked = await loupe.call<{ rows: unknown[][] }>('hunt:query', {
    sql: `SELECT source_ip, account_id FROM cloudtrail
           WHERE principal_type = 'IAMUser' AND ip4_is_public(source_ip)
           GROUP BY ALL ORDER BY count(*) DESC, source_ip LIMIT 1`,
    queryId: 'intel-e2e-pick',
  });
  const [ip, account] = picked.rows[0] as [string, string];
  const other = ACCOUNTS.find((a) => a !== account)!;
  const dir = mkdtempSync(join(tmpdir(), 'loupe-e2e-intel-'));
  const bad = join(dir, 'broken.txt');
  writeFileSync(bad, `${ip}\nthis is not an indicator\n`);
  const good = join(dir, 'attackers.txt');
  writeFileSync(good, `# addresses from the incident\n${ip}\n`);
  // The sample case has no list of its own: every custom-list finding comes from this test.
  const before = await customFindings(loupe);
  expect(before).toBe(0);
  const totalBefore = await allFindings(loupe);
  const search = page.getByLabel('Search findings');
  const customRows = page.locator('[data-finding-id]', { hasText: 'MaliciousIPCaller.Custom' });

  await openCasePanel(page);
  const lists = page.getByTestId('threat-lists');
  await lists.scrollIntoViewIfNeeded();
  await expect(lists).toContainText('No lists imported');
  const bundled = lists.getByTestId('intel-bundled');
  await bundled.locator('summary').click();
  await expect(bundled.locator('tbody tr').first()).toBeVisible();
  // Bundled lists say when they were compiled.
  await expect(bundled.locator('tbody tr').first()).toContainText(/\d{4}-\d{2}-\d{2}/);
  await shot(page, '17-intel-empty');
  await bundled.locator('summary').click();

  await lists.getByRole('button', { name: 'Import list' }).click();
  const form = lists.getByTestId('intel-import');
  await form.getByLabel('List file').fill(bad);
  await form.getByRole('button', { name: /Import and re-run/ }).click();
  await expect(lists.getByRole('alert')).toContainText('broken.txt');
  await expect(lists.getByRole('alert')).toContainText('line 2');
  await shot(page, '18-intel-refused');

  await form.getByLabel('List file').fill(good);
  await form.getByRole('button', { name: /Import and re-run/ }).click();
  const row = lists.locator('[data-testid="intel-row"][data-list="attackers.txt"]');
  await expect(row).toContainText('threat');
  await expect(row).toContainText(/sha256 [0-9a-f]{12}/);
  await expect(row.getByTestId('intel-scope')).toHaveText('all accounts');
  await loupe.waitForIdle();
  await expect.poll(() => customFindings(loupe)).toBeGreaterThan(before);
  const withList = await customFindings(loupe);
  const listed = await loupe.call<{ lists: Array<{ name: string; entries: number; enabled: boolean }> }>('intel:lists');
  expect(listed.lists.find((l) => l.name === 'attackers.txt')).toMatchObject({ entries: 1, enabled: true });
  await expect(lists.getByTestId('intel-rerun')).toHaveCount(0);
  // The findings list reloaded: the list's findings are there.
  await search.fill('MaliciousIPCaller.Custom');
  await expect(page.getByText(`${withList} findings`, { exact: true })).toBeVisible();
  await expect(customRows.first()).toBeVisible();
  await shot(page, '19-intel-imported');

  // Scoped to the other account (a checkbox of the case's accounts): the finding stops standing.
  await row.getByRole('button', { name: 'Scope…' }).click();
  const editor = lists.getByTestId('intel-scope-editor');
  await editor.getByLabel('Only these accounts:').check();
  await expect(editor.getByRole('checkbox')).toHaveCount(ACCOUNTS.length);
  await editor.getByLabel(other).check();
  await shot(page, '20-intel-scope-editor');
  await editor.getByRole('button', { name: /Apply and re-run/ }).click();
  await expect(row.getByTestId('intel-scope')).toHaveText(other);
  await loupe.waitForIdle();
  await expect.poll(() => customFindings(loupe)).toBe(before);
  // Nothing built on the list's matches outlives the scope either (attack sequences included).
  expect(await allFindings(loupe)).toBe(totalBefore);
  await expect(customRows).toHaveCount(0);
  const tables = await loupe.call<{ rows: unknown[][] }>('hunt:query', {
    sql: `SELECT accounts FROM intel_lists WHERE list_name = 'attackers.txt'`,
    queryId: 'intel-e2e-scope',
  });
  expect(tables.rows).toEqual([[[other]]]);
  await shot(page, '21-intel-scoped-away');

  // Switched off and on again with its scope back to every account: the finding is back.
  await row.getByRole('button', { name: 'Switch off' }).click();
  await expect(row.getByTestId('intel-enabled')).toHaveText('off');
  await loupe.waitForIdle();
  await row.getByRole('button', { name: 'Scope…' }).click();
  await editor.getByLabel('All accounts').check();
  await editor.getByRole('button', { name: /Apply and re-run/ }).click();
  await expect(row.getByTestId('intel-scope')).toHaveText('all accounts');
  await loupe.waitForIdle();
  expect(await customFindings(loupe)).toBe(before);
  await row.getByRole('button', { name: 'Switch on' }).click();
  await expect(row.getByTestId('intel-enabled')).toHaveText('on');
  await loupe.waitForIdle();
  await expect.poll(() => customFindings(loupe)).toBe(withList);
  await expect(customRows.first()).toBeVisible();

  await row.getByRole('button', { name: 'Remove…' }).click();
  await shot(page, '22-intel-remove-confirm');
  await row.getByRole('button', { name: 'Remove attackers.txt' }).click();
  await expect(row).toHaveCount(0);
  await expect(lists).toContainText('No lists imported');
  await loupe.waitForIdle();
  expect(await customFindings(loupe)).toBe(before);
  await expect(customRows).toHaveCount(0);
  await shot(page, '23-intel-removed');
  await search.fill('');
});
