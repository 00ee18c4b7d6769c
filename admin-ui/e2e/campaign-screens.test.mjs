// The campaign screens in the browser with scripted answers (e2e/contract-stubs.mjs):
// campaigns, credits, agents and a campaignUpdated stream whose numbers move every
// 0.7 s; sign-up, integrations and creatives are the real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makePng, shot, shotsDir, startBrowser, startStack } from './harness.mjs';
import { installStubs } from './contract-stubs.mjs';

let stack;
let browser;
let page;
let problems;

before(async () => {
  stack = await startStack();
  browser = await startBrowser(stack.base);
  ({ page, problems } = browser);
  await installStubs(page);
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('campaign screens with scripted answers and a scripted live stream', () => {
  it('prepares a member with a Sandbox account and one creative', async () => {
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill('Acme Growth');
    await page.getByLabel('Work e-mail').fill(`preview-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('a long passphrase');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/settings/ad-platforms**');
    await page.getByText('Sandbox', { exact: true }).click();
    await page.getByLabel('Access token').fill('sandbox-token-abcd');
    await page.getByLabel('Ad account id').fill('act_123');
    await page.getByRole('button', { name: 'Save and test connection' }).click();
    await page.getByText('Connection works').waitFor();
    await page.getByRole('button', { name: 'Use this Page' }).click();
    await page.getByText('Sandbox lead form').waitFor();
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.locator('input[type=file]').setInputFiles([{ name: 'roof-hero.png', mimeType: 'image/png', buffer: makePng(640, 640, [30, 64, 175]) }]);
    await page.getByTestId('creative-card').waitFor();
  });

  it('creates a campaign: fields, generated copy, preview checks, credit cost, launch', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.getByText('Name the campaign.').waitFor();
    await shot(page, '30-campaign-new-errors');

    await page.getByLabel('Campaign name').fill('Roof inspection – Texas homeowners');
    await page.getByLabel('Instant form', { exact: true }).selectOption({ label: 'Sandbox lead form' });
    await page.getByLabel('Daily budget (USD)').fill('25');
    await page.getByLabel('Destination URL').fill('https://example.com/roof-check');
    await page.locator('.creative-card.selectable input').first().check();
    await page.getByLabel('What do you offer?').fill('Free roof inspection for homeowners');
    await page.getByRole('button', { name: '✦ Generate copy' }).click();
    await page.getByText('Variant 3').waitFor();
    await page.getByText('Variant 2').click();
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.getByText('Platform validation').waitFor();
    assert.match(await page.getByTestId('credit-cost').innerText(), /5 of 45/);
    await shot(page, '31-campaign-new-preview');
    await page.getByRole('button', { name: /^Launch/ }).click();
    await page.waitForURL('**/campaigns/c-new');
  });

  it('shows the dashboard updating live through campaignUpdated', async (t) => {
    await page.goto('/');
    const row = page.locator('tr[data-campaign="c-active"]');
    await row.waitFor();
    // From the request for / to a dashboard with its rows (signed in, warm HTTP cache off).
    const ms = await page.evaluate(() => Math.round(performance.now()));
    t.diagnostic(`/ to an interactive dashboard: ${ms} ms`);
    fs.mkdirSync(shotsDir, { recursive: true });
    fs.writeFileSync(path.join(shotsDir, 'timing.json'), JSON.stringify({ rootToDashboardMs: ms }, null, 2));
    await page.locator('.live-live').waitFor({ timeout: 10_000 });
    const before = await row.locator('td').nth(5).innerText();
    await page.waitForFunction(
      (b) => document.querySelector('tr[data-campaign="c-active"] td:nth-child(6)')?.textContent !== b,
      before,
      { timeout: 10_000 },
    );
    await shot(page, '32-campaigns-dashboard-live');
    await page.getByText('Fix and relaunch').first().waitFor();
  });

  it('pauses from the dashboard and shows the platform answer', async () => {
    await page.getByRole('switch', { name: /Pause Gutter|Resume Gutter/ }).click();
    await page.getByText(/Running again|Paused on the platform/).first().waitFor();
  });

  it('shows a campaign with its chart, and a failed one with its fix path', async () => {
    await page.goto('/campaigns/c-active');
    await page.locator('.uplot').waitFor();
    await page.waitForTimeout(1500);
    await shot(page, '33-campaign-detail');
    await page.goto('/campaigns/c-error');
    await page.getByText('The launch failed.').waitFor();
    await shot(page, '34-campaign-failed');
    await page.getByRole('button', { name: 'Fix and relaunch' }).click();
    await page.waitForURL('**/campaigns/c-error/edit');
    await page.getByText('Last launch failed').waitFor();
    await page.goto('/campaigns/c-launch');
    await page.getByText('Launching on the platform…').waitFor();
    await shot(page, '35-campaign-launching');
  });

  it('shows credits with the campaign each concerns', async () => {
    await page.goto('/credits');
    await page.getByText('Welcome credits').waitFor();
    await shot(page, '36-credits');
  });

  it('works at tablet width', async () => {
    await page.setViewportSize({ width: 820, height: 1100 });
    await page.goto('/campaigns');
    await page.locator('tr[data-campaign="c-active"]').waitFor();
    await shot(page, '37-campaigns-tablet');
    await page.goto('/campaigns/new');
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    await shot(page, '38-campaign-new-tablet');
    await page.goto('/campaigns/c-active');
    await page.locator('.uplot').waitFor();
    await shot(page, '39-campaign-detail-tablet');
    await page.setViewportSize({ width: 1366, height: 900 });
    assert.deepEqual(problems, []);
  });
});
