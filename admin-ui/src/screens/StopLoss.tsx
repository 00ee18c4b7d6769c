import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import { ApiError } from '../api/errors';
import { useMutation, useQuery } from '../api/hooks';
import { currencySymbol, formatDateTime } from '../format';
import {
  AddStopLossRuleDocument,
  DeleteStopLossRuleDocument,
  PreviewStopLossRuleDocument,
  StopLossRulesDocument,
  type StopLossKind,
} from '../gql/graphql';
import { previewSentence, stopLossAmounts, stopLossKinds } from '../guardrails';
import { Badge, Banner, Button, EmptyState, ErrorBanner, NotServed, SelectField, TextField } from '../ui/kit';

/**
 * Stop-loss rules: a campaign's own (`campaignId`, amounts in its currency, with a
 * preview over its last 7 days), or the member's defaults that new campaigns copy.
 */
export function StopLossPanel({ campaignId, currency }: { campaignId?: string; currency?: string }) {
  const q = useQuery(StopLossRulesDocument, campaignId ? { campaignId } : {});
  const del = useMutation(DeleteStopLossRuleDocument);
  // The defaults list answers the member's rules without a campaign.
  const rules = (q.data?.stopLossRules ?? []).filter((r) => (campaignId ? r.campaignId === campaignId : !r.campaignId));
  const titleId = campaignId ? 'stop-loss-title' : 'stop-loss-defaults-title';

  if (q.error?.notServed) return <NotServed feature="Stop-loss rules" />;
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-head">
        <h2 id={titleId}>{campaignId ? 'Stop-loss rules' : 'Default stop-loss rules'}</h2>
        <span className="muted small">{rules.length ? `${rules.length} rule${rules.length === 1 ? '' : 's'}` : ''}</span>
      </div>
      <div className="card-body">
        <p className="muted small">
          {campaignId
            ? 'The campaign is paused by itself the first time a rule is met; you get a notification.'
            : 'Every new campaign in the same currency starts with a copy of these rules.'}
        </p>
        {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
        {del.error && <ErrorBanner error={del.error} />}
        {q.data && rules.length === 0 && <EmptyState title="No rules yet" />}
        {rules.length > 0 && (
          <ul className="rule-list" aria-label={campaignId ? 'Stop-loss rules' : 'Default stop-loss rules'}>
            {rules.map((r) => (
              <li key={r.id} data-rule={r.id}>
                <div>
                  <div>{r.description}</div>
                  <div className="muted small">
                    {r.firedAt ? (
                      <>
                        <Badge tone="red">Fired</Badge> {formatDateTime(r.firedAt)}
                      </>
                    ) : (
                      <>Not fired · added {formatDateTime(r.createdAt)}</>
                    )}
                    {!campaignId && ` · ${r.currency}`}
                  </div>
                </div>
                <Button
                  variant="ghost"
                  className="danger-text"
                  busy={del.busy}
                  aria-label={`Delete the rule: ${r.description}`}
                  onClick={async () => {
                    if (await del.run({ id: r.id })) void q.refetch();
                  }}
                >
                  Delete
                </Button>
              </li>
            ))}
          </ul>
        )}
        <RuleForm campaignId={campaignId} currency={currency} onAdded={() => void q.refetch()} />
      </div>
    </section>
  );
}

function RuleForm({ campaignId, currency: fixed, onAdded }: { campaignId?: string; currency?: string; onAdded: () => void }) {
  const [kind, setKind] = useState<StopLossKind>('COST_PER_LEAD_ABOVE');
  const [threshold, setThreshold] = useState('');
  const [minSpend, setMinSpend] = useState('');
  const [cur, setCur] = useState(fixed ?? 'USD');
  const [errors, setErrors] = useState<{ threshold?: string; minSpend?: string; currency?: string }>({});
  const [preview, setPreview] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const add = useMutation(AddStopLossRuleDocument);
  const currency = (fixed ?? cur).trim().toUpperCase();
  const k = stopLossKinds.find((x) => x.key === kind)!;
  const server = (f: string) => add.error?.fieldMessage(f) ?? add.error?.fieldMessage(`input.${f}`);

  const amounts = () => {
    if (!/^[A-Z]{3}$/.test(currency)) {
      setErrors({ currency: 'Enter a three-letter currency code, like USD.' });
      return null;
    }
    const a = stopLossAmounts({ kind, threshold, minSpend }, currency);
    if ('errors' in a) {
      setErrors(a.errors);
      return null;
    }
    setErrors({});
    return a;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const a = amounts();
    if (!a) return;
    const d = await add.run({
      input: { campaignId: campaignId ?? null, kind, currency: campaignId ? null : currency, thresholdCents: a.thresholdCents, minSpendCents: a.minSpendCents },
    });
    if (d) {
      setThreshold('');
      setMinSpend('');
      setPreview(null);
      onAdded();
    }
  };

  const doPreview = async () => {
    if (!campaignId) return;
    const a = amounts();
    if (!a) return;
    setPreviewing(true);
    setPreviewError(null);
    try {
      const d = await request(PreviewStopLossRuleDocument, { campaignId, kind, thresholdCents: a.thresholdCents, minSpendCents: a.minSpendCents });
      setPreview(previewSentence(d.previewStopLossRule, currency));
    } catch (err) {
      setPreviewError(err instanceof ApiError ? err : new ApiError([{ message: String(err), code: 'INTERNAL' }]));
    } finally {
      setPreviewing(false);
    }
  };

  const unit = /^[A-Z]{3}$/.test(currency) ? `${currency}, ${currencySymbol(currency)}` : 'major units';
  return (
    <form className="rule-form" onSubmit={submit} noValidate aria-label={campaignId ? 'Add a stop-loss rule' : 'Add a default stop-loss rule'}>
      <SelectField
        label="Rule"
        value={kind}
        onChange={(e) => {
          setKind(e.target.value as StopLossKind);
          setPreview(null);
        }}
      >
        {stopLossKinds.map((x) => (
          <option key={x.key} value={x.key}>
            {x.label}
          </option>
        ))}
      </SelectField>
      {!fixed && <TextField label="Currency" maxLength={3} value={cur} onChange={(e) => setCur(e.target.value)} error={errors.currency ?? server('currency')} />}
      <TextField
        label={`${k.threshold} (${unit})`}
        inputMode="decimal"
        value={threshold}
        onChange={(e) => {
          setThreshold(e.target.value);
          setPreview(null);
        }}
        error={errors.threshold ?? server('thresholdCents')}
      />
      {k.needsMinSpend && (
        <TextField
          label={`After spend of (${unit})`}
          inputMode="decimal"
          placeholder="optional"
          value={minSpend}
          onChange={(e) => {
            setMinSpend(e.target.value);
            setPreview(null);
          }}
          error={errors.minSpend ?? server('minSpendCents')}
        />
      )}
      <div className="field rule-form-actions">
        <Button type="submit" variant="primary" busy={add.busy}>
          Add rule
        </Button>
        {campaignId && (
          <Button busy={previewing} onClick={doPreview}>
            Preview
          </Button>
        )}
      </div>
      {add.error && !add.error.errors.some((x) => x.field) && <ErrorBanner error={add.error} />}
      {previewError && <ErrorBanner error={previewError} />}
      {preview && (
        <div className="rule-preview" data-testid="stop-loss-preview">
          <Banner kind="info">{preview}</Banner>
        </div>
      )}
    </form>
  );
}

