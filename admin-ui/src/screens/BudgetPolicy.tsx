import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { useUser } from '../auth';
import { formatDateTime, formatInt, formatMoney } from '../format';
import { BudgetPolicyDocument, SetBudgetLimitDocument, TenantsDocument, type BudgetPolicyFieldsFragment } from '../gql/graphql';
import { Banner, Button, EmptyState, ErrorBanner, NotServed, SelectField, SkeletonRows, TextField } from '../ui/kit';

/** A whole number of major units typed by a person, or empty (no limit). */
export function parseMajorLimit(input: string): { value: number | null } | { error: string } {
  const clean = input.replace(/[\s,]/g, '');
  if (clean === '') return { value: null };
  if (!/^\d+$/.test(clean)) return { error: 'Enter a whole amount, like 500, or leave it empty for no limit.' };
  const n = Number(clean);
  if (n < 1 || !Number.isSafeInteger(n)) return { error: 'Enter an amount of at least 1.' };
  return { value: n };
}

interface Row {
  currency: string;
  campaignCents: number | null;
  tenantCents: number | null;
  runningCents: number;
  updatedAt: string | null;
}

/** One row per currency that has a limit or campaigns spending in it. */
export function policyRows(p: BudgetPolicyFieldsFragment): Row[] {
  const rows = new Map<string, Row>();
  for (const l of p.limits) {
    rows.set(l.currency, {
      currency: l.currency,
      campaignCents: l.maxCampaignDailyBudgetCents,
      tenantCents: l.maxTenantDailyBudgetCents,
      runningCents: l.runningDailyBudgetCents,
      updatedAt: l.updatedAt,
    });
  }
  for (const r of p.running) {
    if (!rows.has(r.currency)) rows.set(r.currency, { currency: r.currency, campaignCents: null, tenantCents: null, runningCents: r.dailyBudgetCents, updatedAt: null });
  }
  return [...rows.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Settings › Budget policy: members read their tenant's limits; the chief architect picks a tenant and sets them. */
export function BudgetPolicySection() {
  const user = useUser();
  const chief = user.role === 'CHIEF_ARCHITECT';
  const tenants = useQuery(TenantsDocument, undefined, { skip: !chief });
  const [tenantId, setTenantId] = useState<string>('');
  const chosen = chief ? tenantId : user.tenant.id;
  const q = useQuery(BudgetPolicyDocument, chief ? { tenantId: chosen } : {}, { skip: chief && !chosen });
  const policy = q.data?.budgetPolicy;

  if (q.error?.notServed) return <NotServed feature="Budget policy" />;
  return (
    <section className="card" aria-labelledby="budget-policy-title">
      <div className="card-head">
        <h2 id="budget-policy-title">Budget policy</h2>
        {policy && <span className="muted small">per currency, per day</span>}
      </div>
      <div className="card-body">
        <p className="muted policy-intro">
          The largest daily budget of one campaign, and the largest sum of daily budgets of the tenant’s launching and active campaigns.
          A draft, a launch or a resume above them is refused.
        </p>
        {chief && (
          <SelectField label="Tenant" value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
            <option value="">Pick a tenant…</option>
            {tenants.data?.tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </SelectField>
        )}
        {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
        {policy && (
          <p className="small" data-testid="default-limit">
            Where no limit is set for a currency, one campaign may spend at most {formatInt(policy.defaultMaxCampaignDailyBudget)} (major units of its
            currency) a day, and nothing caps the sum.
          </p>
        )}
      </div>
      {(policy || q.loading) && (chosen || !chief) && (
        <div className="table-scroll">
          <table className="table" aria-label="Limits per currency">
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col" className="num">One campaign / day</th>
                <th scope="col" className="num">All campaigns / day</th>
                <th scope="col" className="num">Running now / day</th>
                <th scope="col">Last changed</th>
                {chief && <th scope="col"><span className="visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody>
              {q.loading && !policy && <SkeletonRows cols={chief ? 6 : 5} rows={2} />}
              {policy &&
                policyRows(policy).map((r) => (
                  <tr key={r.currency} data-currency={r.currency}>
                    <td>
                      <strong>{r.currency}</strong>
                    </td>
                    <td className="num">{r.campaignCents != null ? formatMoney(r.campaignCents, r.currency) : <span className="muted">default</span>}</td>
                    <td className="num">{r.tenantCents != null ? formatMoney(r.tenantCents, r.currency) : <span className="muted">no cap</span>}</td>
                    <td className="num">
                      {formatMoney(r.runningCents, r.currency)}
                      {r.tenantCents != null && r.tenantCents > 0 && <div className="muted small">{Math.floor((r.runningCents / r.tenantCents) * 100)}% of the cap</div>}
                    </td>
                    <td className="nowrap">{r.updatedAt ? formatDateTime(r.updatedAt) : '—'}</td>
                    {chief && (
                      <td>
                        {r.updatedAt && <ClearLimit tenantId={chosen} currency={r.currency} onDone={() => void q.refetch()} />}
                      </td>
                    )}
                  </tr>
                ))}
            </tbody>
          </table>
          {policy && policyRows(policy).length === 0 && <EmptyState title="No limits set">Only the platform default applies.</EmptyState>}
        </div>
      )}
      {chief && chosen && policy && <LimitForm tenantId={chosen} onSaved={() => void q.refetch()} />}
    </section>
  );
}

function ClearLimit({ tenantId, currency, onDone }: { tenantId: string; currency: string; onDone: () => void }) {
  const m = useMutation(SetBudgetLimitDocument);
  return (
    <>
      <Button
        variant="ghost"
        busy={m.busy}
        aria-label={`Clear the ${currency} limits`}
        onClick={async () => {
          if (await m.run({ input: { tenantId, currency, maxCampaignDailyBudget: null, maxTenantDailyBudget: null } })) onDone();
        }}
      >
        Clear
      </Button>
      {m.error && <ErrorBanner error={m.error} />}
    </>
  );
}

function LimitForm({ tenantId, onSaved }: { tenantId: string; onSaved: () => void }) {
  const [currency, setCurrency] = useState('USD');
  const [campaign, setCampaign] = useState('');
  const [tenant, setTenant] = useState('');
  const [errors, setErrors] = useState<{ currency?: string; campaign?: string; tenant?: string }>({});
  const [done, setDone] = useState<string | null>(null);
  const m = useMutation(SetBudgetLimitDocument);
  const server = (f: string) => m.error?.fieldMessage(f);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const cur = currency.trim().toUpperCase();
    const c = parseMajorLimit(campaign);
    const t = parseMajorLimit(tenant);
    const errs = {
      currency: /^[A-Z]{3}$/.test(cur) ? undefined : 'Enter a three-letter currency code, like USD.',
      campaign: 'error' in c ? c.error : undefined,
      tenant: 'error' in t ? t.error : undefined,
    };
    setErrors(errs);
    if (errs.currency || errs.campaign || errs.tenant || 'error' in c || 'error' in t) return;
    const d = await m.run({ input: { tenantId, currency: cur, maxCampaignDailyBudget: c.value, maxTenantDailyBudget: t.value } });
    if (d) {
      setDone(c.value == null && t.value == null ? `The ${cur} limits are cleared.` : `The ${cur} limits are saved.`);
      setCampaign('');
      setTenant('');
      onSaved();
    }
  };

  return (
    <form className="card-foot policy-form" onSubmit={submit} noValidate aria-label="Set a currency's limits">
      <TextField label="Currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} error={errors.currency ?? server('currency')} />
      <TextField
        label={`One campaign, per day (${currency.toUpperCase() || 'major units'})`}
        inputMode="numeric"
        placeholder="no limit"
        value={campaign}
        onChange={(e) => setCampaign(e.target.value)}
        error={errors.campaign ?? server('maxCampaignDailyBudget')}
      />
      <TextField
        label={`All campaigns, per day (${currency.toUpperCase() || 'major units'})`}
        inputMode="numeric"
        placeholder="no cap"
        value={tenant}
        onChange={(e) => setTenant(e.target.value)}
        error={errors.tenant ?? server('maxTenantDailyBudget')}
      />
      <div className="field">
        <Button type="submit" variant="primary" busy={m.busy}>
          Save limits
        </Button>
      </div>
      {m.error && !m.error.errors.some((x) => x.field) && <ErrorBanner error={m.error} />}
      {done && <Banner kind="success">{done}</Banner>}
    </form>
  );
}
