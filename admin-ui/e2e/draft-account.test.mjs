// A saved draft keeps the ad account it was saved on (issue 21): opening it
// must never swap in the default (newest) account, whatever order the
// editor's queries answer in, and a failed campaign moves to another account
// only when the user picks one and is told so.
//
// Two Sandbox accounts: the older in USD (saved first), the newer in JPY,
// which is the editor's default for a new campaign.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `account-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Harbour Dental' };
let stack;

before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** One GraphQL call with the page's session. */
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

/**
 * Slows the editor's `Campaign` query by `delayMs` and holds the
 * `Integrations` answer until the draft's is released, so both land at
 * once: the order the failing reloads saw (the account list arriving
 * together with, or just before, the draft). Returns a function that
 * removes the slowdown.
 */
async function slowDraftQuery(page, delayMs) {
  let release;
  const draftReleased = new Promise((r) => (release = r));
  const handler = async (route) => {
    const op = route.request().postDataJSON()?.operationName;
    if (op !== 'Campaign' && op !== 'Integrations') return route.continue();
    const response = await route.fetch();
    if (op === 'Campaign') {
      await new Promise((r) => setTimeout(r, delayMs));
      release();
    } else {
      await draftReleased;
    }
    await route.fulfill({ response });
  };
  await page.route('**/graphql', handler);
  return () => page.unroute('**/graphql', handler);
}

/** The editor's account select: its value, the shown option and the budget's currency. */
async function shownAccount(page) {
  const select = page.getByLabel('Ad account');
  return {
    value: await select.inputValue(),
    text: (await select.locator('option:checked').innerText()).trim(),
    budgetLabel: (await page.locator('[data-field="dailyBudget"] label').first().innerText()).trim(),
  };
}

/** `updateCampaign` of the draft through the API (another tab, a script): its name and integration. */
async function rename(page, id, name, integrationId) {
  const c = await call(page, 'query($id: ID!) { campaign(id: $id) { creatives { id } } }', { id });
  return call(
    page,
    `mutation($id: ID!, $n: String!, $i: ID!, $c: [ID!]!) { updateCampaign(id: $id, input: {
      campaignName: $n, objective: TRAFFIC, dailyBudgetCents: 2500, destinationUrl: "https://example.com/whitening",
      creativeIds: $c, integrationId: $i, targetAudience: { countries: ["US"], ageMin: 18, ageMax: 65 } }) { id } }`,
    { id, n: name, i: integrationId, c: c.data.campaign.creatives.map((x) => x.id) },
  );
}

async function storedIntegration(page, id) {
  const r = await call(page, 'query($id: ID!) { campaign(id: $id) { status integration { id } } }', { id });
  return r.data.campaign.integration.id;
}

describe('a draft keeps its ad account', () => {
  let browser;
  let page;
  let problems;
  let older;
  let newer;
  let draft;
  before(async () => {
    browser = await startBrowser(stack.base);
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());

  it('prepares two tested Sandbox accounts (USD older, JPY newer) and a creative', async () => {
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill(member.tenant);
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/settings/ad-platforms**');
    const save = async (account) => {
      const s = await call(
        page,
        'mutation($a: String!) { saveIntegration(provider: SANDBOX, accessToken: "sandbox-token-abcd", adAccountId: $a) { id } }',
        { a: account },
      );
      const id = s.data.saveIntegration.id;
      const t = await call(page, 'mutation($i: ID!) { testIntegration(id: $i) { ok } }', { i: id });
      assert.equal(t.data.testIntegration.ok, true, JSON.stringify(t));
      return id;
    };
    older = await save('act_1001');
    // Created later, so listed first and the default for a new campaign.
    await new Promise((r) => setTimeout(r, 20));
    newer = await save('act_2392');
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.locator('input[type=file]').setInputFiles([{ name: 'smile.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [20, 120, 160]) }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 1, null, { timeout: 30_000 });
  });

  it('saves a new draft on the older account', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    // A new campaign starts on the newest account.
    assert.equal((await shownAccount(page)).value, newer);
    await page.getByLabel('Ad account').selectOption(older);
    await page.getByLabel('Campaign name').fill('Whitening week');
    await page.locator('label.objective', { hasText: 'Traffic' }).click();
    await page.getByLabel('Daily budget (USD)').fill('25');
    await page.getByLabel('Destination URL').fill('https://example.com/whitening');
    await page.locator('.creative-card.selectable input').first().check();
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    draft = new URL(page.url()).pathname.split('/').at(-2);
    assert.equal(await storedIntegration(page, draft), older);
  });

  it('reopens the draft on its own account, however late its query answers', async () => {
    for (const delay of [0, 300, 1200]) {
      const unslow = await slowDraftQuery(page, delay);
      await page.goto(`/campaigns/${draft}/edit`);
      await page.getByLabel('Campaign name').waitFor();
      await page.waitForLoadState('networkidle');
      // Let any late effect run before looking.
      await page.waitForTimeout(300);
      const shown = await shownAccount(page);
      assert.equal(shown.value, older, `delay ${delay} ms: the select shows ${shown.text}`);
      assert.match(shown.text, /1001/);
      assert.equal(shown.budgetLabel, 'Daily budget (USD)', `delay ${delay} ms`);
      assert.equal(await page.getByLabel('Daily budget (USD)').inputValue(), '25.00');
      await unslow();
    }
    await shot(page, '50-campaign-draft-reopened');
    // Saving keeps it there.
    await page.getByLabel('Campaign name').fill('Whitening week – edited');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    assert.equal((await shownAccount(page)).value, older);
    assert.equal(await storedIntegration(page, draft), older);
  });

  it('a failed campaign moves to another account only when the user picks it, and says so', async () => {
    // Preview passes; then the name changes elsewhere to one the Sandbox refuses at launch.
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li').first().waitFor({ timeout: 20_000 });
    const renamed = await rename(page, draft, 'Whitening week #invalid', older);
    assert.ok(!renamed.errors, JSON.stringify(renamed.errors));
    await page.getByRole('button', { name: /^Launch/ }).click();
    await page.getByText('The launch failed.').waitFor({ timeout: 60_000 });

    const unslow = await slowDraftQuery(page, 300);
    await page.getByRole('button', { name: 'Fix and relaunch' }).click();
    await page.waitForURL(`**/campaigns/${draft}/edit`);
    await page.getByText('Last launch failed').waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await unslow();
    assert.equal((await shownAccount(page)).value, older);
    assert.equal(await page.getByText(/Saving moves it to/).count(), 0);

    // The user picks the other account: the editor says what saving does, and the server takes it.
    await page.getByLabel('Ad account').selectOption(newer);
    await page.getByText(/Saving moves it to Sandbox account 2392/).waitFor();
    assert.equal((await shownAccount(page)).budgetLabel, 'Daily budget (JPY)');
    await page.getByLabel('Campaign name').fill('Whitening week');
    await page.getByLabel('Daily budget (JPY)').fill('3000');
    await shot(page, '51-campaign-failed-move-account');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved').waitFor();
    assert.equal(await storedIntegration(page, draft), newer);
    assert.equal(await page.getByText(/Saving moves it to/).count(), 0);

    // Without the user's word the server refuses to move it back.
    const c = await call(page, 'query($id: ID!) { campaign(id: $id) { status } }', { id: draft });
    assert.equal(c.data.campaign.status, 'ERROR');
    const refused = await rename(page, draft, 'Whitening week', older);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(refused));
    assert.equal(refused.errors[0].extensions.field, 'integrationId');
    assert.equal(await storedIntegration(page, draft), newer);
    assert.deepEqual(problems, []);
  });
});
