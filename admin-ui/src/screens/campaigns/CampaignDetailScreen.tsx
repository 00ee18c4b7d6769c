import { useEffect, useReducer, useState } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { useSubscription } from '../../api/live';
import { formatDateTime } from '../../format';
import { CampaignDocument, CampaignUpdatedDocument, DeleteCampaignDocument, type CampaignQuery } from '../../gql/graphql';
import { providerName } from '../IntegrationsScreen';
import { emptyLive, liveReducer } from '../../live';
import { Link, navigate } from '../../router';
import { Banner, Button, ConfirmDialog, EmptyState, ErrorBanner, NotServed, PageHeader, Spinner } from '../../ui/kit';
import { SnapshotChart, type Metric } from './Chart';
import { StopLossPanel } from '../StopLoss';
import { ctaLabels } from './form';
import { audienceSummary, currencyOf, deliveryLabel, metrics, objectiveLabel, PauseToggle, StatusBadge } from './common';

const steps = ['Credits reserved', 'Images uploaded', 'Campaign created', 'Ad set created', 'Ads created', 'Activated'];


/** The platform as a sentence names it ("Meta asked us to slow down"). */
const platformName = { META_ADS: 'Meta', SANDBOX: 'The Sandbox' } as const;

type Wait = NonNullable<NonNullable<CampaignQuery['campaign']>['launchWait']>;

