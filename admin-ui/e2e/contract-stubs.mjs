// Scripted answers for the campaign operations (written while the server did not
// serve them yet), so the campaign screens can be seen with moving numbers in the
// browser. Every other operation goes to the real leadforge.
const now = Date.now();
const iso = (msAgo) => new Date(now - msAgo).toISOString();

const integration = { __typename: 'Integration', id: 'int-1', adAccountId: 'act_123', accountName: 'Sandbox account 123', currency: 'USD' };

function perf(impressions, clicks, spendCents, leads, currency = 'USD') {
  return {
    __typename: 'Performance',
    currency,
    impressions,
    clicks,
    spendCents,
    leads,
    ctr: impressions ? clicks / impressions : 0,
    costPerLeadCents: leads ? Math.round(spendCents / leads) : null,
    updatedAt: iso(30_000),
  };
}

export function campaignRow(id, name, status, p, extra = {}) {
  return {
    __typename: 'Campaign',
    id,
    campaignName: name,
    objective: 'LEADS',
    dailyBudgetCents: 2500,
    status,
    provider: 'SANDBOX',
    errorMessage: null,
    destinationUrl: 'https://example.com/roof-check',
    metaCampaignId: status === 'DRAFT' ? null : `sbx_c_${id}`,
    createdAt: iso(86_400_000),
    updatedAt: iso(60_000),
    integration,
    performance: p,
    ...extra,
  };
}

export function snapshots(n = 36) {
  const out = [];
  let imp = 0;
  let clk = 0;
  let spend = 0;
  let leads = 0;
  for (let i = n; i > 0; i--) {
    imp += 300 + Math.round(Math.sin(i / 3) * 120 + 140);
    clk += 6 + (i % 5);
    spend += 55 + (i % 7) * 4;
    leads += i % 4 === 0 ? 1 : 0;
    out.push({ __typename: 'PerformanceSnapshot', capturedAt: iso(i * 60_000), impressions: imp, clicks: clk, spendCents: spend, leads });
  }
  return out;
}

const snaps = snapshots();
const last = snaps[snaps.length - 1];

export const campaigns = [
  campaignRow('c-active', 'Roof inspection – Texas homeowners', 'ACTIVE', perf(last.impressions, last.clicks, last.spendCents, last.leads)),
  campaignRow('c-launch', 'Solar quote – Arizona', 'LAUNCHING', perf(0, 0, 0, 0)),
  campaignRow('c-paused', 'Gutter cleaning – Autumn', 'PAUSED', perf(48_210, 912, 18_450, 37)),
  campaignRow('c-error', 'Window replacement – Florida', 'ERROR', perf(0, 0, 0, 0), {
    errorMessage: 'Invalid parameter: the daily budget is below the minimum of $1.00 for this ad account (platform code 100, subcode 1885272).',
  }),
  campaignRow('c-draft', 'HVAC tune-up – Spring', 'DRAFT', perf(0, 0, 0, 0), { objective: 'TRAFFIC', metaCampaignId: null }),
];

function full(row) {
  return {
    ...row,
    leadFormId: '20123',
    pixelId: null,
    metaAdsetId: row.metaCampaignId ? `sbx_as_${row.id}` : null,
    metaAdId: null,
    targetAudience: {
      __typename: 'Audience',
      countries: ['US'],
      ageMin: 30,
      ageMax: 65,
      regions: [{ __typename: 'NamedTarget', id: '3886', name: 'Texas' }],
      cities: [],
      interests: [{ __typename: 'NamedTarget', id: '6003', name: 'Home improvement' }],
    },
    adCopy: {
      __typename: 'AdCopy',
      headline: 'Free roof check this week',
      body: 'Storm season is coming. Book a free 20-minute roof inspection from a licensed local pro.',
      description: 'No obligation',
      callToAction: 'GET_QUOTE',
    },
    creatives: [],
    remoteAds: [],
    snapshots: row.status === 'ACTIVE' ? snaps : [],
    owner: { __typename: 'User', id: 'u1', email: 'buyer@example.com', tenant: { __typename: 'Tenant', id: 't1', name: 'Acme Growth' } },
  };
}

const ledger = [
  { id: 'l4', delta: 5, kind: 'REFUND', reason: 'Launch failed: refunded', campaignId: 'c-error', createdAt: iso(3_000_000) },
  { id: 'l3', delta: -5, kind: 'RESERVE', reason: 'Launch of “Window replacement – Florida”', campaignId: 'c-error', createdAt: iso(3_100_000) },
  { id: 'l2', delta: -5, kind: 'COMMIT', reason: 'Launch of “Roof inspection – Texas homeowners”', campaignId: 'c-active', createdAt: iso(7_200_000) },
  { id: 'l1', delta: 50, kind: 'GRANT', reason: 'Welcome credits', campaignId: null, createdAt: iso(86_400_000) },
].map((n) => ({ __typename: 'CreditEntry', ...n }));

const conn = (nodes) => ({
  totalCount: nodes.length,
  pageInfo: { hasNextPage: false, endCursor: nodes.length ? String(nodes.length) : null },
  edges: nodes.map((node, i) => ({ cursor: String(i + 1), node })),
});

