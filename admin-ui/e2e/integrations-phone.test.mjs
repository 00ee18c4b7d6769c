// Integrations (issue 21.9): a token replaced in place keeps its Page, the
// Connect Meta help says what is needed. Phone and polish (issue 21.10) at
// 390×844: the drawer closes on navigation, the campaign table keeps
// status, spend and leads, dark mode follows the system, and a refused
// delete does not claim what it did not do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `phone-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Harbour Bakery' };
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

describe('integrations, phone and polish', () => {
  let browser;
  let page;
  let problems;
  let integration;
  before(async () => {
    browser = await startBrowser(stack.base, { width: 390, height: 844 }, { colorScheme: 'dark', isMobile: true, hasTouch: true });
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());

  it('signs up on a phone, in dark mode', async () => {
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill(member.tenant);
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/settings/ad-platforms**');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 120, `a dark page in dark mode: ${bg}`);
  });

  it('the Connect Meta help names the app, token type and permissions', async () => {
    const help = page.getByTestId('connect-meta-help');
    await help.waitFor();
    const text = await help.innerText();
    for (const p of ['ads_management', 'ads_read', 'pages_show_list', 'pages_read_engagement', 'pages_manage_ads', 'leads_retrieval', 'business_management']) {
      assert.ok(text.includes(p), p);
    }
    assert.match(text, /system-user token \(recommended\)/);
    await shot(page, '80-phone-dark-connect-meta-help');
  });

  it('replaces an expired token in place, keeping the Page', async () => {
    const s = await call(page, 'mutation { saveIntegration(provider: SANDBOX, accessToken: "sandbox-token-abcd", adAccountId: "act_1001") { id } }');
    integration = s.data.saveIntegration.id;
    const t = await call(page, 'mutation($i: ID!) { testIntegration(id: $i) { ok pages { id } } }', { i: integration });
    const pageId = t.data.testIntegration.pages[0].id;
    await call(page, 'mutation($p: String!) { saveIntegration(provider: SANDBOX, accessToken: "sandbox-token-abcd", adAccountId: "act_1001", pageId: $p) { id } }', { p: pageId });
    await page.reload();
    await page.getByRole('button', { name: 'Replace token…' }).click();
    await page.getByLabel('New access token').fill('expired');
    await page.getByRole('button', { name: 'Save and test', exact: true }).click();
    await page.getByText('The platform refused the connection').waitFor();
    await page.getByRole('button', { name: 'Replace token…' }).click();
    await page.getByLabel('New access token').fill('sandbox-token-fresh');
    await page.getByRole('button', { name: 'Save and test', exact: true }).click();
    await page.getByText('Connection works').waitFor();
    const after = await call(page, '{ integrations { id status tokenLast4 pageId } }');
    assert.deepEqual(after.data.integrations, [{ id: integration, status: 'VERIFIED', tokenLast4: 'resh', pageId }]);
    await shot(page, '81-phone-token-replaced');
  });

  it('a refused delete says it was refused, without the consequences', async () => {
    const c = await call(page, '{ creatives(first: 1) { totalCount } }');
    assert.equal(c.data.creatives.totalCount, 0);
    await page.goto('/creatives');
    await page.locator('input[type=file]').setInputFiles([{ name: 'bread.png', mimeType: 'image/png', buffer: makePng(1080, 1080, [200, 150, 80]) }]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 1, null, { timeout: 30_000 });
    const cr = await call(page, '{ creatives(first: 1) { edges { node { id } } } }');
    for (const name of ['Sourdough week', 'Croissant club']) {
      const r = await call(
        page,
        `mutation($i: ID!, $c: [ID!]!, $n: String!) { createCampaign(input: { campaignName: $n, objective: TRAFFIC, dailyBudgetCents: 2500,
          destinationUrl: "https://example.com/bread", creativeIds: $c, integrationId: $i, targetAudience: { countries: ["US"] } }) { id } }`,
        { i: integration, c: [cr.data.creatives.edges[0].node.id], n: name },
      );
      assert.ok(!r.errors, JSON.stringify(r.errors));
    }
    await page.goto('/settings/ad-platforms');
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete connection' }).click();
    await page.getByRole('heading', { name: 'Not done' }).waitFor();
    const dialog = await page.locator('dialog').innerText();
    assert.doesNotMatch(dialog, /is erased/);
    assert.equal(await page.getByRole('button', { name: 'Delete connection' }).count(), 0);
    await shot(page, '82-phone-refused-delete');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('the drawer closes on navigation, and the table keeps status, spend and leads', async () => {
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('.shell.nav-open').waitFor();
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.waitForURL('**/campaigns');
    assert.equal(await page.locator('.shell.nav-open').count(), 0, 'closed by the link');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('.shell.nav-open').waitFor();
    await page.goBack();
    await page.waitForURL('**/settings/ad-platforms');
    assert.equal(await page.locator('.shell.nav-open').count(), 0, 'closed by Back');
    await page.goForward();
    await page.locator('[data-campaign]').first().waitFor();
    const visible = await page.evaluate(() => {
      const heads = [...document.querySelectorAll('.campaigns-table th')];
      return heads
        .filter((h) => {
          const r = h.getBoundingClientRect();
          return r.width > 0 && r.right <= window.innerWidth + 1;
        })
        .map((h) => h.textContent);
    });
    for (const h of ['Status', 'Spend', 'Leads']) assert.ok(visible.includes(h), `${h} in view: ${visible}`);
    await shot(page, '83-phone-campaign-table');
    assert.deepEqual(problems, []);
  });
});
