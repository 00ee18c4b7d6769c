// The copy a launch sends is the copy the user saw (issue 21.2, 21.3): the
// dry run shows it with who wrote it, and after a refused launch "Fix and
// relaunch" shows the copy of the failed attempt; renaming drops the
// agent's copy of the old name, so the relaunch sends fresh words.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `copy-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Harbour Yoga' };
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

/** Clicks "Save draft" and waits for the server's answer. */
async function saveDraft(page) {
  const answered = page.waitForResponse((r) => /^(Update|Create)Campaign$/.test(r.request().postDataJSON()?.operationName ?? ''));
  await page.getByRole('button', { name: 'Save draft' }).click();
  await answered;
  await page.getByText('Draft saved').waitFor();
}

async function stored(page, id) {
  const r = await call(page, 'query($id: ID!) { campaign(id: $id) { status campaignName adCopy { headline body writtenBy } } }', { id });
  return r.data.campaign;
}

describe('the copy that launches is the copy shown', () => {
  let browser;
  let page;
  let problems;
  let draft;
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
    const t = await call(page, 'mutation($i: ID!) { testIntegration(id: $i) { ok } }', { i: s.data.saveIntegration.id });
    assert.equal(t.data.testIntegration.ok, true, JSON.stringify(t));
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.locator('input[type=file]').setInputFiles([{ name: 'mat.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [160, 90, 40]) }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 1, null, { timeout: 30_000 });
  });

  it('a refused launch, then "Fix and relaunch": the agent copy of the refused name is shown, and dropped by the rename', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    // The Sandbox refuses names with "#invalid" at launch.
    await page.getByLabel('Campaign name').fill('Spring #invalid');
    await page.locator('label.objective', { hasText: 'Traffic' }).click();
    await page.getByLabel(/Daily budget/).fill('25');
    await page.getByLabel('Destination URL').fill('https://example.com/spring');
    await page.locator('.creative-card.selectable input').first().check();
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li').first().waitFor({ timeout: 20_000 });
    draft = new URL(page.url()).pathname.split('/').at(-2);
    // The editor shows the copy the dry run wrote and saved.
    await page.getByTestId('copy-author').waitFor();
    assert.match(await page.getByTestId('copy-author').innerText(), /offline template — not AI/);
    const tried = await stored(page, draft);
    assert.equal(tried.adCopy.writtenBy, 'TEMPLATE');
    assert.match(JSON.stringify(tried.adCopy), /#invalid/);
    assert.equal(await page.locator('#own-headline').inputValue(), tried.adCopy.headline);
    // The dry run's panel shows the exact words and who wrote them (21.2).
    assert.equal(await page.getByTestId('previewed-headline').innerText(), tried.adCopy.headline);
    assert.equal(await page.getByTestId('previewed-body').innerText(), tried.adCopy.body);
    assert.equal(await page.getByTestId('previewed-copy-author').innerText(), 'Written by the offline template — not AI');
    assert.equal(await page.getByTestId('previewed-cta').innerText(), 'Learn more', 'a TRAFFIC ad asks to learn more');
    await shot(page, '61-dry-run-shows-the-copy');

    // The dry run refuses the name, so the launch is sent as another tab or a script would.
    const l = await call(page, 'mutation($id: ID!) { launchCampaign(id: $id, idempotencyKey: "first") { status } }', { id: draft });
    assert.equal(l.data.launchCampaign.status, 'LAUNCHING', JSON.stringify(l));
    await page.goto(`/campaigns/${draft}`);
    await page.getByText('The launch failed.').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Fix and relaunch' }).click();
    await page.waitForURL(`**/campaigns/${draft}/edit`);
    await page.getByText('Last launch failed').waitFor();
    // The failed attempt's copy, as saved, with who wrote it.
    assert.equal(await page.locator('#own-headline').inputValue(), tried.adCopy.headline);
    assert.match(await page.getByTestId('copy-author').innerText(), /offline template — not AI/);
    await shot(page, '60-fix-and-relaunch-saved-copy');

    // Renaming drops the agent's copy of the old name; the user is told.
    await page.getByLabel('Campaign name').fill('Spring open day');
    await page.getByTestId('copy-dropped').waitFor();
    assert.equal(await page.locator('#own-headline').count(), 0);
    await saveDraft(page);
    assert.equal((await stored(page, draft)).adCopy, null, 'the server dropped it too');

    // The next dry run writes fresh copy; the relaunch sends exactly that.
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.locator('.checks li').first().waitFor({ timeout: 20_000 });
    await page.getByTestId('copy-author').waitFor();
    const fresh = await stored(page, draft);
    assert.doesNotMatch(JSON.stringify(fresh.adCopy), /#invalid/);
    assert.equal(await page.locator('#own-headline').inputValue(), fresh.adCopy.headline);
    assert.equal(await page.getByTestId('previewed-headline').innerText(), fresh.adCopy.headline);
    await page.getByRole('button', { name: /^Launch/ }).click();
    await page.waitForURL(`**/campaigns/${draft}`);
    for (let i = 0; i < 200 && (await stored(page, draft)).status === 'LAUNCHING'; i++) await page.waitForTimeout(200);
    const launched = await stored(page, draft);
    assert.equal(launched.status, 'ACTIVE');
    assert.deepEqual(launched.adCopy, fresh.adCopy);
    assert.deepEqual(problems, []);
  });

  it('copy the user edited survives a rename', async () => {
    await page.goto('/campaigns/new');
    await page.getByRole('heading', { name: 'Preview and launch' }).waitFor();
    await page.getByLabel('Campaign name').fill('Autumn classes');
    await page.locator('label.objective', { hasText: 'Traffic' }).click();
    await page.getByLabel(/Daily budget/).fill('25');
    await page.getByLabel('Destination URL').fill('https://example.com/autumn');
    await page.locator('.creative-card.selectable input').first().check();
    await page.getByRole('button', { name: 'Preview launch' }).click();
    await page.getByTestId('copy-author').waitFor({ timeout: 20_000 });
    await page.locator('#own-headline').fill('Autumn classes, any level');
    assert.equal(await page.getByTestId('copy-author').innerText(), 'Written by you');
    await page.getByLabel('Campaign name').fill('Autumn open day');
    assert.equal(await page.getByTestId('copy-dropped').count(), 0);
    await saveDraft(page);
    const id = new URL(page.url()).pathname.split('/').at(-2);
    const saved = await stored(page, id);
    assert.equal(saved.adCopy.headline, 'Autumn classes, any level');
    assert.equal(saved.adCopy.writtenBy, null);
    assert.deepEqual(problems, []);
  });
});
