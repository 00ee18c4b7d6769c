// The media buyer's flow against the real server and the offline Sandbox:
// create a campaign with generated copy, preview its checks, launch, watch it
// reach Active, pause and resume; credits; the chief architect grants credits
// and switches the agent for the tenant.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `launch-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Northwind Roofing' };
const chief = { email: 'ops@example.com', password: 'chief passphrase 1' };
let stack;

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

describe('media buyer launches on the Sandbox', () => {
  let browser;
  let page;
  let problems;
  before(async () => {
    browser = await startBrowser(stack.base);
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());

  it('prepares an account: Sandbox integration with its Page, two creatives', async () => {
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill(member.tenant);
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
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
    await page.locator('input[type=file]').setInputFiles([
      { name: 'roof-hero.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [30, 64, 175]) },
      { name: 'roof-detail.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [180, 83, 9]) },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 2, null, { timeout: 30_000 });
  });

  it('creates a campaign with generated copy, previews every check and launches', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    await page.getByLabel('Campaign name').fill('Roof inspection – Texas');
    await page.getByLabel('Instant form', { exact: true }).selectOption({ label: 'Sandbox lead form' });
    await page.getByLabel('Daily budget (USD)').fill('25');
    await page.getByLabel('Destination URL').fill('https://example.com/roof-check');
    for (const box of await page.locator('.creative-card.selectable input').all()) await box.check();
    // Interests come from searchTargeting, picked with the keyboard.
    await page.getByLabel('Interests').fill('fit');
    await page.getByRole('listbox').getByRole('option').first().waitFor({ timeout: 10_000 });
    await page.getByLabel('Interests').press('ArrowDown');
    await page.getByLabel('Interests').press('Enter');
    await page.locator('.chips[aria-label="Interests"] .chip').first().waitFor();
    await page.getByLabel('What do you offer?').fill('free roof inspection');
    await page.getByRole('button', { name: '✦ Generate copy' }).click();
    await page.getByText('Variant 3').waitFor();
    await page.getByText('Variant 2').click();
    await page.getByLabel('Headline').nth(1).fill('Free roof check this week');
    await shot(page, '40-campaign-new-copy');

    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.checks li.fail').count(), 0, await page.locator('.checks').innerText());
    assert.match(await page.getByTestId('credit-cost').innerText(), /5 of 50/);
    await shot(page, '41-campaign-new-preview');

    await page.getByRole('button', { name: /^Launch/ }).click();
    await page.waitForURL(/\/campaigns\/[^/]+$/);
    await page.locator('.badge', { hasText: 'Active' }).first().waitFor({ timeout: 60_000 });
    await shot(page, '42-campaign-active');
  });

  it('watches its numbers change live through campaignUpdated', async () => {
    await page.locator('.live-live').waitFor({ timeout: 15_000 });
    const shown = () =>
      page.evaluate(() => [...document.querySelectorAll('.kpi')].find((k) => k.textContent.includes('Impressions'))?.querySelector('.kpi-value')?.textContent);
    const stored = () =>
      page.evaluate(async (id) => {
        const r = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('leadforge.token')}` },
          body: JSON.stringify({ query: 'query($id: ID!) { campaign(id: $id) { performance { impressions } } }', variables: { id } }),
        });
        return (await r.json()).data?.campaign?.performance?.impressions ?? 0;
      }, page.url().split('/').at(-1));
    const before = await shown();
    // The Sandbox delivers while ACTIVE; the insights sync (every 2 s here) stores and publishes each change.
    const until = Date.now() + 40_000;
    while (Date.now() < until && (await stored()) === 0) await page.waitForTimeout(1000);
    assert.ok((await stored()) > 0, 'the insights sync stored no numbers within 40 s');
    // The server has new numbers: the page must show them without a reload.
    await page.waitForFunction(
      (b) => [...document.querySelectorAll('.kpi')].find((k) => k.textContent.includes('Impressions'))?.querySelector('.kpi-value')?.textContent !== b,
      before,
      { timeout: 15_000 },
    );
    await shot(page, '42-campaign-live');
  });

  it('pauses and resumes with the platform’s answer', async () => {
    await page.getByRole('switch', { name: /^Pause / }).click();
    await page.getByText('Paused on the platform').waitFor({ timeout: 20_000 });
    await page.locator('.badge', { hasText: 'Paused' }).first().waitFor();
    await page.getByRole('switch', { name: /^Resume / }).click();
    await page.getByText('Running again').waitFor({ timeout: 20_000 });
    await page.locator('.badge', { hasText: 'Active' }).first().waitFor();
  });

  it('a launch the platform refuses ends Failed with its words, the credits refunded, and a way to fix it', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Window replacement – Florida');
    await page.getByLabel('Instant form', { exact: true }).selectOption({ label: 'Sandbox lead form' });
    await page.getByLabel('Daily budget (USD)').fill('15');
    await page.getByLabel('Destination URL').fill('https://example.com/windows');
    await page.locator('.creative-card.selectable input').first().check();
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li').first().waitFor({ timeout: 20_000 });
    const id = page.url().split('/').at(-2);
    // Between the preview and the launch the draft changes elsewhere (another tab, the API):
    // the Sandbox refuses names tagged #invalid when the ad objects are created.
    const renamed = await page.evaluate(async (campaignId) => {
      const call = async (query, variables) => {
        const r = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem('leadforge.token')}` },
          body: JSON.stringify({ query, variables }),
        });
        return r.json();
      };
      const { data } = await call(
        'query($id: ID!) { campaign(id: $id) { objective dailyBudgetCents destinationUrl leadFormId integration { id } creatives { id } targetAudience { countries ageMin ageMax } } }',
        { id: campaignId },
      );
      const c = data.campaign;
      const input = {
        campaignName: 'Window replacement – Florida #invalid',
        objective: c.objective,
        dailyBudgetCents: c.dailyBudgetCents,
        destinationUrl: c.destinationUrl,
        leadFormId: c.leadFormId,
        integrationId: c.integration.id,
        creativeIds: c.creatives.map((x) => x.id),
        targetAudience: { countries: c.targetAudience.countries, ageMin: c.targetAudience.ageMin, ageMax: c.targetAudience.ageMax },
      };
      const u = await call('mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }', { id: campaignId, input });
      return !u.errors;
    }, id);
    assert.ok(renamed);
    await page.getByRole('button', { name: /^Launch/ }).click();
    await page.getByText('The launch failed.').waitFor({ timeout: 60_000 });
    await page.getByText('Invalid parameter').first().waitFor();
    await shot(page, '43-campaign-launch-failed');
    await page.getByRole('button', { name: 'Fix and relaunch' }).click();
    await page.waitForURL(`**/campaigns/${id}/edit`);
    await page.getByText('Last launch failed').waitFor();
    assert.match(await page.getByLabel('Campaign name').inputValue(), /#invalid/);
    await page.locator('.sidebar').getByRole('link', { name: 'Credits' }).click();
    await page.getByText('Refund').first().waitFor();
    assert.match(await page.locator('.kpi-value').first().innerText(), /45/);
  });

  it('lists it on the dashboard and shows the credits it took', async () => {
    await page.locator('.sidebar').getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.getByRole('link', { name: 'Roof inspection – Texas' }).waitFor();
    await shot(page, '44-campaigns-dashboard');
    await page.getByRole('link', { name: 'Credits' }).click();
    await page.getByText('Reserved').first().waitFor();
    assert.match(await page.locator('.kpi-value').first().innerText(), /45/);
    await shot(page, '45-credits');
  });

  it('a draft the platform would refuse shows the failed check; drafts can be deleted', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Scripted refusal #invalid');
    await page.getByLabel('Instant form', { exact: true }).selectOption({ label: 'Sandbox lead form' });
    await page.getByLabel('Daily budget (USD)').fill('0.50');
    await page.getByLabel('Destination URL').fill('https://example.com/');
    await page.locator('.creative-card.selectable input').first().check();
    await page.getByRole('button', { name: 'Save draft' }).click();
    // The server's minimum budget comes back at the budget field.
    await page.locator('[data-field="dailyBudget"] .field-error').waitFor();
    await shot(page, '46-campaign-server-errors');
    await page.getByLabel('Daily budget (USD)').fill('5');
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li.fail').first().waitFor({ timeout: 20_000 });
    assert.ok(await page.getByRole('button', { name: /^Launch/ }).isDisabled());
    await shot(page, '47-campaign-preview-failed');
    await page.locator('.sidebar').getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.getByRole('link', { name: 'Scripted refusal #invalid' }).click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete campaign' }).click();
    await page.waitForURL('**/campaigns');
    await page.getByRole('link', { name: 'Roof inspection – Texas' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Scripted refusal #invalid' }).count(), 0);
    assert.deepEqual(problems, []);
  });

  it('a housing campaign reaches every adult; the EU beneficiary and payor are set on the integration', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Campaign name').fill('Homes for rent');
    await page.getByLabel('Special ad category').selectOption({ label: 'Housing' });
    await page.getByLabel('Instant form', { exact: true }).selectOption({ label: 'Sandbox lead form' });
    await page.getByLabel('Daily budget (USD)').fill('5');
    await page.getByLabel('Destination URL').fill('https://example.com/homes');
    await page.locator('.creative-card.selectable input').first().check();
    await page.locator('[data-field="age"] input').first().fill('25');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const ageError = page.locator('[data-field="age"] .field-error');
    await ageError.waitFor();
    assert.match(await ageError.innerText(), /every adult/);
    await page.locator('[data-field="age"] input').first().fill('18');
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li').first().waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.checks li.fail').count(), 0, await page.locator('.checks').innerText());
    assert.match(await page.locator('.checks').innerText(), /special ad category \(housing\)/);
    await shot(page, '48-campaign-housing-preview');

    await page.goto('/settings/ad-platforms');
    await page.getByLabel('Beneficiary (EU)').fill('Northwind Roofing Ltd');
    await page.getByLabel('Payor (EU)').fill('Northwind Agency');
    await page.getByRole('button', { name: 'Save beneficiary and payor' }).click();
    await page.getByRole('button', { name: 'Save beneficiary and payor' }).and(page.locator('[disabled]')).waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('Beneficiary (EU)').inputValue(), 'Northwind Roofing Ltd');
    assert.equal(await page.getByLabel('Payor (EU)').inputValue(), 'Northwind Agency');
    assert.deepEqual(problems, []);
  });
});

