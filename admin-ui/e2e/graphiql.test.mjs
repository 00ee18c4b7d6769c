// GraphiQL is served from leadforge itself: with every other origin blocked
// in the browser, the IDE loads, takes a token in its headers editor and runs
// a query, and the page breaks no rule of its Content-Security-Policy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowser, startStack } from './harness.mjs';

const chief = { email: 'ops@example.com', password: 'chief passphrase 1' };

let stack;

before(async () => {
  stack = await startStack();
  stack.createChiefArchitect(chief.email, chief.password);
});

after(async () => {
  await stack?.stop();
});

async function signIn() {
  const response = await fetch(`${stack.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation ($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }',
      variables: { e: chief.email, p: chief.password },
    }),
  });
  const body = await response.json();
  assert.ok(body.data?.signIn?.token, JSON.stringify(body));
  return body.data.signIn.token;
}

/** Sets the text of the GraphiQL editor `selector` (CodeMirror 5 keeps its instance on its element). */
async function setEditor(page, selector, text) {
  await page.locator(`${selector} .CodeMirror`).waitFor();
  await page.evaluate(([s, t]) => document.querySelector(`${s} .CodeMirror`).CodeMirror.setValue(t), [selector, text]);
}

describe('GraphiQL', () => {
  let browser;
  const elsewhere = [];

  before(async () => {
    browser = await startBrowser(stack.base);
    const own = new URL(stack.base).origin;
    // The network beyond this server is cut: a request to any other origin
    // (a CDN) fails, and is recorded.
    await browser.context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === own) return route.continue();
      elsewhere.push(url);
      return route.abort('blockedbyclient');
    });
  });
  after(async () => browser?.close());

  it('runs a query with nothing loaded from another origin', async () => {
    const { page, problems } = browser;
    const token = await signIn();
    const response = await page.goto('/graphiql');
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'[;]/);
    assert.doesNotMatch(csp, /https?:|unpkg|unsafe-inline|unsafe-eval/);

    await setEditor(page, '.graphiql-query-editor', '{ serverStatus { version database } }');
    // The headers editor is a tab below the query editor.
    await page.getByText('Headers', { exact: true }).click();
    // The tool pane's second editor (after the variables) is the headers one.
    await page.waitForFunction(() => {
      const headers = document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')[1];
      return headers && !headers.classList.contains('hidden') && headers.querySelector('.CodeMirror');
    });
    await page.evaluate((value) => {
      const headers = document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')[1];
      headers.querySelector('.CodeMirror').CodeMirror.setValue(value);
    }, JSON.stringify({ Authorization: `Bearer ${token}` }));
    await page.locator('.graphiql-execute-button').click();

    const result = page.locator('.graphiql-response .CodeMirror');
    await result.getByText('"sqlite"').waitFor({ timeout: 15_000 });
    const text = await result.innerText();
    assert.match(text, /"serverStatus"/);
    assert.match(text, /"version": "\d+\.\d+\.\d+/);

    // Subscriptions go over this origin's WebSocket, signed in with the
    // same header: an unknown campaign is NOT_FOUND (not UNAUTHENTICATED).
    await setEditor(
      page,
      '.graphiql-query-editor',
      'subscription { campaignUpdated(id: "0190f5a0-0000-7000-8000-000000000000") { id } }',
    );
    await page.locator('.graphiql-execute-button').click();
    await result.getByText('NOT_FOUND').waitFor({ timeout: 15_000 });

    assert.deepEqual(elsewhere, [], 'requests to other origins');
    assert.deepEqual(problems, [], 'CSP violations or page errors');
  });
});
