import { useState } from 'react';
import { useMutation } from '../../api/hooks';
import { formatCount, formatMoney, formatPercent } from '../../format';
import {
  PauseCampaignDocument,
  ResumeCampaignDocument,
  type CampaignObjective,
  type CampaignRowFragment,
  type CampaignStatus,
  type DeliveryStatus,
} from '../../gql/graphql';
import { Badge } from '../../ui/kit';

export const statusLabel: Record<CampaignStatus, string> = {
  DRAFT: 'Draft',
  LAUNCHING: 'Launching',
  ACTIVE: 'Active',
  PAUSED: 'Paused',
  COMPLETED: 'Completed',
  ERROR: 'Failed',
  AWAITING_APPROVAL: 'Awaiting approval',
};

/** Where a launched campaign or ad stands on the platform (review and billing are the ads'). */
export const deliveryLabel: Record<DeliveryStatus, string> = {
  IN_REVIEW: 'In review',
  RUNNING: 'Running',
  PAUSED: 'Paused',
  DISAPPROVED: 'Disapproved',
  BILLING_HOLD: 'Billing hold',
  WITH_ISSUES: 'With issues',
  ENDED: 'Ended',
};

/** A live campaign's delivery, shown beside its status when it is not plainly running. */
export function DeliveryBadge({ status }: { status: DeliveryStatus | null | undefined }) {
  if (!status || status === 'RUNNING' || status === 'PAUSED' || status === 'ENDED') return null;
  const tone = ({ IN_REVIEW: 'blue', DISAPPROVED: 'red', BILLING_HOLD: 'amber', WITH_ISSUES: 'amber' } as const)[status];
  return (
    <Badge tone={tone} title="Where delivery stands on the platform">
      {deliveryLabel[status]}
    </Badge>
  );
}

/** Who a campaign reaches, in one line: countries, regions, cities, ages and interests. */
export function audienceSummary(a: {
  countries: string[];
  regions: { name: string }[];
  cities: { name: string }[];
  interests: { name: string }[];
  ageMin: number;
  ageMax: number;
}): string {
  const places = [...a.countries, ...a.regions.map((r) => r.name), ...a.cities.map((c) => c.name)];
  const ages = `ages ${a.ageMin}–${a.ageMax >= 65 ? '65+' : a.ageMax}`;
  const interests = a.interests.length ? ` · ${a.interests.map((i) => i.name).join(', ')}` : '';
  return `${places.join(', ') || 'No location'} · ${ages}${interests}`;
}

export const objectiveLabel: Record<CampaignObjective, string> = {
  LEADS: 'Leads',
  CONVERSIONS: 'Conversions',
  TRAFFIC: 'Traffic',
};

export function StatusBadge({ status }: { status: CampaignStatus }) {
  const tone = ({ DRAFT: 'gray', LAUNCHING: 'blue', ACTIVE: 'green', PAUSED: 'amber', COMPLETED: 'violet', ERROR: 'red', AWAITING_APPROVAL: 'amber' } as const)[status];
  return (
    <Badge tone={tone}>
      {status === 'LAUNCHING' && <span className="spinner spinner-xs" aria-hidden="true" />}
      {status === 'ACTIVE' && <span className="dot-pulse" aria-hidden="true" />}
      {statusLabel[status]}
    </Badge>
  );
}

export function currencyOf(c: Pick<CampaignRowFragment, 'performance' | 'integration'>): string {
  return c.performance.currency || c.integration.currency || 'USD';
}

export function metrics(c: CampaignRowFragment) {
  const cur = currencyOf(c);
  const p = c.performance;
  return {
    spend: formatMoney(p.spendCents, cur),
    impressions: formatCount(p.impressions),
    clicks: formatCount(p.clicks),
    leads: formatCount(p.leads),
    ctr: p.impressions > 0 ? formatPercent(p.ctr) : '—',
    cpl: p.costPerLeadCents != null ? formatMoney(p.costPerLeadCents, cur) : '—',
    budget: formatMoney(c.dailyBudgetCents, cur),
  };
}

/** Pause/Resume as one switch; shows the platform's answer when it refuses. */
export function PauseToggle({ c, onChange }: { c: CampaignRowFragment; onChange: (c: CampaignRowFragment) => void }) {
  const pause = useMutation(PauseCampaignDocument);
  const resume = useMutation(ResumeCampaignDocument);
  const [answer, setAnswer] = useState<string | null>(null);
  if (c.status !== 'ACTIVE' && c.status !== 'PAUSED') return null;
  const busy = pause.busy || resume.busy;
  const err = pause.error ?? resume.error;
  const on = c.status === 'ACTIVE';
  const flip = async () => {
    setAnswer(null);
    const d = on ? (await pause.run({ id: c.id }))?.pauseCampaign : (await resume.run({ id: c.id }))?.resumeCampaign;
    if (d) {
      onChange(d);
      setAnswer(d.status === 'PAUSED' ? 'Paused on the platform' : 'Running again');
    }
  };
  return (
    <div className="pause-toggle">
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={on}
          disabled={busy}
          onChange={flip}
          aria-label={on ? `Pause ${c.campaignName}` : `Resume ${c.campaignName}`}
        />
        <span className="switch-track" aria-hidden="true" />
        <span className="switch-label">{busy ? (on ? 'Pausing…' : 'Resuming…') : on ? 'On' : 'Off'}</span>
      </label>
      {err && (
        <span className="field-error small" role="alert">
          {err.message}
        </span>
      )}
      {answer && !err && (
        <span className="muted small" role="status">
          {answer}
        </span>
      )}
    </div>
  );
}
