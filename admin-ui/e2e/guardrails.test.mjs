// The spending guardrails in the browser: the chief architect caps a tenant's
// budgets and a member's dry run fails at the budget field; a stop-loss rule
// fires on a running Sandbox campaign and the bell shows it; "Pause all"
// pauses a running campaign and reports what it did.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `guard-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Lakeside Solar' };
const chief = { email: 'ops@example.com', password: 'chief passphrase 1' };
let stack;

before(async () => {
  // Stop-loss rules are evaluated by the insights sync: every second here.
  process.env.LEADFORGE_INSIGHTS_INTERVAL_SECS = '1';
  stack = await startStack();
  stack.createChiefArchitect(chief.email, chief.password);
});
after(async () => {
  await stack?.stop();
});

async function call(page, query, variables = {}) {
  return page.evaluate(
    async ([q, v]) => {
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('leadforge.token')}` },
        body: JSON.stringify({ query: q, variables: v }),
      });
      return r.json();
    },
    [query, variables],
  );
}

async function draft(page, name, budgetCents, integration, creative) {
  const r = await call(
    page,
    `mutation($n: String!, $b: Int!, $i: ID!, $c: [ID!]!) { createCampaign(input: { campaignName: $n, objective: TRAFFIC, dailyBudgetCents: $b,
      destinationUrl: "https://example.com/solar", creativeIds: $c, integrationId: $i, targetAudience: { countries: ["US"] }, niche: "solar panels" }) { id } }`,
    { n: name, b: budgetCents, i: integration, c: [creative] },
  );
  assert.ok(r.data?.createCampaign?.id, JSON.stringify(r));
  return r.data.createCampaign.id;
}

async function launchAndWait(page, id) {
  const l = await call(page, 'mutation($id: ID!) { launchCampaign(id: $id, idempotencyKey: $id) { id status } }', { id });
  assert.ok(l.data?.launchCampaign, JSON.stringify(l));
  const until = Date.now() + 60_000;
  let status = '';
  while (Date.now() < until) {
    status = (await call(page, 'query($id: ID!) { campaign(id: $id) { status } }', { id })).data?.campaign?.status;
    if (status === 'ACTIVE') return;
    await page.waitForTimeout(500);
  }
  assert.fail(`campaign ${id} is ${status}, not ACTIVE, after 60 s`);
}

describe('spending guardrails', () => {
  let m; // the member's browser
  let c; // the chief architect's
  let integration;
  let creative;
  let running;
  before(async () => {
    m = await startBrowser(stack.base);
    c = await startBrowser(stack.base);
  });
  after(async () => {
    await m?.close();
    await c?.close();
  });

  it('prepares a member with a running Sandbox traffic campaign', async () => {
    const page = m.page;
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill(member.tenant);
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/settings/ad-platforms**');
    const s = await call(page, 'mutation { saveIntegration(provider: SANDBOX, accessToken: "sandbox-token-abcd", adAccountId: "act_2002") { id } }');
    integration = s.data.saveIntegration.id;
    const t = await call(page, 'mutation($i: ID!) { testIntegration(id: $i) { ok } }', { i: integration });
    assert.equal(t.data.testIntegration.ok, true, JSON.stringify(t));
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.locator('input[type=file]').setInputFiles([{ name: 'panels.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [20, 120, 60]) }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 1, null, { timeout: 30_000 });
    creative = (await call(page, '{ creatives(first: 1) { edges { node { id } } } }')).data.creatives.edges[0].node.id;
    // A large budget spends fast on the Sandbox, so a stop-loss rule can fire within seconds.
    running = await draft(page, 'Solar – big spender', 1_000_000, integration, creative);
    await launchAndWait(page, running);
  });

  it('the chief architect caps the tenant; the member sees it and a draft’s dry run fails at the budget field', async () => {
    const page = c.page;
    await page.goto('/signin');
    await page.getByLabel('Work e-mail').fill(chief.email);
    await page.getByLabel('Password').fill(chief.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Budget policy' }).click();
    await page.getByRole('heading', { name: 'Budget policy' }).waitFor();
    await page.getByLabel('Tenant').selectOption({ label: member.tenant });
    await page.getByTestId('default-limit').waitFor();
    // The running campaign asks 10,000 USD a day: a cap of 10,010 leaves room for 10 more.
    await page.getByLabel('Currency', { exact: true }).fill('USD');
    await page.getByLabel(/One campaign, per day/).fill('10000');
    await page.getByLabel(/All campaigns, per day/).fill('10010');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('The USD limits are saved.').waitFor();
    const row = page.locator('tr[data-currency=USD]');
    await row.getByText('$10,010.00').waitFor();
    assert.match(await row.innerText(), /\$10,000\.00[\s\S]*\$10,010\.00[\s\S]*\$10,000\.00/);
    await shot(page, '90-chief-budget-policy');

    const mp = m.page;
    await mp.getByRole('link', { name: 'Spending limits' }).click();
    await mp.getByRole('heading', { name: 'Budget policy' }).waitFor();
    await mp.locator('tr[data-currency=USD]').getByText('$10,010.00').waitFor();
    // A default stop-loss rule in euros (not copied into the USD campaigns below).
    const defaults = mp.getByRole('form', { name: 'Add a default stop-loss rule' });
    await defaults.getByLabel('Rule', { exact: true }).selectOption('LIFETIME_SPEND');
    await defaults.getByLabel('Currency', { exact: true }).fill('EUR');
    await defaults.getByLabel(/Lifetime spend reaches/).fill('250');
    await defaults.getByRole('button', { name: 'Add rule' }).click();
    await mp.getByRole('list', { name: 'Default stop-loss rules' }).getByText('lifetime spend reached 250.00 EUR').waitFor();
    const rules = (await call(mp, '{ stopLossRules { campaignId currency thresholdCents kind } }')).data.stopLossRules;
    assert.deepEqual(rules, [{ campaignId: null, currency: 'EUR', thresholdCents: 25000, kind: 'LIFETIME_SPEND' }]);
    await shot(mp, '91-member-budget-policy');

    const id = await draft(mp, 'Solar – one more', 2500, integration, creative);
    await mp.goto(`/campaigns/${id}/edit`);
    await mp.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    await mp.getByRole('button', { name: 'Preview launch' }).click();
    await mp.locator('.checks li').first().waitFor({ timeout: 20_000 });
    const policy = mp.locator('.checks li.fail', { hasText: 'Budget policy' });
    await policy.waitFor();
    const budgetField = mp.locator('[data-field=dailyBudget]');
    await budgetField.getByText(/^Budget policy: /).waitFor();
    assert.match(await budgetField.innerText(), /above the limit of 10,?010/, await budgetField.innerText());
    assert.equal(await mp.getByRole('button', { name: /^Launch/ }).isDisabled(), true);
    await shot(mp, '92-editor-budget-policy-refused');
  });

  it('a stop-loss rule with a preview fires and the bell shows the notification', async () => {
    const page = m.page;
    await page.goto(`/campaigns/${running}`);
    await page.getByRole('heading', { name: 'Stop-loss rules' }).waitFor();
    await page.getByLabel('Rule', { exact: true }).selectOption('SPEND_WITHOUT_LEADS');
    await page.getByLabel(/Spend without leads reaches/).fill('0.01');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('stop-loss-preview').waitFor();
    assert.match(await page.getByTestId('stop-loss-preview').innerText(), /Over the last 7 days|No numbers from the last 7 days/);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('.rule-list li').first().waitFor();
    await shot(page, '93-stop-loss-rules');

    // The bell asks after each navigation (and every 30 s): move between pages until it rings.
    const until = Date.now() + 90_000;
    while (Date.now() < until && !(await page.getByTestId('unread-count').isVisible())) {
      await page.getByRole('link', { name: 'Credits' }).click();
      await page.waitForTimeout(1500);
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.waitForTimeout(1500);
    }
    await page.getByTestId('unread-count').waitFor({ timeout: 1000 });
    await page.getByRole('button', { name: /Notifications, \d+ unread/ }).click();
    const item = page.locator('#notification-panel li[data-notification=RULE_FIRED]').first();
    await item.waitFor();
    assert.ok(await item.getByRole('link', { name: 'Open the campaign' }).isVisible());
    await shot(page, '94-notification-bell');
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByTestId('unread-count').waitFor({ state: 'detached' });
    await item.getByRole('link', { name: 'Open the campaign' }).click();
    await page.waitForURL(`**/campaigns/${running}`);
    await page.locator('.rule-list').getByText('Fired').waitFor({ timeout: 10_000 });
  });

  it('“Pause all” pauses a running campaign and reports it', async () => {
    const page = m.page;
    const id = await draft(page, 'Solar – weekend', 2500, integration, creative);
    await launchAndWait(page, id);
    await page.goto('/campaigns');
    await page.locator(`tr[data-campaign="${id}"] .badge`, { hasText: 'Active' }).waitFor();
    await page.getByRole('button', { name: 'Pause all' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause every running campaign?' });
    await dialog.getByText('Every running campaign of yours on the platform is paused now').waitFor();
    await shot(page, '95-pause-all-confirm');
    await dialog.getByRole('button', { name: 'Pause all now' }).click();
    const report = page.getByTestId('pause-report');
    await report.waitFor({ timeout: 30_000 });
    assert.match(await report.innerText(), /Paused 1 · already paused \d+ · launching 0 · failed 0/);
    await page.locator(`tr[data-campaign="${id}"] .badge`, { hasText: 'Paused' }).waitFor({ timeout: 10_000 });
    const s = await call(page, 'query($id: ID!) { campaign(id: $id) { status } }', { id });
    assert.equal(s.data.campaign.status, 'PAUSED');
    await shot(page, '96-pause-all-report');
    await page.setViewportSize({ width: 390, height: 844 });
    // The sidebar slides away when the layout becomes the phone's.
    await page.waitForTimeout(600);
    await shot(page, '97-pause-all-report-phone');
    await page.getByRole('button', { name: /^Notifications/ }).click();
    await shot(page, '98-notifications-phone');
    await page.keyboard.press('Escape');
    await page.goto(`/campaigns/${running}`);
    await page.getByRole('heading', { name: 'Stop-loss rules' }).waitFor();
    await page.getByRole('heading', { name: 'Stop-loss rules' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${process.env.LEADFORGE_SHOTS_DIR ?? '/tmp'}/99-stop-loss-phone.png` });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), true, 'no sideways scroll at 390 px');
  });

  it('the chief architect pauses one tenant and every tenant with the stronger confirmation', async () => {
    const page = c.page;
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('button', { name: `Pause all of this tenant: ${member.tenant}` }).click();
    await page.getByRole('dialog', { name: 'Pause every campaign of this tenant?' }).getByRole('button', { name: 'Pause this tenant’s campaigns' }).click();
    await page.getByTestId('pause-report').getByText(/Paused 0 · already paused \d+/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause every tenant' }).click();
    const d = page.getByRole('dialog', { name: 'Pause every campaign on the whole platform?' });
    await d.getByRole('button', { name: 'Pause every tenant’s campaigns' }).click();
    // Not without the typed word.
    await d.getByText('Type PAUSE to stop every tenant’s campaigns.').waitFor();
    await d.getByLabel('Type PAUSE to confirm').fill('PAUSE');
    await d.getByRole('button', { name: 'Pause every tenant’s campaigns' }).click();
    await page.getByTestId('pause-report').getByText(/Paused 0/).waitFor({ timeout: 30_000 });
    await shot(page, '9a-console-pause-all');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(600);
    await shot(page, '9b-console-pause-all-phone');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), true, 'no sideways scroll at 390 px');
    assert.deepEqual(c.problems, []);
    assert.deepEqual(m.problems, []);
  });
});
