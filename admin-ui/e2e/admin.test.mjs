// The served features end to end, in Debian's Chromium against the real leadforge binary.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makePng, shot, startBrowser, startStack } from './harness.mjs';

const member = { email: `buyer-${Date.now()}@example.com`, password: 'a long passphrase', tenant: 'Acme Growth' };
const chief = { email: 'ops@example.com', password: 'chief passphrase 1' };

let stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.stop();
});

async function expectText(page, text, timeout = 10_000) {
  await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout });
}

describe('member', () => {
  let browser;
  let page;
  let problems;

  before(async () => {
    browser = await startBrowser(stack.base);
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());
  afterEach(async (t) => {
    if (process.env.E2E_DEBUG_SHOTS) await page?.screenshot({ path: `${process.env.E2E_DEBUG_SHOTS}/${t.name.slice(0, 40)}.png`, fullPage: true });
  });

  it('signs up with errors shown at the field', async () => {
    await page.goto('/');
    await page.waitForURL('**/signin');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await shot(page, '01-sign-in');

    await page.getByRole('link', { name: 'Create a workspace' }).click();
    await page.getByRole('heading', { name: 'Create your workspace' }).waitFor();
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expectText(page, 'Enter your organisation');
    await expectText(page, 'Enter your e-mail address.');
    await expectText(page, 'Use at least 10 characters.');
    assert.equal(await page.getByLabel('Work e-mail').getAttribute('aria-invalid'), 'true');
    await shot(page, '02-sign-up-errors');

    await page.getByLabel('Organisation').fill(member.tenant);
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL('**/settings/ad-platforms**');
    await page.getByRole('heading', { name: 'Ad platforms', exact: true }).waitFor();
    await expectText(page, 'No ad account connected');
    await shot(page, '03-ad-platforms-empty');
  });

  it('saves and tests a Sandbox integration, picks its Page', async () => {
    await page.getByText('Sandbox', { exact: true }).click();
    await page.getByLabel('Access token').fill('sandbox-token-abcd');
    await page.getByLabel('Ad account id').fill('act_123');
    await page.getByRole('button', { name: 'Save and test connection' }).click();
    await expectText(page, 'Connection works');
    await expectText(page, 'Sandbox account 123');
    await expectText(page, '•••• abcd');
    await expectText(page, 'USD');
    await page.getByRole('button', { name: 'Use this Page' }).click();
    await page.getByRole('button', { name: 'Page in use' }).waitFor();
    await expectText(page, 'Sandbox pixel');
    await expectText(page, 'Sandbox lead form');
    await shot(page, '04-ad-platforms-verified');

    // A token the platform refuses shows the platform's own words.
    await page.getByLabel('Access token').fill('invalid');
    await page.getByLabel('Ad account id').fill('act_456');
    await page.getByRole('button', { name: 'Save and test connection' }).click();
    await expectText(page, 'The platform refused the connection');
    await shot(page, '05-ad-platforms-refused');
  });

  it('keeps the session across a reload and never shows the token', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Ad platforms', exact: true }).waitFor();
    await expectText(page, '•••• abcd');
    assert.equal(await page.getByText('sandbox-token-abcd').count(), 0);
    assert.ok((await page.evaluate(() => localStorage.getItem('leadforge.token')))?.length > 20);
  });

  it('deletes a connection after confirmation', async () => {
    const card = page.getByRole('article', { name: /act_456/ });
    await card.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Delete this connection?' }).waitFor();
    await shot(page, '06-ad-platforms-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete connection' }).click();
    await page.getByRole('article', { name: /act_456/ }).waitFor({ state: 'detached' });
  });

  it('uploads two images with progress, shows per-file errors, deletes one', async () => {
    await page.getByRole('link', { name: 'Creatives' }).click();
    await page.getByRole('heading', { name: 'Creatives', exact: true }).waitFor();
    await expectText(page, 'No creatives yet');
    await shot(page, '07-creatives-empty');

    // Slow the upload link so progress is visible between 0 and 100 %.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    const seen = new Set();
    const watch = setInterval(async () => {
      try {
        const values = await page.$$eval('progress', (els) => els.map((e) => Number(e.getAttribute('data-progress'))));
        values.forEach((v) => seen.add(v));
      } catch {
        /* page busy */
      }
    }, 50);

    await page.locator('input[type=file]').setInputFiles([
      { name: 'spring-hero.png', mimeType: 'image/png', buffer: makePng(640, 640, [37, 99, 235], true) },
      { name: 'summer-square.png', mimeType: 'image/png', buffer: makePng(600, 600, [220, 90, 40], true) },
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is not an image at all') },
    ]);
    await page.getByTestId('upload-row').first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('progress')].some((p) => p.value > 0 && p.value < 100), null, {
      timeout: 15_000,
    });
    await shot(page, '08-creatives-uploading');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 2, null, { timeout: 60_000 });
    clearInterval(watch);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    assert.ok([...seen].some((v) => v > 0 && v < 100), `progress between 0 and 100 was seen: ${[...seen]}`);

    const bad = page.getByTestId('upload-row').filter({ hasText: 'notes.png' });
    await bad.getByRole('alert').waitFor();
    assert.match(await bad.getByRole('alert').innerText(), /\w+/);
    await expectText(page, '640 × 640');
    await shot(page, '09-creatives-gallery');

    await page.getByRole('button', { name: 'Delete spring-hero.png' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Delete this creative?' }).waitFor();
    await shot(page, '10-creatives-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete image' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=creative-card]').length === 1);
    await page.reload();
    await page.getByTestId('creative-card').first().waitFor();
    assert.equal(await page.getByTestId('creative-card').count(), 1);
    await expectText(page, 'summer-square.png');
  });

  it('shows the campaign screens, or says they are not served yet', async () => {
    for (const [link, name] of [
      ['Campaigns', '11-campaigns'],
      ['New campaign', '12-campaign-new'],
      ['Credits', '13-credits'],
    ]) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.waitForFunction(() => !document.querySelector('.loading, .skeleton'), null, { timeout: 10_000 });
      await page.waitForTimeout(200);
      await shot(page, name);
    }
  });

  it('works at tablet width', async () => {
    await page.setViewportSize({ width: 820, height: 1100 });
    try {
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'Creatives' }).click();
      await page.getByTestId('creative-card').first().waitFor();
      await shot(page, '14-creatives-tablet');
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click({ force: true }).catch(() => {});
      await page.setViewportSize({ width: 820, height: 1100 });
    } finally {
      await page.setViewportSize({ width: 1366, height: 900 });
    }
  });

  it('signs out, then a second sign-up with the same e-mail is refused without saying the address exists', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.goto('/signup');
    await page.getByLabel('Organisation').fill('Another Org');
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    // The answer fits a taken address without confirming one exists.
    await page.getByText('No new account could be opened').first().waitFor();
    await shot(page, '15-sign-up-taken');

    await page.goto('/signin');
    await page.getByLabel('Work e-mail').fill(member.email);
    await page.getByLabel('Password').fill('wrong passphrase!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').first().waitFor();
    await shot(page, '16-sign-in-refused');
    assert.deepEqual(problems, []);
  });
});