/** What a waiting launch tells the user: why, and when it tries again. */
export function waitSentence(w: Wait, platform: string): string {
  const at = new Date(w.retryAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const reason = {
    RATE_LIMITED: `${platform} asked us to slow down`,
    TEMPORARY_FAILURE: `${platform} failed temporarily`,
    UNAVAILABLE: `${platform} could not be reached`,
    INTERRUPTED: 'The server restarted mid-launch',
  }[w.reason];
  return `${reason}; retrying at ${at} (attempt ${w.attempts + 1} of ${w.maxAttempts}). Nothing to fix in the draft: the launch goes on by itself.`;
}

export default function CampaignDetailScreen({ id }: { id: string }) {
  const q = useQuery(CampaignDocument, { id });
  const [state, dispatch] = useReducer(liveReducer, emptyLive);
  const [metric, setMetric] = useState<Metric>('spend');
  const [confirm, setConfirm] = useState(false);
  const del = useMutation(DeleteCampaignDocument);

  useEffect(() => {
    const c = q.data?.campaign;
    if (c) {
      dispatch({ type: 'loaded', campaigns: [c] });
      dispatch({ type: 'snapshots', id: c.id, snapshots: c.snapshots });
    }
  }, [q.data]);
  const [liveError, setLiveError] = useState(false);
  useSubscription(
    CampaignUpdatedDocument,
    { id },
    (d) => dispatch({ type: 'updated', campaign: d.campaignUpdated }),
    () => setLiveError(true),
    !!q.data?.campaign,
  );
  // Without the subscription, a launch is followed by asking again every few seconds.
  const status = state.byId[id]?.status ?? q.data?.campaign?.status;
  const { refetch } = q;
  // A launch is followed by asking again every few seconds: without the
  // subscription for everything, with it for the wait between attempts
  // (a retry changes the job, not the campaign, so no event comes).
  useEffect(() => {
    if (status !== 'LAUNCHING') return;
    const t = window.setInterval(() => void refetch(), liveError ? 3000 : 5000);
    return () => window.clearInterval(t);
  }, [liveError, status, refetch]);

  if (q.error?.notServed) return <NotServed feature="Campaigns" />;
  if (q.loading && !q.data) return <Spinner label="Loading the campaign…" />;
  if (q.error) return <ErrorBanner error={q.error} onRetry={q.refetch} />;
  const full = q.data?.campaign;
  if (!full) return <EmptyState title="Campaign not found" action={<Link href="/campaigns">Back to campaigns</Link>} />;
  const c = { ...full, ...state.byId[id] };
  const m = metrics(c);
  const snaps = state.snapshots[id] ?? [];
  const editable = c.status === 'DRAFT' || c.status === 'ERROR';
  // Numbers and the chart only once the campaign ran on the platform.
  const ran = !editable || c.performance.impressions > 0;

  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/campaigns">Campaigns</Link> <span aria-hidden="true">/</span> <span>{c.campaignName}</span>
      </nav>
      <PageHeader
        title={c.campaignName}
        subtitle={
          <>
            <StatusBadge status={c.status} /> {objectiveLabel[c.objective]} · {m.budget} a day · {c.integration.accountName ?? c.integration.adAccountId}
          </>
        }
        actions={
          <>
            <PauseToggle c={c} onChange={(n) => dispatch({ type: 'updated', campaign: n })} />
            {editable && (
              <Button variant="primary" onClick={() => navigate(`/campaigns/${id}/edit`)}>
                {c.status !== 'ERROR' ? 'Edit draft' : c.launchFailure === 'TEMPORARY' ? 'Relaunch' : 'Fix and relaunch'}
              </Button>
            )}
            {editable && (
              <Button variant="ghost" className="danger-text" onClick={() => setConfirm(true)}>
                Delete…
              </Button>
            )}
          </>
        }
      />
      {c.status === 'ERROR' && (
        <Banner kind="error">
          <strong>The launch failed.</strong>
          <p>{c.errorMessage ?? 'The platform gave no reason.'}</p>
          <p data-testid="failure-advice">
            {c.launchFailure === 'TEMPORARY'
              ? `Reserved credits were refunded. The problem was on ${platformName[c.provider]}'s side, not in the draft: launch it again as it is.`
              : 'Reserved credits were refunded. Fix the draft and launch again.'}
          </p>
        </Banner>
      )}
      {c.status === 'ACTIVE' && c.errorMessage && (
        <Banner kind="warning">
          <strong>
            {c.deliveryStatus === 'RUNNING'
              ? 'Some ads are held back by the platform.'
              : c.deliveryStatus === 'BILLING_HOLD'
                ? 'Delivery is on a billing hold.'
                : 'The platform stopped delivery.'}
          </strong>
          <p>{c.errorMessage}</p>
          <p>
            The campaign is still switched on there and runs again once the issue is resolved. Pause it if it should
            not.
          </p>
        </Banner>
      )}
      {liveError && (c.status === 'ACTIVE' || c.status === 'PAUSED') && (
        <Banner kind="warning">Live updates are not available on this server yet: reload to see new numbers.</Banner>
      )}
      {c.status === 'LAUNCHING' && (
        <section className="card launch-progress" aria-label="Launch progress">
          <div className="card-body">
            <h2>{full.launchWait ? `Launching on ${providerName[c.provider]}: waiting` : `Launching on ${providerName[c.provider]}…`}</h2>
            {full.launchWait ? (
              <Banner kind="warning">
                <span data-testid="launch-wait">{waitSentence(full.launchWait, platformName[c.provider])}</span>
              </Banner>
            ) : (
              <p className="muted">Everything is created paused and switched on together, so a half-built launch never spends.</p>
            )}
            <ol className="steps">
              {steps.map((s, i) => {
                // What the launch's saved progress proves done, as the server reads it.
                const done = full.launchStepsDone ?? 1;
                const state = i < done ? 'done' : i === done ? (full.launchWait ? 'waiting' : 'current') : '';
                return (
                  <li key={s} className={state} aria-current={i === done ? 'step' : undefined}>
                    {s}
                    {state === 'waiting' && <span className="muted small"> · waiting</span>}
                  </li>
                );
              })}
            </ol>
          </div>
        </section>
      )}
      {ran && (
      <div className="kpis">
        {(
          [
            ['Spend', m.spend, 'spend'],
            ['Impressions', m.impressions, 'impressions'],
            ['Clicks', m.clicks, 'clicks'],
            ['CTR', m.ctr, null],
            ['Leads', m.leads, 'leads'],
            ['Cost per lead', m.cpl, null],
          ] as const
        ).map(([label, value, key]) =>
          key ? (
            <button key={label} type="button" className={`kpi kpi-button${metric === key ? ' on' : ''}`} aria-pressed={metric === key} onClick={() => setMetric(key)}>
              <div className="kpi-label">{label}</div>
              <div className="kpi-value">{value}</div>
            </button>
          ) : (
            <div key={label} className="kpi">
              <div className="kpi-label">{label}</div>
              <div className="kpi-value">{value}</div>
            </div>
          ),
        )}
      </div>
      )}
      {ran && (
      <section className="card" aria-label="Chart">
        <div className="card-head">
          <h2>{metric[0].toUpperCase() + metric.slice(1)} over time</h2>
          <span className="muted small">updated {formatDateTime(c.performance.updatedAt)}</span>
        </div>
        <div className="card-body">
          <SnapshotChart snaps={snaps} currency={currencyOf(c)} metric={metric} />
        </div>
      </section>
      )}
      <div className="two-col">
        <section className="card" aria-label="Ad copy">
          <div className="card-head">
            <h2>Ad copy</h2>
          </div>
          <div className="card-body">
            {full.adCopy ? (
              <div className="ad-preview">
                <div className="ad-body">{full.adCopy.body}</div>
                <div className="ad-headline">{full.adCopy.headline}</div>
                {full.adCopy.description && <div className="muted small">{full.adCopy.description}</div>}
                <span className="badge badge-gray">{ctaLabels[full.adCopy.callToAction]}</span>
              </div>
            ) : (
              <p className="muted">The media buyer writes the copy at launch.</p>
            )}
          </div>
        </section>
        <section className="card" aria-label="Details">
          <div className="card-head">
            <h2>Details</h2>
          </div>
          <div className="card-body">
            <dl className="facts facts-list">
              <div>
                <dt>Destination</dt>
                <dd className="truncate">{c.destinationUrl}</dd>
              </div>
              <div>
                <dt>Audience</dt>
                <dd>
                  {audienceSummary(full.targetAudience)}
                </dd>
              </div>
              <div>
                <dt>Creatives</dt>
                <dd>
                  {full.creatives.length ? (
                    <ul className="thumb-strip">
                      {full.creatives.map((cr) => (
                        <li key={cr.id} title={`${cr.fileName} · ${cr.width} × ${cr.height}`}>
                          <img src={cr.thumbnailUrl} alt={cr.fileName} loading="lazy" />
                        </li>
                      ))}
                    </ul>
                  ) : (
                    'none'
                  )}
                </dd>
              </div>
              {full.remoteAds.some((ad) => ad.deliveryStatus) && (
                <div>
                  <dt>Ads on the platform</dt>
                  <dd>
                    <ul>
                      {full.remoteAds.map((ad, i) => (
                        <li key={ad.creativeId} data-ad={ad.remoteAdId ?? undefined}>
                          Ad {i + 1}: {ad.deliveryStatus ? deliveryLabel[ad.deliveryStatus] : 'not read yet'}
                          {ad.reviewMessage && <span className="muted"> — {ad.reviewMessage}</span>}
                        </li>
                      ))}
                    </ul>
                  </dd>
                </div>
              )}
              <div>
                <dt>Platform ids</dt>
                <dd className="mono small">
                  {c.metaCampaignId ? `campaign ${c.metaCampaignId}` : 'not created yet'}
                  {full.metaAdsetId && ` · ad set ${full.metaAdsetId}`}
                </dd>
              </div>
            </dl>
          </div>
        </section>
      </div>
      <StopLossPanel campaignId={c.id} currency={currencyOf(c)} />
      <ConfirmDialog
        open={confirm}
        title="Delete this campaign?"
        confirmLabel="Delete campaign"
        danger
        busy={del.busy}
        error={del.error}
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          if (await del.run({ id })) navigate('/campaigns');
        }}
      >
        <p>
          {c.metaCampaignId
            ? `“${c.campaignName}” reached the platform: it is paused there first, then deleted here.`
            : `The draft “${c.campaignName}” is deleted. Nothing was created on the platform.`}
        </p>
      </ConfirmDialog>
    </div>
  );
}
