import { useEffect, useReducer, useState } from 'react';
import { useQuery } from '../../api/hooks';
import { useSubscription } from '../../api/live';
import { formatCount, formatMoney, formatPercent, plural } from '../../format';
import { CampaignsDocument, CampaignUpdatedDocument, type CampaignStatus } from '../../gql/graphql';
import { emptyLive, liveList, liveReducer, totals } from '../../live';
import { Link, navigate } from '../../router';
import { Banner, Button, EmptyState, ErrorBanner, NotServed, PageHeader, SkeletonRows } from '../../ui/kit';
import { PauseAll, PauseReportView } from '../PauseAll';
import type { PauseReport } from '../../guardrails';
import { DeliveryBadge, metrics, objectiveLabel, PauseToggle, StatusBadge } from './common';

const filters: { key: CampaignStatus | 'ALL'; label: string }[] = [
  { key: 'ALL', label: 'All' },
  { key: 'ACTIVE', label: 'Active' },
  { key: 'PAUSED', label: 'Paused' },
  { key: 'LAUNCHING', label: 'Launching' },
  { key: 'DRAFT', label: 'Drafts' },
  { key: 'ERROR', label: 'Failed' },
];

export default function DashboardScreen() {
  const q = useQuery(CampaignsDocument, { first: 100 });
  const [state, dispatch] = useReducer(liveReducer, emptyLive);
  const [filter, setFilter] = useState<CampaignStatus | 'ALL'>('ALL');
  const [liveError, setLiveError] = useState(false);
  const [report, setReport] = useState<PauseReport | null>(null);

  useEffect(() => {
    if (q.data) dispatch({ type: 'loaded', campaigns: q.data.campaigns.edges.map((e) => e.node) });
  }, [q.data]);

  useSubscription(
    CampaignUpdatedDocument,
    {},
    (d) => dispatch({ type: 'updated', campaign: d.campaignUpdated }),
    () => setLiveError(true),
    !!q.data,
  );

  // Without the subscription (a server that does not serve it yet), launches still reach their end state.
  const launching = liveList(state).some((c) => c.status === 'LAUNCHING');
  const { refetch } = q;
  useEffect(() => {
    if (!liveError || !launching) return;
    const t = window.setInterval(() => void refetch(), 4000);
    return () => window.clearInterval(t);
  }, [liveError, launching, refetch]);

  if (q.error?.notServed) {
    return (
      <div className="page">
        <PageHeader title="Campaigns" />
        <NotServed feature="Campaigns" />
      </div>
    );
  }

  const all = liveList(state);
  const list = filter === 'ALL' ? all : all.filter((c) => c.status === filter);
  const sums = [...totals(all.filter((c) => c.status !== 'DRAFT')).entries()];
  const count = (k: CampaignStatus | 'ALL') => (k === 'ALL' ? all.length : all.filter((c) => c.status === k).length);

  return (
    <div className="page">
      <PageHeader
        title="Campaigns"
        subtitle={q.data ? plural(all.length, 'campaign') : 'Live performance of your campaigns'}
        actions={
          <>
            <PauseAll
              scope={{ kind: 'mine' }}
              onDone={(r) => {
                setReport(r);
                void q.refetch();
              }}
            />
            <Button variant="primary" onClick={() => navigate('/campaigns/new')}>
              New campaign
            </Button>
          </>
        }
      />
      {report && <PauseReportView report={report} onClose={() => setReport(null)} />}
      {liveError && (
        <Banner kind="warning">
          Live updates are not available on this server yet: numbers refresh when you reload (launches are checked every few
          seconds).
        </Banner>
      )}
      {sums.map(([cur, t]) => (
        <div className="kpis" key={cur} aria-label={`Totals in ${cur}`}>
          <Kpi label="Spend" value={formatMoney(t.spendCents, cur)} />
          <Kpi label="Impressions" value={formatCount(t.impressions)} />
          <Kpi label="Clicks" value={formatCount(t.clicks)} />
          <Kpi label="CTR" value={t.impressions ? formatPercent(t.clicks / t.impressions) : '—'} />
          <Kpi label="Leads" value={formatCount(t.leads)} />
          <Kpi label="Cost per lead" value={t.leads ? formatMoney(Math.round(t.spendCents / t.leads), cur) : '—'} />
        </div>
      ))}
      <div className="tabs" role="tablist" aria-label="Filter by status">
        {filters.map((f) => (
          <button
            key={f.key}
            type="button"
            role="tab"
            aria-selected={filter === f.key}
            className={`tab${filter === f.key ? ' on' : ''}`}
            onClick={() => setFilter(f.key)}
          >
            {f.label} <span className="tab-count">{count(f.key)}</span>
          </button>
        ))}
      </div>
      {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
      <div className="card table-card">
        <div className="table-scroll">
          <table className="table campaigns-table">
            <thead>
              <tr>
                <th scope="col">On</th>
                <th scope="col">Campaign</th>
                <th scope="col">Status</th>
                <th scope="col" className="num opt">Budget/day</th>
                <th scope="col" className="num">Spend</th>
                <th scope="col" className="num opt">Impr.</th>
                <th scope="col" className="num opt">Clicks</th>
                <th scope="col" className="num opt">CTR</th>
                <th scope="col" className="num">Leads</th>
                <th scope="col" className="num opt">Cost/lead</th>
              </tr>
            </thead>
            <tbody>
              {q.loading && !q.data && <SkeletonRows cols={10} />}
              {list.map((c) => {
                const m = metrics(c);
                const flash = state.changed[c.id] && Date.now() - state.changed[c.id] < 2000;
                return (
                  <tr key={c.id} className={flash ? 'flash' : undefined} data-campaign={c.id}>
                    <td>
                      <PauseToggle c={c} onChange={(n) => dispatch({ type: 'updated', campaign: n })} />
                    </td>
                    <td>
                      <Link href={`/campaigns/${c.id}`} className="row-link">
                        {c.campaignName}
                      </Link>
                      <div className="muted small">
                        {objectiveLabel[c.objective]} · {c.integration.accountName ?? c.integration.adAccountId}
                      </div>
                      {c.status === 'ERROR' && c.errorMessage && (
                        <div className="row-error">
                          {c.errorMessage} <Link href={`/campaigns/${c.id}/edit`}>{c.launchFailure === 'TEMPORARY' ? 'Relaunch' : 'Fix and relaunch'}</Link>
                        </div>
                      )}
                      {c.status === 'ACTIVE' && c.errorMessage && (
                        <div className="row-error" data-delivery-issue>
                          {c.deliveryStatus === 'RUNNING' ? 'Partly held back by the platform' : 'Stopped by the platform'}:{' '}
                          {c.errorMessage}
                        </div>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={c.status} /> {c.status === 'ACTIVE' && <DeliveryBadge status={c.deliveryStatus} />}
                    </td>
                    <td className="num opt">{m.budget}</td>
                    <td className="num">{m.spend}</td>
                    <td className="num opt">{m.impressions}</td>
                    <td className="num opt">{m.clicks}</td>
                    <td className="num opt">{m.ctr}</td>
                    <td className="num">{m.leads}</td>
                    <td className="num opt">{m.cpl}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {q.data && list.length === 0 && (
          <EmptyState
            title={filter === 'ALL' ? 'No campaigns yet' : `No ${filters.find((f) => f.key === filter)?.label.toLowerCase()} campaigns`}
            icon="▤"
            action={
              filter === 'ALL' && (
                <Button variant="primary" onClick={() => navigate('/campaigns/new')}>
                  Create your first campaign
                </Button>
              )
            }
          >
            {filter === 'ALL' && 'Pick creatives, let the media buyer write the copy, and launch in a few clicks.'}
          </EmptyState>
        )}
      </div>
    </div>
  );
}

function Kpi({ label, value }: { label: string; value: string }) {
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value">{value}</div>
    </div>
  );
}
