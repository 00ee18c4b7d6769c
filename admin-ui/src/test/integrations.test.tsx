import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { IntegrationsScreen } from '../screens/IntegrationsScreen';
import { mockGraphql } from './fetch';

beforeEach(() => {
  localStorage.clear();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const row = (over: Record<string, unknown> = {}) => ({
  id: 'i1',
  provider: 'META_ADS',
  adAccountId: 'act_123',
  accountName: 'Harbour Dental',
  currency: 'EUR',
  tokenLast4: 'wxyz',
  status: 'INVALID',
  lastVerifiedAt: '2026-12-01T10:00:00Z',
  lastError: 'Meta no longer accepts this access token.',
  pageId: '1001',
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T10:00:00Z',
  ...over,
});

describe('replacing a token in place', () => {
  it('sends the new token for the same integration and shows the test at once', async () => {
    const calls = mockGraphql({
      Integrations: { data: { integrations: [row()] } },
      UpdateIntegration: {
        data: {
          updateIntegration: {
            ok: true,
            message: 'Connected to Meta ad account “Harbour Dental” (EUR).',
            integration: row({ tokenLast4: 'new1', status: 'VERIFIED', lastError: null }),
            pages: [{ id: '1001', name: 'Harbour Dental Page' }],
          },
        },
      },
      PlatformAssets: { data: { platformAssets: { pages: [], pixels: [], leadForms: [] } } },
    });
    render(<IntegrationsScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Replace token…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    expect(screen.getByText('Paste the new access token.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('New access token'), { target: { value: '  EAABnew1 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and test' }));
    await screen.findByText('Connection works');
    const sent = calls.find((c) => c.operationName === 'UpdateIntegration');
    expect(sent?.variables).toEqual({ id: 'i1', accessToken: 'EAABnew1' });
    expect(screen.getByText('•••• new1')).toBeTruthy();
    // The Page stays the integration's.
    await waitFor(() => expect(screen.getByText('Harbour Dental Page')).toBeTruthy());
  });

  it('the Connect Meta help names the app, the token type and every permission', async () => {
    mockGraphql({ Integrations: { data: { integrations: [] } } });
    render(<IntegrationsScreen />);
    const help = await screen.findByTestId('connect-meta-help');
    for (const p of ['ads_management', 'ads_read', 'pages_show_list', 'pages_read_engagement', 'pages_manage_ads', 'leads_retrieval', 'business_management']) {
      expect(help.textContent).toContain(p);
    }
    expect(help.textContent).toMatch(/system-user token \(recommended\)/);
    expect(help.textContent).toMatch(/Marketing API/);
  });
});
