import { describe, expect, it } from 'vitest';
import type { CampaignRowFragment } from './gql/graphql';
import { emptyLive, liveList, liveReducer, totals } from './live';

function campaign(id: string, over: Partial<CampaignRowFragment> = {}, perf: Partial<CampaignRowFragment['performance']> = {}): CampaignRowFragment {
  return {
    __typename: 'Campaign',
    id,
    campaignName: `Campaign ${id}`,
    objective: 'LEADS',
    dailyBudgetCents: 2500,
    status: 'ACTIVE',
    provider: 'SANDBOX',
    errorMessage: null,
    destinationUrl: 'https://example.com',
    metaCampaignId: null,
    createdAt: '2026-12-01T10:00:00Z',
    updatedAt: '2026-12-01T10:00:00Z',
    integration: { __typename: 'Integration', id: 'i1', adAccountId: 'act_1', accountName: 'A', currency: 'USD' },
    performance: {
      __typename: 'Performance',
      currency: 'USD',
      impressions: 0,
      clicks: 0,
      spendCents: 0,
      leads: 0,
      ctr: 0,
      costPerLeadCents: null,
      updatedAt: null,
      ...perf,
    },
    ...over,
  } as CampaignRowFragment;
}

describe('live-update reducer', () => {
  it('loads the first page in server order', () => {
    const s = liveReducer(emptyLive, { type: 'loaded', campaigns: [campaign('b'), campaign('a')] });
    expect(liveList(s).map((c) => c.id)).toEqual(['b', 'a']);
  });

  it('applies a newer event to its campaign and marks it changed', () => {
    let s = liveReducer(emptyLive, { type: 'loaded', campaigns: [campaign('a')] });
    s = liveReducer(s, {
      type: 'updated',
      at: 42,
      campaign: campaign('a', { updatedAt: '2026-12-01T10:01:00Z' }, { impressions: 1200, clicks: 30, spendCents: 450 }),
    });
    expect(s.byId.a.performance.impressions).toBe(1200);
    expect(s.changed.a).toBe(42);
  });

  it('ignores an event older than what is shown (out of order after a reconnect)', () => {
    let s = liveReducer(emptyLive, {
      type: 'loaded',
      campaigns: [campaign('a', { updatedAt: '2026-12-01T10:05:00Z' }, { impressions: 500 })],
    });
    const before = s;
    s = liveReducer(s, { type: 'updated', campaign: campaign('a', { updatedAt: '2026-12-01T10:01:00Z' }, { impressions: 100 }) });
    expect(s).toBe(before);
  });

  it('puts a campaign it has not seen on top', () => {
    let s = liveReducer(emptyLive, { type: 'loaded', campaigns: [campaign('a')] });
    s = liveReducer(s, { type: 'updated', campaign: campaign('new', { status: 'LAUNCHING' }) });
    expect(liveList(s).map((c) => c.id)).toEqual(['new', 'a']);
  });

  it('keeps an event that arrived before the page loaded', () => {
    let s = liveReducer(emptyLive, { type: 'updated', campaign: campaign('a', { updatedAt: '2026-12-01T10:09:00Z', status: 'PAUSED' }) });
    s = liveReducer(s, { type: 'loaded', campaigns: [campaign('a', { status: 'ACTIVE' }), campaign('b')] });
    expect(s.byId.a.status).toBe('PAUSED');
    expect(liveList(s)).toHaveLength(2);
  });

  it('appends snapshots in time order without duplicates', () => {
    let s = liveReducer(emptyLive, {
      type: 'snapshots',
      id: 'a',
      snapshots: [
        { capturedAt: '2026-12-01T10:02:00Z', impressions: 20, clicks: 1, spendCents: 10, leads: 0 },
        { capturedAt: '2026-12-01T10:01:00Z', impressions: 10, clicks: 0, spendCents: 5, leads: 0 },
      ],
    });
    s = liveReducer(s, {
      type: 'updated',
      campaign: {
        ...campaign('a', { updatedAt: '2026-12-01T10:03:00Z' }),
        snapshots: [
          { capturedAt: '2026-12-01T10:02:00Z', impressions: 20, clicks: 1, spendCents: 10, leads: 0 },
          { capturedAt: '2026-12-01T10:03:00Z', impressions: 35, clicks: 2, spendCents: 16, leads: 1 },
        ],
      },
    });
    expect(s.snapshots.a.map((p) => p.impressions)).toEqual([10, 20, 35]);
  });

  it('does not mark a campaign changed when only its timestamp moved', () => {
    let s = liveReducer(emptyLive, { type: 'loaded', campaigns: [campaign('a')] });
    s = liveReducer(s, { type: 'updated', campaign: campaign('a', { updatedAt: '2026-12-01T10:10:00Z' }) });
    expect(s.changed.a).toBeUndefined();
  });

  it('removes a deleted campaign', () => {
    let s = liveReducer(emptyLive, { type: 'loaded', campaigns: [campaign('a'), campaign('b')] });
    s = liveReducer(s, { type: 'removed', id: 'a' });
    expect(liveList(s).map((c) => c.id)).toEqual(['b']);
  });

  it('totals per currency', () => {
    const t = totals([
      campaign('a', {}, { spendCents: 100, leads: 2 }),
      campaign('b', {}, { spendCents: 250, leads: 1 }),
      campaign('c', {}, { currency: 'JPY', spendCents: 900 }),
    ]);
    expect(t.get('USD')).toMatchObject({ spendCents: 350, leads: 3 });
    expect(t.get('JPY')?.spendCents).toBe(900);
  });
});