describe('chief architect: credits and agents per tenant', () => {
  let browser;
  let page;
  let problems;
  before(async () => {
    stack.createChiefArchitect(chief.email, chief.password);
    browser = await startBrowser(stack.base);
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());

  it('grants credits and disables the media buyer for a tenant', async () => {
    await page.goto('/signin');
    await page.getByLabel('Work e-mail').fill(chief.email);
    await page.getByLabel('Password').fill(chief.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: member.tenant }).click();
    await page.getByRole('heading', { name: member.tenant }).waitFor();
    await page.getByLabel('Credits', { exact: true }).fill('25');
    await page.getByLabel('Reason').fill('Pilot top-up');
    await page.getByRole('button', { name: 'Grant credits' }).click();
    await page.getByText('Granted 25 credits.').waitFor();
    await page.getByRole('button', { name: 'Disable Media buyer for this tenant' }).click();
    await page.getByText('Saved').waitFor();
    assert.match(await page.getByTestId('agent-media-buyer').innerText(), /Disabled/);
    await shot(page, '48-console-tenant-agents-credits');

    await page.getByRole('link', { name: 'All campaigns' }).click();
    await page.getByText('Roof inspection – Texas').waitFor();
    await shot(page, '49-console-campaigns');
    assert.deepEqual(problems, []);
  });
});
