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
  const before = await customFindings(loupe);

  await openCasePanel(page);
  const lists = page.getByTestId('threat-lists');
  await expect(lists).toContainText('No lists imported');
  const bundled = lists.getByTestId('intel-bundled');
  await bundled.locator('summary').click();
  await expect(bundled.locator('tbody tr').first()).toBeVisible();

  await lists.getByRole('button', { name: 'Import list' }).click();
  const form = lists.getByTestId('intel-import');
  await form.getByLabel('List file').fill(bad);
  await form.getByRole('button', { name: /Import and re-run/ }).click();
  await expect(lists.getByRole('alert')).toContainText('broken.txt');
  await expect(lists.getByRole('alert')).toContainText('line 2');
  await shot(page, '17-intel-refused');

  await form.getByLabel('List file').fill(good);
  await form.getByRole('button', { name: /Import and re-run/ }).click();
  const row = lists.locator('[data-testid="intel-row"][data-list="attackers.txt"]');
  await expect(row).toContainText('threat');
  await expect(row.getByTestId('intel-scope')).toHaveText('all accounts');
  await loupe.waitForIdle();
  await expect.poll(() => customFindings(loupe)).toBeGreaterThan(before);
  const listed = await loupe.call<{ lists: Array<{ name: string; entries: number; enabled: boolean }> }>('intel:lists');
  expect(listed.lists.find((l) => l.name === 'attackers.txt')).toMatchObject({ entries: 1, enabled: true });
  await shot(page, '18-intel-imported');

  await row.getByRole('button', { name: 'Scope…' }).click();
  await row.getByLabel('Accounts for attackers.txt').fill(other);
  await row.getByRole('button', { name: 'Apply' }).click();
  await expect(row.getByTestId('intel-scope')).toHaveText(other);
  await loupe.waitForIdle();
  await expect.poll(() => customFindings(loupe)).toBe(before);

  await row.getByRole('button', { name: 'Remove…' }).click();
  await row.getByRole('button', { name: 'Remove attackers.txt' }).click();
  await expect(row).toHaveCount(0);
  await expect(lists).toContainText('No lists imported');
  await loupe.waitForIdle();
  expect(await customFindings(loupe)).toBe(before);
});
