import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { AuthProvider } from '../auth';
import { AuthScreen, validateAuth } from '../screens/AuthScreen';
import { IntegrationsScreen, validateIntegration } from '../screens/IntegrationsScreen';
import { UploadRow } from '../screens/CreativesScreen';
import DashboardScreen from '../screens/campaigns/DashboardScreen';
import CreditsScreen from '../screens/CreditsScreen';
import { CopyEditor } from '../screens/campaigns/parts';
import { validateGrant, validateNewUser } from '../screens/console/TenantScreen';
import { ApiError, toApiError } from '../api/errors';
import { badInput, mockGraphql, unknownField } from './fetch';

beforeEach(() => {
  localStorage.clear();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const user = { __typename: 'User', id: 'u1', email: 'a@example.com', role: 'MEMBER', createdAt: '2026-12-01T10:00:00Z', tenant: { id: 't1', name: 'Acme', slug: 'acme' } };

describe('sign up form', () => {
  it('checks the fields before sending anything', async () => {
    const calls = mockGraphql({});
    render(
      <AuthProvider>
        <AuthScreen mode="signup" />
      </AuthProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));
    expect(await screen.findByText('Enter your e-mail address.')).toBeTruthy();
    expect(screen.getByText('Use at least 10 characters.')).toBeTruthy();
    expect(screen.getByLabelText('Work e-mail').getAttribute('aria-invalid')).toBe('true');
    expect(calls).toHaveLength(0);
  });

  it('shows the server error at its field (extensions.field)', async () => {
    mockGraphql({ SignUp: badInput('password', 'The password must not be your e-mail address.') });
    render(
      <AuthProvider>
        <AuthScreen mode="signup" />
      </AuthProvider>,
    );
    fireEvent.change(screen.getByLabelText('Organisation'), { target: { value: 'Acme' } });
    fireEvent.change(screen.getByLabelText('Work e-mail'), { target: { value: 'someone@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create workspace' }));
    const err = await screen.findByText('The password must not be your e-mail address.');
    expect(err.id).toBe(screen.getByLabelText('Password').getAttribute('aria-describedby'));
  });

  it('stores the token on success so a reload stays signed in', async () => {
    mockGraphql({ SignIn: { data: { signIn: { token: 'tok-123', user } } } });
    render(
      <AuthProvider>
        <AuthScreen mode="signin" />
      </AuthProvider>,
    );
    fireEvent.change(screen.getByLabelText('Work e-mail'), { target: { value: 'a@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'whatever pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(localStorage.getItem('leadforge.token')).toBe('tok-123'));
  });

  it('validates sign-in and sign-up differently', () => {
    expect(validateAuth('signin', { email: 'a@b.co', password: 'x', tenantName: '' })).toEqual({ email: undefined });
    expect(validateAuth('signup', { email: 'a@b.co', password: 'a@b.co', tenantName: 'A' }).password).toBeTruthy();
  });
});

describe('session', () => {
  it('an UNAUTHENTICATED answer signs the tab out', async () => {
    localStorage.setItem('leadforge.token', 'expired-token');
    mockGraphql({ Integrations: { errors: [{ message: 'Sign in again.', extensions: { code: 'UNAUTHENTICATED' } }] } });
    render(<IntegrationsScreen />);
    await waitFor(() => expect(localStorage.getItem('leadforge.token')).toBeNull());
  });
});

describe('ad platform form', () => {
  it('validates token and ad account', () => {
    expect(validateIntegration({ accessToken: '', adAccountId: 'act_1' }).accessToken).toBe('Paste the access token.');
    expect(validateIntegration({ accessToken: 'two words', adAccountId: 'act_1' }).accessToken).toMatch(/one line/);
    expect(validateIntegration({ accessToken: 'EAAB', adAccountId: 'acct-9' }).adAccountId).toMatch(/act_/);
    expect(validateIntegration({ accessToken: 'EAAB', adAccountId: '123' })).toEqual({ accessToken: undefined, adAccountId: undefined });
  });

  it('shows a server error at the ad account field', async () => {
    mockGraphql({
      Integrations: { data: { integrations: [] } },
      SaveIntegration: badInput('adAccountId', 'This ad account is not one your token can use.'),
    });
    render(<IntegrationsScreen />);
    expect(await screen.findByText('No ad account connected')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Access token'), { target: { value: 'EAABtoken' } });
    fireEvent.change(screen.getByLabelText('Ad account id'), { target: { value: 'act_42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and test connection' }));
    expect(await screen.findByText('This ad account is not one your token can use.')).toBeTruthy();
    expect(screen.getByLabelText('Ad account id').getAttribute('aria-invalid')).toBe('true');
  });

  it('shows a saved integration by its last 4 only', async () => {
    mockGraphql({
      Integrations: {
        data: {
          integrations: [
            { id: 'i1', provider: 'SANDBOX', adAccountId: 'act_123', accountName: 'Sandbox account 123', currency: 'USD', tokenLast4: 'wxyz', status: 'UNVERIFIED', lastVerifiedAt: null, lastError: null, pageId: null, createdAt: '2026-12-01T10:00:00Z', updatedAt: '2026-12-01T10:00:00Z' },
          ],
        },
      },
    });
    render(<IntegrationsScreen />);
    expect(await screen.findByText('•••• wxyz')).toBeTruthy();
    expect(screen.getByText('Not tested')).toBeTruthy();
  });
});

describe('uploads', () => {
  const file = new File(['x'.repeat(2048)], 'hero.png', { type: 'image/png' });
  it('shows per-file progress', () => {
    render(<UploadRow item={{ key: 'a', file, progress: 0.42, state: 'uploading' }} onCancel={() => {}} onRetry={() => {}} />);
    const bar = screen.getByLabelText('Upload of hero.png') as HTMLProgressElement;
    expect(bar.value).toBe(42);
    expect(screen.getByText('42%')).toBeTruthy();
  });
  it('shows the server error of one file with a retry', () => {
    render(<UploadRow item={{ key: 'a', file, progress: 1, state: 'error', error: 'This file is not a JPEG or PNG image.' }} onCancel={() => {}} onRetry={() => {}} />);
    expect(screen.getByRole('alert').textContent).toMatch(/not a JPEG/);
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});

describe('features the server does not serve yet', () => {
  it('spreads extensions.problems over their fields', () => {
    const e = toApiError(
      [{ message: 'The draft has 2 problems.', extensions: { code: 'BAD_USER_INPUT', field: 'campaignName', problems: [{ field: 'campaignName', message: 'Name it.' }, { field: 'targetAudience.ageMin', message: 'Ages start at 18.' }] } }],
      'x',
    );
    expect(e.fieldMessage('campaignName')).toBe('Name it.');
    expect(e.fieldMessage('targetAudience.ageMin')).toBe('Ages start at 18.');
  });
  it('recognises a validation error about an unknown field', () => {
    expect(toApiError(unknownField('campaigns').errors, 'x').notServed).toBe(true);
    expect(new ApiError([{ message: 'Unknown type "CampaignStatus".', code: 'GRAPHQL_VALIDATION_FAILED' }]).notServed).toBe(true);
    expect(new ApiError([{ message: 'nope', code: 'BAD_USER_INPUT' }]).notServed).toBe(false);
  });
  it('the dashboard says so plainly', async () => {
    mockGraphql({ Campaigns: unknownField('campaigns') });
    render(<DashboardScreen />);
    expect(await screen.findByText(/Campaigns: not available on this server yet/)).toBeTruthy();
  });
  it('the credits page says so plainly', async () => {
    mockGraphql({ Credits: unknownField('creditBalance') });
    render(<CreditsScreen />);
    expect(await screen.findByText(/Credits: not available on this server yet/)).toBeTruthy();
  });
});

describe('credits page', () => {
  it('lists the ledger with signed amounts', async () => {
    mockGraphql({
      Credits: {
        data: {
          creditBalance: 45,
          creditLedger: {
            totalCount: 2,
            pageInfo: { hasNextPage: false, endCursor: null },
            edges: [
              { cursor: 'b', node: { id: 'e2', delta: -5, kind: 'RESERVE', reason: 'Launch', campaignId: 'c1', createdAt: '2026-12-01T10:05:00Z' } },
              { cursor: 'a', node: { id: 'e1', delta: 50, kind: 'GRANT', reason: 'Welcome credits', campaignId: null, createdAt: '2026-12-01T10:00:00Z' } },
            ],
          },
        },
      },
    });
    render(<CreditsScreen />);
    expect(await screen.findByText('45')).toBeTruthy();
    expect(screen.getByText('+50')).toBeTruthy();
    expect(screen.getByText('-5')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open campaign' }).getAttribute('href')).toBe('/campaigns/c1');
  });
});

describe('copy editor', () => {
  it('counts the recommended lengths live and flags overflow', () => {
    const onChange = vi.fn();
    render(<CopyEditor idPrefix="t" copy={{ headline: 'x'.repeat(45), body: 'Short body', description: null, callToAction: 'SIGN_UP' }} onChange={onChange} />);
    expect(screen.getByText('45/40').className).toMatch(/over/);
    expect(screen.getByText('10/125').className).not.toMatch(/over/);
    fireEvent.change(screen.getByLabelText('Headline'), { target: { value: 'New' } });
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ headline: 'New' }));
  });
});

describe('console forms', () => {
  it('validates a new user', () => {
    expect(validateNewUser({ email: 'bad', password: 'short' })).toEqual({
      email: expect.stringMatching(/valid e-mail/),
      password: 'Use at least 10 characters.',
    });
  });
  it('validates a credit grant', () => {
    expect(validateGrant('abc', 'ok').amount).toBeTruthy();
    expect(validateGrant('0', 'Pilot').amount).toBeTruthy();
    expect(validateGrant('-10', 'Correction')).toEqual({ amount: undefined, reason: undefined });
  });
});