export const stubs = {
  Campaigns: () => ({ data: { campaigns: conn(campaigns) } }),
  AllCampaigns: () => ({ data: { campaigns: conn(campaigns.map(full)) } }),
  Campaign: (v) => ({ data: { campaign: full(campaigns.find((c) => c.id === v.id) ?? campaigns[0]) } }),
  CreditBalance: () => ({ data: { creditBalance: 45 } }),
  Credits: () => ({ data: { creditBalance: 45, creditLedger: conn(ledger) } }),
  Agents: () => ({
    data: {
      agents: [
        { __typename: 'Agent', key: 'media-buyer', name: 'Media buyer', description: 'Writes ad copy and launches Meta campaigns.', creditCost: 5, enabled: true, providers: ['SANDBOX', 'META_ADS'] },
      ],
    },
  }),
  SetTenantAgent: (v) => ({
    data: { setTenantAgent: { __typename: 'Agent', key: v.agentKey, name: 'Media buyer', description: 'Writes ad copy and launches Meta campaigns.', creditCost: 5, enabled: v.enabled, providers: v.providers } },
  }),
  GrantCredits: (v) => ({ data: { grantCredits: { __typename: 'CreditEntry', id: 'g1', delta: v.amount, kind: 'GRANT', reason: v.reason, createdAt: iso(0) } } }),
  GenerateAdCopy: () => ({
    data: {
      generateAdCopy: [
        { headline: 'Free roof check this week', body: 'Storm season is coming. Book a free 20-minute roof inspection from a licensed local pro.', description: 'No obligation', callToAction: 'GET_QUOTE' },
        { headline: 'Is your roof storm-ready?', body: 'Most storm damage starts small. Our inspectors find it before it turns into a leak — free for Texas homeowners.', description: 'Licensed & insured', callToAction: 'LEARN_MORE' },
        { headline: 'Book your free inspection', body: 'Two minutes to book, twenty to inspect. Know exactly where your roof stands.', description: null, callToAction: 'BOOK_NOW' },
      ].map((c) => ({ __typename: 'AdCopy', ...c })),
    },
  }),
  CreateCampaign: (v) => ({ data: { createCampaign: full(campaignRow('c-new', v.input.campaignName, 'DRAFT', perf(0, 0, 0, 0))) } }),
  UpdateCampaign: (v) => ({ data: { updateCampaign: full(campaignRow(v.id, v.input.campaignName, 'DRAFT', perf(0, 0, 0, 0))) } }),
  PreviewLaunch: () => ({
    data: {
      previewLaunch: {
        ok: true,
        creditCost: 5,
        creditBalance: 45,
        adCopy: null,
        checks: [
          { name: 'Credentials', ok: true, message: 'The Sandbox accepted the stored token.' },
          { name: 'Credits', ok: true, message: '5 credits will be reserved; 45 available.' },
          { name: 'Budget', ok: true, message: '$25.00 a day is above the $1.00 minimum.' },
          { name: 'Creatives', ok: true, message: '1 image, 640 × 640 px.' },
          { name: 'Copy', ok: true, message: 'Headline 25/40, primary text 88/125.' },
          { name: 'Platform validation', ok: true, message: 'Meta validate-only accepted the campaign, ad set and ad.' },
        ],
      },
    },
  }),
  LaunchCampaign: (v) => ({ data: { launchCampaign: campaignRow(v.id, 'Launched', 'LAUNCHING', perf(0, 0, 0, 0)) } }),
  PauseCampaign: (v) => ({ data: { pauseCampaign: { ...campaigns.find((c) => c.id === v.id), status: 'PAUSED', updatedAt: new Date().toISOString() } } }),
  ResumeCampaign: (v) => ({ data: { resumeCampaign: { ...campaigns.find((c) => c.id === v.id), status: 'ACTIVE', updatedAt: new Date().toISOString() } } }),
  DeleteCampaign: () => ({ data: { deleteCampaign: true } }),
};

/** Routes the page's pending operations to the stubs, and campaignUpdated over a stubbed graphql-transport-ws socket. */
export async function installStubs(page, { liveEvery = 700 } = {}) {
  await page.route('**/graphql', async (route) => {
    const req = route.request();
    let body;
    try {
      body = JSON.parse(req.postData() ?? '');
    } catch {
      return route.continue();
    }
    const stub = stubs[body.operationName];
    if (!stub) return route.continue();
    await route.fulfill({ status: 200, contentType: 'application/graphql-response+json', body: JSON.stringify(stub(body.variables ?? {})) });
  });
  await page.routeWebSocket('**/graphql/ws', (ws) => {
    const timers = [];
    ws.onMessage((raw) => {
      const msg = JSON.parse(String(raw));
      if (msg.type === 'connection_init') ws.send(JSON.stringify({ type: 'connection_ack' }));
      else if (msg.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
      else if (msg.type === 'subscribe') {
        let tick = 0;
        const base = campaigns[0];
        const t = setInterval(() => {
          tick++;
          const p = base.performance;
          const impressions = p.impressions + tick * 420;
          const clicks = p.clicks + tick * 9;
          const spendCents = p.spendCents + tick * 61;
          const leads = p.leads + Math.floor(tick / 2);
          const at = new Date().toISOString();
          ws.send(
            JSON.stringify({
              id: msg.id,
              type: 'next',
              payload: {
                data: {
                  campaignUpdated: {
                    ...base,
                    updatedAt: at,
                    performance: { ...p, impressions, clicks, spendCents, leads, ctr: clicks / impressions, costPerLeadCents: Math.round(spendCents / leads), updatedAt: at },
                    snapshots: [{ __typename: 'PerformanceSnapshot', capturedAt: at, impressions, clicks, spendCents, leads }],
                  },
                },
              },
            }),
          );
        }, liveEvery);
        t.unref?.();
        timers.push(t);
      } else if (msg.type === 'complete') timers.forEach(clearInterval);
    });
    ws.onClose(() => timers.forEach(clearInterval));
  });
}
