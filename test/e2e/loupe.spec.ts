import { expect, shot, test, type LoupeServer } from './fixtures';
import type { Page } from '@playwright/test';

/**
 * The web shell on the bundled sample case: findings with real counts, a finding's detail with
 * its evidence and raw JSON, then the investigation views. Screenshots go to test/e2e/artifacts/.
 */
const KNOWN_TYPE = 'Stealth:IAMUser/CloudTrailLoggingDisabled';

interface Counts {
  Low: number;
  Medium: number;
  High: number;
  Critical: number;
  total: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');

async function openCase(page: Page, loupe: LoupeServer): Promise<void> {
  await page.goto(loupe.url);
  // The case loads in the background; the page shows its progress, then the findings.
  await expect(page.locator('[data-finding-id]').first()).toBeVisible({ timeout: 280_000 });
}

test.describe.configure({ mode: 'serial' });

test('findings list shows the sample case with real counts, and a finding opens with its evidence', async ({
  page,
  loupe,
  consoleErrors,
}) => {
  await page.goto(loupe.url);
  // The token is taken out of the address bar at once.
  await expect.poll(() => page.url()).not.toContain('token=');
  await expect(page.locator('[data-finding-id], [data-testid="case-loading"]').first()).toBeVisible({
    timeout: 60_000,
  });
  if (await page.getByTestId('case-loading').isVisible()) await shot(page, '00-loading');
  await expect(page.locator('[data-finding-id]').first()).toBeVisible({ timeout: 280_000 });

  const counts = await loupe.call<Counts>('findings:counts', { filter: {} });
  expect(counts.total).toBeGreaterThan(10);
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(counts.total)} findings`);
  for (const label of ['Critical', 'High', 'Medium', 'Low'] as const) {
    await expect(page.getByTestId(`sev-count-${label}`)).toContainText(fmt(counts[label]));
  }
  const summary = await loupe.call<{ filesLoaded: number; sources: Array<{ events: number }> }>('case:summary');
  const events = summary.sources.reduce((n, s) => n + s.events, 0);
  await expect(page.getByTestId('case-stats')).toContainText(`${fmt(events)} events`);
  await expect(page.getByTestId('case-stats')).toContainText(`${fmt(summary.filesLoaded)} files`);
  await shot(page, '01-findings-list');

  // Narrow to a type the sample case is known to contain, and open it.
  await page.getByLabel('Search findings').fill('CloudTrailLoggingDisabled');
  const row = page.locator('[data-finding-id]').filter({ hasText: KNOWN_TYPE }).first();
  await expect(row).toBeVisible();
  const expected = await loupe.call<{ total: number }>('findings:list', {
    filter: { text: 'CloudTrailLoggingDisabled' },
  });
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(expected.total)} findings`);
  await row.click();
  await expect(row).toHaveAttribute('aria-selected', 'true');

  const detail = page.getByTestId('finding-detail');
  await expect(detail.getByTestId('detail-type')).toHaveText(KNOWN_TYPE);
  await expect(detail.getByTestId('resource-section')).toContainText('Access key ID');
  await expect(detail.getByTestId('runbook-section')).toBeVisible();
  const id = await row.getAttribute('data-finding-id');
  const evidence = await loupe.call<{ total: number; rows: Array<{ raw: string }> }>('findings:evidence', {
    id,
    limit: 50,
  });
  expect(evidence.total).toBeGreaterThan(0);
  await expect(detail.getByTestId('evidence-row')).toHaveCount(Math.min(50, evidence.total));

  await detail.getByTestId('evidence-row').first().click();
  const raw = detail.getByTestId('evidence-raw');
  await expect(raw).toBeVisible();
  await expect(raw).toContainText(/"eventName": "(StopLogging|DeleteTrail|UpdateTrail)"/);
  await detail.getByTestId('toggle-raw').click();
  await expect(detail.getByTestId('finding-raw')).toContainText('"schemaVersion": "2.0"');
  await expect(detail.getByTestId('finding-raw')).toContainText(`"type": "${KNOWN_TYPE}"`);
  await shot(page, '02-finding-detail');