describe('chief architect', () => {
  let browser;
  let page;
  let problems;

  before(async () => {
    stack.createChiefArchitect(chief.email, chief.password);
    browser = await startBrowser(stack.base);
    ({ page, problems } = browser);
  });
  after(async () => browser?.close());
  afterEach(async (t) => {
    if (process.env.E2E_DEBUG_SHOTS) await page?.screenshot({ path: `${process.env.E2E_DEBUG_SHOTS}/${t.name.slice(0, 40)}.png`, fullPage: true });
  });

  it('signs in and sees tenants and their users', async () => {
    await page.goto('/signin');
    await page.getByLabel('Work e-mail').fill(chief.email);
    await page.getByLabel('Password').fill(chief.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console');
    await page.getByRole('link', { name: member.tenant }).waitFor();
    await shot(page, '20-console-tenants');

    await page.getByRole('link', { name: member.tenant }).click();
    await page.getByRole('heading', { name: member.tenant }).waitFor();
    await expectText(page, member.email);
  });

  it('creates a user in the tenant', async () => {
    const email = `second-${Date.now()}@example.com`;
    await page.getByRole('button', { name: 'Create user' }).click();
    await expectText(page, 'Enter your e-mail address.');
    await page.getByLabel('E-mail', { exact: true }).fill(email);
    await page.getByLabel('Initial password').fill('another passphrase');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: email }).waitFor();
    await page.waitForTimeout(300);
    await shot(page, '21-console-tenant');
  });

  it('reads the audit trail with paging', async () => {
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByRole('heading', { name: 'Audit trail', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'integration.save' }).first().waitFor();
    await expectText(page, 'admin.create_user');
    await shot(page, '22-console-audit');

    await page.getByRole('link', { name: 'All campaigns' }).click();
    await page.waitForFunction(() => !document.querySelector('.loading, .skeleton'));
    await shot(page, '23-console-campaigns');
    assert.deepEqual(problems, []);
  });
});
