/** Words and numbers for the spending guardrails: pause-all reports, stop-loss amounts and previews. */
import { formatDateTime, formatMoney, parseMoney, plural } from './format';
import type { PauseAllCampaignsMutation, StopLossKind } from './gql/graphql';

export type PauseReport = PauseAllCampaignsMutation['pauseAllCampaigns'];

/** "Paused 3 · already paused 1 · launching 0 · failed 1" and each failure with the platform's words. */
export function pauseSummary(r: PauseReport): { line: string; failures: { id: string; name: string; message: string }[] } {
  const line = `Paused ${r.paused} · already paused ${r.alreadyPaused} · launching ${r.launching} · failed ${r.failed}`;
  const failures = r.outcomes
    .filter((o) => o.result === 'FAILED')
    .map((o) => ({ id: o.campaign.id, name: o.campaign.campaignName, message: o.message ?? 'The platform gave no reason.' }));
  return { line, failures };
}

/** The kinds of stop-loss rule, as a person picks them. */
export const stopLossKinds: { key: StopLossKind; label: string; threshold: string; needsMinSpend: boolean }[] = [
  { key: 'COST_PER_LEAD_ABOVE', label: 'Cost per lead above X after spend Y', threshold: 'Cost per lead above', needsMinSpend: true },
  { key: 'SPEND_WITHOUT_LEADS', label: 'Spend without any lead', threshold: 'Spend without leads reaches', needsMinSpend: false },
  { key: 'LIFETIME_SPEND', label: 'Lifetime spend reaches', threshold: 'Lifetime spend reaches', needsMinSpend: false },
];

export interface StopLossInput {
  kind: StopLossKind;
  threshold: string;
  minSpend: string;
}

/**
 * A rule's amounts typed in major units of `currency` → the minor units the API takes,
 * or the message for each field that is wrong.
 */
export function stopLossAmounts(
  input: StopLossInput,
  currency: string,
): { thresholdCents: number; minSpendCents: number | null } | { errors: { threshold?: string; minSpend?: string } } {
  const errors: { threshold?: string; minSpend?: string } = {};
  const t = parseMoney(input.threshold, currency);
  if ('error' in t) errors.threshold = t.error;
  else if (t.minor <= 0) errors.threshold = 'Enter an amount above zero.';
  let minSpendCents: number | null = null;
  const needs = stopLossKinds.find((k) => k.key === input.kind)?.needsMinSpend;
  if (needs && input.minSpend.trim() !== '') {
    const m = parseMoney(input.minSpend, currency);
    if ('error' in m) errors.minSpend = m.error;
    else minSpendCents = m.minor;
  }
  if (errors.threshold || errors.minSpend) return { errors };
  return { thresholdCents: (t as { minor: number }).minor, minSpendCents };
}

/** What a preview over the last 7 days says. */
export function previewSentence(
  p: { snapshots: number; wouldFireAt: string | null; spendCents: number | null; leads: number | null },
  currency: string,
): string {
  if (p.snapshots === 0) return 'No numbers from the last 7 days yet: nothing to replay.';
  if (!p.wouldFireAt) return `Over the last 7 days (${plural(p.snapshots, 'reading')}) it would not have fired.`;
  return `Over the last 7 days it would have paused on ${formatDateTime(p.wouldFireAt)} at spend ${formatMoney(p.spendCents ?? 0, currency)} with ${plural(p.leads ?? 0, 'lead')}.`;
}
