import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { budgetPolicyMessage, checkLabel } from '../screens/campaigns/CampaignEditorScreen';
import { parseMajorLimit, policyRows } from '../screens/BudgetPolicy';

describe('the budget policy in the editor', () => {
  it('names the policy check plainly', () => {
    expect(checkLabel('policy')).toBe('Budget policy');
    expect(checkLabel('credits')).toBe('Credits');
  });
  it('puts a refused launch’s limit at the budget field', () => {
    const err = new ApiError([{ message: 'The daily budget is above the budget policy.', code: 'BUDGET_POLICY_EXCEEDED', limit: 50000, currency: 'USD' }]);
    expect(budgetPolicyMessage(err, undefined)).toBe('Budget policy: The daily budget is above the budget policy. The limit is $500.00 a day.');
  });
  it('uses the failed dry-run check otherwise', () => {
    expect(budgetPolicyMessage(undefined, [{ name: 'policy', ok: false, message: 'Above 500 USD a day.' }])).toBe('Budget policy: Above 500 USD a day.');
    expect(budgetPolicyMessage(undefined, [{ name: 'policy', ok: true, message: 'Within.' }])).toBeUndefined();
  });
});

describe('the budget policy settings', () => {
  it('reads whole major units or no limit', () => {
    expect(parseMajorLimit('500')).toEqual({ value: 500 });
    expect(parseMajorLimit('1,000')).toEqual({ value: 1000 });
    expect(parseMajorLimit('')).toEqual({ value: null });
    expect(parseMajorLimit('12.5')).toHaveProperty('error');
    expect(parseMajorLimit('0')).toHaveProperty('error');
  });
  it('lists currencies with a limit or with campaigns running', () => {
    const rows = policyRows({
      tenantId: 't',
      defaultMaxCampaignDailyBudget: 10000,
      limits: [
        { currency: 'USD', maxCampaignDailyBudget: 500, maxCampaignDailyBudgetCents: 50000, maxTenantDailyBudget: null, maxTenantDailyBudgetCents: null, runningDailyBudgetCents: 2500, updatedAt: '2026-12-01T00:00:00Z' },
      ],
      running: [
        { currency: 'USD', dailyBudgetCents: 2500 },
        { currency: 'EUR', dailyBudgetCents: 1000 },
      ],
    });
    expect(rows.map((r) => [r.currency, r.campaignCents, r.runningCents])).toEqual([
      ['EUR', null, 1000],
      ['USD', 50000, 2500],
    ]);
  });
});
