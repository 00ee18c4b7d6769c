// The form never fails silently (issue 21.6) and the live status is honest
// (issue 21.7): the first failing field gets the focus, unknown countries
// are refused at the field, unsaved work is not lost by leaving, the
// audience names its cities; "Reconnecting…" shows only where something is
// live, and a rate-limited launch says so with its retry time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `form-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Harbour Roofing' };
let stack;

before(async () => {
  stack = await startStack();
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

/** The id of the focused element, and whether it is inside the viewport. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const r = el?.getBoundingClientRect();
    return { id: el?.id ?? '', field: el?.closest('[data-field]')?.getAttribute('data-field') ?? '', visible: !!r && r.bottom > 0 && r.top < window.innerHeight };
  });
}

describe('the form and the live status', () => {
  let browser;
  let page;
  let problems;
  let integration;
  let creative;
  before(async () => {
    browser = await startBrowser(stack.base);
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());

  it('prepares a tested Sandbox account and a creative', async () => {
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill(member.tenant);
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/settings/ad-platforms**');
    const s = await call(page, 'mutation { saveIntegration(provider: SANDBOX, accessToken: "sandbox-token-abcd", adAccountId: "act_1001") { id } }');
    integration = s.data.saveIntegration.id;
    const t = await call(page, 'mutation($i: ID!) { testIntegration(id: $i) { ok } }', { i: integration });
    assert.equal(t.data.testIntegration.ok, true, JSON.stringify(t));
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.locator('input[type=file]').setInputFiles([{ name: 'roof.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [90, 60, 30]) }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 1, null, { timeout: 30_000 });
    const c = await call(page, '{ creatives(first: 1) { edges { node { id } } } }');
    creative = c.data.creatives.edges[0].node.id;
  });

  it('a failed submit scrolls to and focuses the first failing field, in page order', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.getByText('Name the campaign.').waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('[data-field]')?.getAttribute('data-field') === 'campaignName');
    assert.equal((await focused(page)).visible, true);

    // Everything but the image: the creatives card, far down, gets the focus.
    await page.getByLabel('Campaign name').fill('Roof check');
    await page.locator('label.objective', { hasText: 'Traffic' }).click();
    await page.getByLabel(/Daily budget/).fill('25');
    await page.getByLabel('Destination URL').fill('https://example.com/roof');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.getByText('Choose at least one image.').waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('[data-field]')?.getAttribute('data-field') === 'creativeIds');
    assert.equal((await focused(page)).visible, true, 'scrolled to it');
    await shot(page, '70-form-first-error-focused');
  });

  it('a country not on the list is refused at the field; the server refuses it too', async () => {
    const input = page.getByPlaceholder('Add a country: name or code');
    await input.fill('ZZ');
    await input.press('Enter');
    await page.getByText('“ZZ” is not a country ads can target: pick one from the list.').waitFor();
    assert.equal(await page.getByText('(ZZ)').count(), 0);
    await input.fill('Portugal');
    await input.press('Enter');
    await page.getByText('Portugal (PT)').waitFor();
    const r = await call(
      page,
      `mutation($i: ID!, $c: [ID!]!) { createCampaign(input: { campaignName: "ZZ", objective: TRAFFIC, dailyBudgetCents: 2500,
        destinationUrl: "https://example.com/roof", creativeIds: $c, integrationId: $i, targetAudience: { countries: ["ZZ"] } }) { id } }`,
      { i: integration, c: [creative] },
    );
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
    assert.equal(r.errors[0].extensions.field, 'targetAudience.countries');
  });

  it('an incomplete draft is kept in this browser, and leaving with unsaved work asks first', async () => {
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByTestId('kept-locally').waitFor();
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.waitForTimeout(300);
    assert.match(asked, /unsaved changes/);
    assert.equal(new URL(page.url()).pathname, '/campaigns/new', 'stayed on the form');
    assert.equal(await page.getByLabel('Campaign name').inputValue(), 'Roof check');
    // Accepted, the app leaves; coming back offers the kept form.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.waitForURL('**/creatives');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByTestId('unsaved-found').waitFor();
    await page.getByRole('button', { name: 'Restore them' }).click();
    assert.equal(await page.getByLabel('Campaign name').inputValue(), 'Roof check');
    await shot(page, '71-form-restored');
  });

  it('the audience summary names regions and cities', async () => {
    const r = await call(
      page,
      `mutation($i: ID!, $c: [ID!]!) { createCampaign(input: { campaignName: "Lisbon roofs", objective: TRAFFIC, dailyBudgetCents: 2500,
        destinationUrl: "https://example.com/roof", creativeIds: $c, integrationId: $i,
        targetAudience: { countries: [], regions: [{ id: "1171", name: "Lisbon District" }], cities: [{ id: "819827", name: "Munich" }] } }) { id } }`,
      { i: integration, c: [creative] },
    );
    assert.ok(!r.errors, JSON.stringify(r.errors));
    page.once('dialog', (d) => void d.accept());
    await page.goto(`/campaigns/${r.data.createCampaign.id}`);
    await page.getByText(/Lisbon District, Munich · ages 18–65\+/).waitFor();
    await page.goto(`/campaigns/${r.data.createCampaign.id}/edit`);
    await page.getByText(/Lisbon District, Munich · ages 18–65\+/).waitFor();
  });

  it('a rate-limited launch says so with its retry time; the badge is silent where nothing is live', async () => {
    const r = await call(
      page,
      `mutation($i: ID!, $c: [ID!]!) { createCampaign(input: { campaignName: "Roofs #rate-limit", objective: TRAFFIC, dailyBudgetCents: 2500,
        destinationUrl: "https://example.com/roof", creativeIds: $c, integrationId: $i, targetAudience: { countries: ["US"] } }) { id } }`,
      { i: integration, c: [creative] },
    );
    const id = r.data.createCampaign.id;
    const l = await call(page, 'mutation($id: ID!) { launchCampaign(id: $id, idempotencyKey: "rl-1") { status } }', { id });
    assert.equal(l.data.launchCampaign.status, 'LAUNCHING', JSON.stringify(l));
    await page.goto(`/campaigns/${id}`);
    const wait = page.getByTestId('launch-wait');
    await wait.waitFor({ timeout: 20_000 });
    const text = await wait.innerText();
    assert.match(text, /^The Sandbox asked us to slow down; retrying at \d{1,2}:\d{2}/);
    assert.match(text, /Nothing to fix in the draft/);
    assert.equal(await page.getByText('Fix the draft').count(), 0);
    await shot(page, '72-launch-waiting-on-rate-limit');
    // A live page shows the badge live.
    await page.locator('.live-live').waitFor({ timeout: 20_000 });

    // A page with nothing live: no badge, also once the socket has closed.
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.waitForURL('**/creatives');
    await page.waitForTimeout(4500);
    assert.equal(await page.locator('.live').count(), 0, 'no live status where nothing is live');
    await shot(page, '73-no-badge-without-live-view');
    assert.deepEqual(problems, []);
  });
});
