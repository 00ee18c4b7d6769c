import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import CampaignEditorScreen from '../screens/campaigns/CampaignEditorScreen';
import { navigate } from '../router';
import { mockGraphql } from './fetch';

beforeEach(() => {
  localStorage.clear();
  window.history.replaceState(null, '', '/');
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const at = '2026-12-01T10:00:00Z';
const account = (id: string, n: string, currency: string, createdAt: string) => ({
  id,
  provider: 'SANDBOX',
  adAccountId: `act_${n}`,
  accountName: `Sandbox account ${n}`,
  currency,
  tokenLast4: 'abcd',
  status: 'VERIFIED',
  lastVerifiedAt: createdAt,
  lastError: null,
  pageId: null,
  createdAt,
  updatedAt: createdAt,
});
// Newest first, as the server lists them: the JPY account is a new campaign's default.
const integrations = [account('newer', '2392', 'JPY', '2026-12-02T10:00:00Z'), account('older', '1001', 'USD', at)];

const campaign = (status: string) => ({
  id: 'c1',
  campaignName: 'Whitening week',
  objective: 'TRAFFIC',
  dailyBudgetCents: 2500,
  status,
  provider: 'SANDBOX',
  errorMessage: status === 'ERROR' ? 'Invalid parameter' : null,
  launchFailure: status === 'ERROR' ? 'REFUSED' : null,
  destinationUrl: 'https://example.com/whitening',
  metaCampaignId: null,
  createdAt: at,
  updatedAt: at,
  integration: { id: 'older', adAccountId: 'act_1001', accountName: 'Sandbox account 1001', currency: 'USD' },
  performance: { currency: 'USD', impressions: 0, clicks: 0, spendCents: 0, leads: 0, ctr: 0, costPerLeadCents: null, updatedAt: null },
  leadFormId: null,
  pixelId: null,
  metaAdsetId: null,
  metaAdId: null,
  targetAudience: { countries: ['US'], ageMin: 18, ageMax: 65, regions: [], cities: [], interests: [] },
  adCopy: null,
  creatives: [{ id: 'k1', fileName: 'smile.png', thumbnailUrl: '/blobs/k1', width: 1080, height: 1080 }],
  remoteAds: [],
  snapshots: [],
  owner: { id: 'u1', email: 'a@example.com' },
});

function answers(status: string) {
  return {
    CreditBalance: { data: { creditBalance: 50 } },
    // Every query answers at once: the account list lands together with the draft.
    Campaign: { data: { campaign: campaign(status) } },
    Integrations: { data: { integrations } },
    Creatives: { data: { creatives: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } },
    PlatformAssets: { data: { platformAssets: { pages: [], pixels: [], leadForms: [] } } },
    Countries: { data: { countries: [{ code: 'DE', name: 'Germany' }, { code: 'PT', name: 'Portugal' }, { code: 'US', name: 'United States' }] } },
    UpdateCampaign: (vars: Record<string, unknown>) => ({
      data: { updateCampaign: { ...campaign(status), integration: { ...campaign(status).integration, id: (vars.input as { integrationId: string }).integrationId } } },
    }),
  };
}

const select = () => screen.getByLabelText('Ad account') as HTMLSelectElement;

describe('campaign editor and its ad account', () => {
  it('a new campaign starts on the newest tested account', async () => {
    mockGraphql(answers('DRAFT'));
    render(<CampaignEditorScreen />);
    await screen.findByText('Daily budget (JPY)');
    expect(select().value).toBe('newer');
  });

  it('a saved draft opens on its own account, not the default, and saves there', async () => {
    const calls = mockGraphql(answers('DRAFT'));
    render(<CampaignEditorScreen id="c1" />);
    await screen.findByLabelText('Campaign name');
    // Whatever arrives after the form opened, it stays on the draft's account.
    await waitFor(() => expect(calls.some((c) => c.operationName === 'PlatformAssets')).toBe(true));
    expect(select().value).toBe('older');
    expect(screen.getByText('Daily budget (USD)')).toBeTruthy();
    expect((screen.getByLabelText('Daily budget (USD)') as HTMLInputElement).value).toBe('25.00');
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByText('Draft saved');
    const sent = calls.find((c) => c.operationName === 'UpdateCampaign');
    expect((sent?.variables.input as { integrationId: string }).integrationId).toBe('older');
    expect(sent?.variables.confirmIntegrationChange).toBeUndefined();
    expect(select().value).toBe('older');
  });

  it('a draft changes account freely, without the confirmation', async () => {
    const calls = mockGraphql(answers('DRAFT'));
    render(<CampaignEditorScreen id="c1" />);
    await screen.findByLabelText('Campaign name');
    fireEvent.change(select(), { target: { value: 'newer' } });
    expect(screen.queryByText(/Saving moves it to/)).toBeNull();
    fireEvent.change(screen.getByLabelText('Daily budget (JPY)'), { target: { value: '3000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByText('Draft saved');
    const sent = calls.find((c) => c.operationName === 'UpdateCampaign');
    expect((sent?.variables.input as { integrationId: string }).integrationId).toBe('newer');
    expect(sent?.variables.confirmIntegrationChange).toBeUndefined();
  });

  it('a failed campaign moves only when the user picks another account, and the editor says so', async () => {
    const calls = mockGraphql(answers('ERROR'));
    render(<CampaignEditorScreen id="c1" />);
    await screen.findByText('Last launch failed');
    expect(select().value).toBe('older');
    expect(screen.queryByText(/Saving moves it to/)).toBeNull();
    // Saved on its own account: no confirmation sent.
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByText('Draft saved');
    expect(calls.filter((c) => c.operationName === 'UpdateCampaign').at(-1)?.variables.confirmIntegrationChange).toBeUndefined();

    fireEvent.change(select(), { target: { value: 'newer' } });
    expect(screen.getByText(/This campaign was launched on Sandbox account 1001\. Saving moves it to Sandbox account 2392, in JPY/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Daily budget (JPY)'), { target: { value: '3000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(calls.filter((c) => c.operationName === 'UpdateCampaign')).toHaveLength(2));
    const sent = calls.filter((c) => c.operationName === 'UpdateCampaign').at(-1);
    expect((sent?.variables.input as { integrationId: string }).integrationId).toBe('newer');
    expect(sent?.variables.confirmIntegrationChange).toBe(true);
    // Moved: the sentence goes, and the next save needs no confirmation.
    await waitFor(() => expect(screen.queryByText(/Saving moves it to/)).toBeNull());
  });
});

describe('the form never fails silently', () => {
  it('an incomplete new campaign is kept in this browser, with the first failing field focused', async () => {
    const calls = mockGraphql(answers('DRAFT'));
    render(<CampaignEditorScreen />);
    await screen.findByText('Daily budget (JPY)');
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByTestId('kept-locally');
    // The name comes first on the page: it has the focus and its error.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Campaign name')));
    expect(screen.getByText('Name the campaign.')).toBeTruthy();
    expect(calls.some((c) => c.operationName === 'CreateCampaign')).toBe(false);
    expect(JSON.parse(localStorage.getItem('leadforge.unsaved.new') ?? '{}').form.countries).toEqual(['US']);
    cleanup();
    // Opening the editor again offers what was kept.
    render(<CampaignEditorScreen />);
    await screen.findByTestId('unsaved-found');
  });

  it('a country not on the platform\'s list is refused at the field', async () => {
    mockGraphql(answers('DRAFT'));
    render(<CampaignEditorScreen id="c1" />);
    await screen.findByLabelText('Campaign name');
    const input = screen.getByPlaceholderText('Add a country: name or code');
    await waitFor(() => expect(document.querySelectorAll('datalist option').length).toBeGreaterThan(0));
    fireEvent.change(input, { target: { value: 'ZZ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByText('“ZZ” is not a country ads can target: pick one from the list.')).toBeTruthy();
    expect(screen.queryByText(/\(ZZ\)/)).toBeNull();
    fireEvent.change(input, { target: { value: 'portugal' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByText('Portugal (PT)')).toBeTruthy();
    expect(screen.queryByText(/is not a country/)).toBeNull();
  });

  it('leaving with unsaved changes asks first', async () => {
    mockGraphql(answers('DRAFT'));
    window.history.replaceState(null, '', '/campaigns/c1/edit');
    render(<CampaignEditorScreen id="c1" />);
    await screen.findByLabelText('Campaign name');
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    // Nothing changed: no question.
    navigate('/campaigns/c1/edit?x=1');
    expect(confirm).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Campaign name'), { target: { value: 'Renamed' } });
    navigate('/campaigns');
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(window.location.pathname).toBe('/campaigns/c1/edit');
    const unload = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(unload);
    expect(unload.defaultPrevented).toBe(true);
  });
});

describe('a failed launch in the editor', () => {
  it('asks for a fix only when the platform refused something', async () => {
    mockGraphql(answers('ERROR'));
    render(<CampaignEditorScreen id="c1" />);
    expect(await screen.findByText(/fix what the platform reported/)).toBeTruthy();
    cleanup();
    const temporary = answers('ERROR');
    temporary.Campaign = { data: { campaign: { ...campaign('ERROR'), launchFailure: 'TEMPORARY' } } };
    mockGraphql(temporary);
    render(<CampaignEditorScreen id="c1" />);
    expect(await screen.findByText(/nothing in the draft needs fixing/)).toBeTruthy();
    expect(screen.queryByText(/fix what the platform reported/)).toBeNull();
  });
});
