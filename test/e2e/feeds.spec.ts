import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { E2E_FEEDS, SAMPLE_TOR_EXITS, expect, shot, test, type LoupeServer } from './fixtures';

/**
 * Public feeds in the web shell: the feeds the server's feeds file names (one served on
 * 127.0.0.1 by the fixture, one gone), downloaded from the case panel, the failure shown with
 * its reason, the good copy used in the case (Tor findings appear), then removed (they go).
 */
interface FeedsView {
  dir: string;
  feeds: Array<{ name: string; copy: { entries: number; path: string } | null; lastAttempt: { ok: boolean } | null }>;
}

async function torFindings(loupe: LoupeServer): Promise<number> {
  return (await loupe.call<{ total: number }>('findings:list', { filter: { text: 'TorIPCaller' } })).total;
}

async function openCase(page: Page, loupe: LoupeServer): Promise<void> {
  await page.goto(loupe.url);
  await expect(page.locator('[data-finding-id]').first()).toBeVisible({ timeout: 280_000 });
  await loupe.waitForIdle();
}

test('public feeds: downloaded on request, a failure named, a copy used in the case and removed', async ({
  page,
  loupe,
}) => {
  await openCase(page, loupe);
  const before = await torFindings(loupe);
  const exits = readFileSync(SAMPLE_TOR_EXITS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#')).length;

  await page.getByRole('button', { name: 'Case', exact: true }).click();
  const feeds = page.getByTestId('feeds');
  await feeds.scrollIntoViewIfNeeded();
  const served = feeds.locator(`[data-feed="${E2E_FEEDS.served}"]`);
  const gone = feeds.locator(`[data-feed="${E2E_FEEDS.gone}"]`);
  await expect(served.getByTestId('feed-copy')).toHaveText('never fetched');
  await expect(served.getByRole('button', { name: `Use ${E2E_FEEDS.served} in this case` })).toBeDisabled();

  await feeds.getByRole('button', { name: 'Download feeds now' }).click();
  await expect(served.getByTestId('feed-attempt')).toHaveText('downloaded');
  await expect(served.getByTestId('feed-copy')).toContainText(`${exits} entries`);
  await expect(gone.getByTestId('feed-attempt')).toHaveText('the server answered HTTP 404 Not Found');
  await expect(gone.getByTestId('feed-copy')).toHaveText('never fetched');
  const view = await loupe.call<FeedsView>('intel:feeds');
  const copy = view.feeds.find((f) => f.name === E2E_FEEDS.served)?.copy;
  expect(copy?.entries).toBe(exits);
  expect(copy?.path.startsWith(view.dir)).toBe(true);
  await shot(page, '24-feeds-downloaded');

  await served.getByRole('button', { name: `Use ${E2E_FEEDS.served} in this case` }).click();
  await expect(served.getByTestId('feed-use')).toHaveText('in use');
  const row = page.getByTestId('intel-row').filter({ hasText: E2E_FEEDS.served });
  await expect(row).toContainText('feed');
  await expect(row).toContainText(`${exits}`);
  await loupe.waitForIdle();
  await expect.poll(() => torFindings(loupe)).toBeGreaterThan(before);
  await shot(page, '25-feeds-in-use');

  // Removed from the case: its findings go, the kept copy stays for next time.
  await row.getByRole('button', { name: 'Remove…' }).click();
  await row.getByRole('button', { name: `Remove ${E2E_FEEDS.served}.txt` }).click();
  await expect(served.getByTestId('feed-use')).toHaveText('not used');
  await loupe.waitForIdle();
  await expect.poll(() => torFindings(loupe)).toBe(before);
  await expect(served.getByTestId('feed-copy')).toContainText(`${exits} entries`);
});
