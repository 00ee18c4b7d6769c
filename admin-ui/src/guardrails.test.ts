import { describe, expect, it } from 'vitest';
import { pauseSummary, previewSentence, stopLossAmounts, type PauseReport } from './guardrails';

describe('stopLossAmounts', () => {
  it('turns major units into minor units with the currency exponent', () => {
    expect(stopLossAmounts({ kind: 'COST_PER_LEAD_ABOVE', threshold: '12.50', minSpend: '100' }, 'USD')).toEqual({
      thresholdCents: 1250,
      minSpendCents: 10000,
    });
    expect(stopLossAmounts({ kind: 'LIFETIME_SPEND', threshold: '5000', minSpend: '' }, 'JPY')).toEqual({
      thresholdCents: 5000,
      minSpendCents: null,
    });
    expect(stopLossAmounts({ kind: 'SPEND_WITHOUT_LEADS', threshold: '1.5', minSpend: '' }, 'KWD')).toEqual({
      thresholdCents: 1500,
      minSpendCents: null,
    });
  });
  it('ignores the minimum spend for kinds without one', () => {
    expect(stopLossAmounts({ kind: 'SPEND_WITHOUT_LEADS', threshold: '20', minSpend: '7' }, 'USD')).toEqual({
      thresholdCents: 2000,
      minSpendCents: null,
    });
  });
  it('names the wrong field', () => {
    expect(stopLossAmounts({ kind: 'COST_PER_LEAD_ABOVE', threshold: '0', minSpend: '12.345' }, 'USD')).toEqual({
      errors: { threshold: 'Enter an amount above zero.', minSpend: 'Enter an amount like 25 or 25.50 (up to 2 decimals).' },
    });
    expect(stopLossAmounts({ kind: 'LIFETIME_SPEND', threshold: '10.5', minSpend: '' }, 'JPY')).toEqual({
      errors: { threshold: 'JPY amounts have no decimals: enter a whole number.' },
    });
  });
});

describe('pauseSummary', () => {
  it('counts every outcome and lists the failures with the platform’s words', () => {
    const r: PauseReport = {
      paused: 2,
      alreadyPaused: 1,
      launching: 0,
      failed: 1,
      outcomes: [
        { result: 'PAUSED', message: null, campaign: { id: '1', campaignName: 'A', status: 'PAUSED' } },
        { result: 'FAILED', message: 'Token expired', campaign: { id: '2', campaignName: 'Roofs', status: 'ACTIVE' } },
        { result: 'ALREADY_PAUSED', message: null, campaign: { id: '3', campaignName: 'C', status: 'PAUSED' } },
      ],
    };
    const s = pauseSummary(r);
    expect(s.line).toBe('Paused 2 · already paused 1 · launching 0 · failed 1');
    expect(s.failures).toEqual([{ id: '2', name: 'Roofs', message: 'Token expired' }]);
  });
});

describe('previewSentence', () => {
  it('says whether and when the rule would have fired', () => {
    expect(previewSentence({ snapshots: 0, wouldFireAt: null, spendCents: null, leads: null }, 'USD')).toMatch(/No numbers/);
    expect(previewSentence({ snapshots: 12, wouldFireAt: null, spendCents: null, leads: null }, 'USD')).toBe(
      'Over the last 7 days (12 readings) it would not have fired.',
    );
    expect(previewSentence({ snapshots: 12, wouldFireAt: '2026-12-01T10:00:00Z', spendCents: 4200, leads: 1 }, 'USD')).toMatch(
      /^Over the last 7 days it would have paused on .+ at spend \$42\.00 with 1 lead\.$/,
    );
  });
});