  // Keyboard: the list moves the selection.
  await page.getByLabel('Search findings').fill('');
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(counts.total)} findings`);
  await page.getByTestId('findings-list').focus();
  await page.keyboard.press('Home');
  const first = page.locator('[data-finding-id]').first();
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-finding-id]').nth(1)).toHaveAttribute('aria-selected', 'true');
  expect(consoleErrors).toEqual([]);
});

test('findings group by type and filter by severity', async ({ page, loupe }) => {
  await openCase(page, loupe);
  const counts = await loupe.call<Counts>('findings:counts', { filter: {} });
  await page.getByTestId('sev-count-High').click();
  await expect(page.getByTestId('findings-total')).toHaveText(`${fmt(counts.High)} findings`);
  await page.getByLabel('Group by').selectOption('type');
  const groups = page.getByTestId('group-list');
  const byType = await loupe.call<{ groups: Array<{ key: string }> }>('findings:groups', {
    by: 'type',
    filter: { severities: ['High'] },
  });
  expect(byType.groups.length).toBeGreaterThan(0);
  for (const g of byType.groups) await expect(groups).toContainText(g.key);
  await shot(page, '03-findings-grouped');
  await groups.getByText(byType.groups[0]!.key).click();
  await expect(page.locator('[data-finding-id]').first()).toContainText(byType.groups[0]!.key);
});

test('timeline: stacked buckets, finding markers, brush to zoom, events', async ({ page, loupe }) => {
  await openCase(page, loupe);
  await page.getByRole('tab', { name: 'Timeline' }).click();
  const chart = page.getByTestId('timeline-chart');
  await expect(chart).toBeVisible();
  await expect(page.getByTestId('timeline-marker').first()).toBeVisible();
  await expect(page.getByTestId('timeline-events').locator('tbody tr').first()).toBeVisible();
  await shot(page, '04-timeline');
  const before = await page.getByTestId('timeline-range').textContent();
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.6, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('timeline-range')).not.toHaveText(before ?? '');
  await expect(page.getByRole('button', { name: 'Remove time range' })).toBeVisible();
  await shot(page, '05-timeline-zoomed');
});

test('graph pivot from a finding, then hunt and accounts', async ({ page, loupe }) => {
  await openCase(page, loupe);
  await page.getByLabel('Search findings').fill('CloudTrailLoggingDisabled');
  // The search is debounced: wait for the filtered list before picking from it.
  await expect(page.locator('[data-finding-id]').first()).toContainText(KNOWN_TYPE);
  await page.locator('[data-finding-id]').filter({ hasText: KNOWN_TYPE }).first().click();
  await expect(page.getByTestId('detail-type')).toHaveText(KNOWN_TYPE);
  const pivots = page.getByTestId('pivots');
  await expect(pivots).toContainText('Access key');
  await pivots.locator('.entity-row', { hasText: 'Access key' }).getByRole('button', { name: 'Graph' }).click();
  await expect(page.getByTestId('entity-chip')).toContainText('AKIA');
  await expect(page.getByTestId('graph-side')).toBeVisible();
  await expect(page.getByTestId('graph-side')).toContainText('Connections');
  // The key's findings are listed by type (the finding we came from among them), not by id.
  await expect(page.getByTestId('graph-side')).toContainText(KNOWN_TYPE);
  await expect(page.getByTestId('graph-canvas').locator('canvas').first()).toBeVisible();
  await shot(page, '06-graph');

  await page.getByRole('tab', { name: 'Hunt' }).click();
  await page.getByRole('button', { name: /Busiest principals/ }).click();
  await expect(page.getByTestId('hunt-results').locator('tbody tr').first()).toBeVisible();
  await shot(page, '07-hunt');
  await page.getByTestId('hunt-sql').fill('DELETE FROM findings');
  await page.getByTestId('hunt-run').click();
  await expect(page.getByRole('alert')).toContainText('read-only');

  await page.getByRole('tab', { name: 'Accounts' }).click();
  const table = page.getByTestId('accounts-table');
  await expect(table).toContainText('012345678901');
  // The sample case's CloudTrail digests and stray files are listed by reason, not one per row.
  const problems = page.getByTestId('problem-files');
  await expect(problems.getByRole('heading')).toContainText(/Files not loaded: \d+ failed, \d+ skipped/);
  await expect(problems.getByTestId('problem-reason').filter({ hasText: 'CloudTrail digest file' })).toHaveCount(1);
  await shot(page, '08-accounts');
  await page.getByRole('button', { name: 'Light' }).click();
  await page.getByRole('tab', { name: 'Findings' }).click();
  await expect(page.locator('[data-finding-id]').first()).toBeVisible();
  await shot(page, '09-findings-light');
});
