import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/errors';
import { useMutation, useQuery } from '../../api/hooks';
import { currencySymbol, formatDateTime, formatInt, formatMoney, parseMoney } from '../../format';
import {
  CampaignDocument,
  CreativesDocument,
  CreateCampaignDocument,
  CreditBalanceDocument,
  GenerateAdCopyDocument,
  IntegrationsDocument,
  LaunchCampaignDocument,
  PlatformAssetsDocument,
  PreviewLaunchDocument,
  UpdateCampaignDocument,
  type AdCopyInput,
  type CampaignObjective,
  type SpecialAdCategory,
  type CampaignQuery,
  type IntegrationsQuery,
  type PreviewLaunchMutation,
} from '../../gql/graphql';
import { Link, navigate, replaced, useLeaveGuard } from '../../router';
import { Banner, Button, EmptyState, ErrorBanner, Field, NotServed, PageHeader, SelectField, Spinner, TextField } from '../../ui/kit';
import { hasErrors, type Errors } from '../../validate';
import { CreativeCard } from '../CreativesScreen';
import { providerName } from '../IntegrationsScreen';
import { copyAuthorLabel, ctaLabels, editForm, formFieldOf, initialForm, specialAdCategories, toInput, validateCampaign, type CampaignForm, type FormField } from './form';
import { CopyEditor, CountryPicker, TargetingTypeahead } from './parts';
import { audienceSummary, objectiveLabel } from './common';

const objectives: { key: CampaignObjective; hint: string }[] = [
  { key: 'LEADS', hint: 'Collect contact details with an instant form or on your site.' },
  { key: 'CONVERSIONS', hint: 'Drive purchases or sign-ups counted by your pixel.' },
  { key: 'TRAFFIC', hint: 'Send people to your page.' },
];

function serverErrors(err: ApiError | undefined): { fields: Errors<FormField>; general: string[] } {
  if (!err) return { fields: {}, general: [] };
  const fields: Errors<FormField> = {};
  const general: string[] = [];
  for (const e of err.errors) {
    const f = e.field ? formFieldOf(e.field) : undefined;
    if (f) fields[f] = e.message;
    else general.push(e.message);
  }
  return { fields, general };
}

/** A check's name as the list shows it ("policy" → "Budget policy"). */
export function checkLabel(name: string): string {
  if (name === 'policy') return 'Budget policy';
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A budget above the tenant's policy, from a refused launch or the dry run's `policy` check, for the budget field. */
export function budgetPolicyMessage(launchError: ApiError | undefined, checks: { name: string; ok: boolean; message: string }[] | undefined): string | undefined {
  const refused = launchError?.errors.find((e) => e.code === 'BUDGET_POLICY_EXCEEDED');
  if (refused) {
    const limit = refused.limit != null && refused.currency ? ` The limit is ${formatMoney(refused.limit, refused.currency)} a day.` : '';
    return `Budget policy: ${refused.message}${limit && !refused.message.includes(formatMoney(refused.limit!, refused.currency!)) ? limit : ''}`;
  }
  const failed = checks?.find((c) => c.name === 'policy' && !c.ok);
  return failed ? `Budget policy: ${failed.message}` : undefined;
}

type Campaign = NonNullable<CampaignQuery['campaign']>;
type Integration = IntegrationsQuery['integrations'][number];

/**
 * Loads what the form starts from, and shows the form only once it is all
 * here: the draft (when editing) and the ad accounts. The form then takes
 * its state from them once, so no answer can arrive after it opens and
 * replace the draft's ad account, or anything the user typed.
 */
export default function CampaignEditorScreen({ id }: { id?: string }) {
  const probe = useQuery(CreditBalanceDocument);
  const existing = useQuery(CampaignDocument, { id: id ?? '' }, { skip: !id });
  const integrations = useQuery(IntegrationsDocument);
  const title = id ? 'Edit campaign' : 'New campaign';

  if (probe.error?.notServed || existing.error?.notServed) {
    return (
      <div className="page">
        <PageHeader title={title} />
        <NotServed feature="The campaign creator" />
      </div>
    );
  }
  const failed = existing.error ?? integrations.error;
  if (failed) {
    return (
      <div className="page">
        <PageHeader title={title} />
        <ErrorBanner
          error={failed}
          title={existing.error ? 'Could not load the draft' : 'Could not load your ad accounts'}
          onRetry={() => void (existing.error ? existing.refetch() : integrations.refetch())}
        />
      </div>
    );
  }
  if ((id && !existing.data) || !integrations.data) return <Spinner label={id ? 'Loading the draft…' : 'Loading your ad accounts…'} />;
  const campaign = existing.data?.campaign ?? undefined;
  if (id && !campaign) {
    return (
      <div className="page">
        <PageHeader title={title} />
        <EmptyState title="This campaign is not here" action={<Link href="/campaigns">Back to campaigns</Link>} />
      </div>
    );
  }
  const all = integrations.data.integrations;
  if (!campaign && all.every((i) => i.status === 'INVALID')) {
    return (
      <div className="page">
        <PageHeader title="New campaign" />
        <EmptyState title="Connect an ad account first" icon="⚙" action={<Link href="/settings/ad-platforms">Go to Ad platforms</Link>}>
          The media buyer launches on your own ad account. Add it (or the Sandbox) and test the connection.
        </EmptyState>
      </div>
    );
  }
  return <CampaignEditor key={campaign?.id ?? 'new'} campaign={campaign} integrations={all} balance={probe.data?.creditBalance} />;
}

function accountLabel(i: Pick<Integration, 'accountName' | 'adAccountId'>): string {
  return i.accountName ?? i.adAccountId;
}

function CampaignEditor({ campaign, integrations, balance: probedBalance }: { campaign?: Campaign; integrations: Integration[]; balance?: number }) {
  const creatives = useQuery(CreativesDocument, { first: 100 });
  // A saved campaign's own account stays listed even when its connection
  // broke, so the select never shows another account than the one it is on.
  const usable = integrations.filter((i) => i.status !== 'INVALID' || i.id === campaign?.integration.id);

  // Initialised once from what the screen loaded; only the user changes it from here on.
  const [f, setF] = useState<CampaignForm>(() => initialForm(campaign, usable));
  const [draftId, setDraftId] = useState<string | undefined>(campaign?.id);
  // The account the server has the campaign on; a launched (or failed) one moves only when the user says so.
  const [storedIntegrationId, setStoredIntegrationId] = useState<string | undefined>(campaign?.integration.id);
  const [local, setLocal] = useState<Errors<FormField>>({});
  const [variants, setVariants] = useState<AdCopyInput[]>([]);
  const [picked, setPicked] = useState<number | null>(null);
  const [preview, setPreview] = useState<PreviewLaunchMutation['previewLaunch'] | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  // The agent's copy was dropped by an edit of what it was written from.
  const [copyDropped, setCopyDropped] = useState(false);
  // Changes not saved to the server yet: leaving asks first.
  const [dirty, setDirty] = useState(false);
  useLeaveGuard(dirty);
  // An incomplete form kept in this browser (when), and one found on opening.
  const [keptLocally, setKeptLocally] = useState<string | null>(null);
  const [unsaved, setUnsaved] = useState(() => readUnsaved(campaign?.id));
  const touched = useRef(new Set<keyof CampaignForm>());
  const idem = useRef<string | null>(null);

  const create = useMutation(CreateCampaignDocument);
  const update = useMutation(UpdateCampaignDocument);
  const gen = useMutation(GenerateAdCopyDocument);
  const prev = useMutation(PreviewLaunchDocument);
  const launch = useMutation(LaunchCampaignDocument);

  const integration = usable.find((i) => i.id === f.integrationId);
  const currency = integration?.currency ?? 'USD';
  const assets = useQuery(PlatformAssetsDocument, { integrationId: f.integrationId }, { skip: !f.integrationId });
  const pages = assets.data?.platformAssets;
  const forms = (pages?.leadForms ?? []).filter((l) => !integration?.pageId || !l.pageId || l.pageId === integration.pageId);

  // Only the user moves a launched campaign: the integration changes through the select alone.
  const stored = storedIntegrationId ? integrations.find((i) => i.id === storedIntegrationId) : undefined;
  const moving = campaign != null && campaign.status !== 'DRAFT' && storedIntegrationId != null && f.integrationId !== storedIntegrationId;

  // A new LEADS campaign starts on the Page's first instant form, the usual
  // choice, unless the user already chose how leads arrive.
  const firstForm = forms[0]?.id;
  useEffect(() => {
    if (campaign || !firstForm || touched.current.has('leadFormId') || touched.current.has('pixelId')) return;
    setF((p) => (p.objective === 'LEADS' && !p.leadFormId && !p.pixelId ? { ...p, leadFormId: firstForm } : p));
  }, [campaign, firstForm, f.objective]);

  const saveErr = serverErrors(create.error ?? update.error);
  const policyError = budgetPolicyMessage(launch.error, preview?.checks);
  const err = (k: FormField) => local[k] ?? saveErr.fields[k] ?? (k === 'dailyBudget' ? policyError : undefined);
  const set = <K extends keyof CampaignForm>(k: K, v: CampaignForm[K]) => {
    touched.current.add(k);
    setDirty(true);
    setF((p) => {
      const { form, droppedCopy } = editForm(p, k, v);
      if (droppedCopy) setCopyDropped(true);
      return form;
    });
    if (k === 'adCopy') setCopyDropped(false);
    // A refused launch's budget message is about the old amount.
    if (k === 'dailyBudget') launch.reset();
    setPreview(null);
    setLocal((p) => ({ ...p, [k === 'ageMin' || k === 'ageMax' ? 'age' : k === 'dailyBudget' ? 'dailyBudget' : k]: undefined }));
  };

  const budgetMinor = useMemo(() => {
    const m = parseMoney(f.dailyBudget, currency);
    return 'minor' in m ? m.minor : null;
  }, [f.dailyBudget, currency]);

  const check = (): boolean => {
    const e = validateCampaign(f, currency);
    setLocal(e);
    if (hasErrors(e)) {
      focusFirstError();
      return false;
    }
    return true;
  };

  const saved = (id: string) => {
    setSavedAt(new Date().toISOString());
    setDirty(false);
    setKeptLocally(null);
    forgetUnsaved(campaign?.id);
    forgetUnsaved(id);
  };

  /** Saves to the server; an incomplete form (`keepIncomplete`) is kept in this browser instead. */
  const save = async (keepIncomplete = false): Promise<string | undefined> => {
    if (!check()) {
      if (keepIncomplete) setKeptLocally(keepUnsaved(draftId, f));
      return undefined;
    }
    const input = toInput(f, currency);
    if (draftId) {
      const d = await update.run({ id: draftId, input, ...(moving ? { confirmIntegrationChange: true } : {}) });
      if (d) {
        setStoredIntegrationId(d.updateCampaign.integration.id);
        saved(d.updateCampaign.id);
      } else focusFirstError();
      return d?.updateCampaign.id;
    }
    const d = await create.run({ input });
    if (d) {
      setDraftId(d.createCampaign.id);
      replaced(`/campaigns/${d.createCampaign.id}/edit`);
      saved(d.createCampaign.id);
    } else focusFirstError();
    return d?.createCampaign.id;
  };

  const doPreview = async () => {
    const saved = await save();
    if (!saved) return;
    const d = await prev.run({ id: saved });
    if (d) {
      setPreview(d.previewLaunch);
      // The dry run saved the copy it showed on the draft: the editor shows it too.
      const written = d.previewLaunch.adCopy;
      if (written) {
        setF((p) =>
          p.adCopy
            ? p
            : {
                ...p,
                adCopy: { headline: written.headline, body: written.body, description: written.description, callToAction: written.callToAction },
                copyBy: written.writtenBy ?? null,
              },
        );
        setCopyDropped(false);
      }
      document.getElementById('preview')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  };

  const doLaunch = async () => {
    if (!draftId || !preview?.ok) return;
    idem.current ??= crypto.randomUUID();
    const d = await launch.run({ id: draftId, idempotencyKey: idem.current });
    if (d) navigate(`/campaigns/${d.launchCampaign.id}`);
  };

  const generate = async () => {
    if (!f.countries.length) {
      setLocal((p) => ({ ...p, countries: 'Target at least one country first: the copy is written for them.' }));
      return;
    }
    const d = await gen.run({
      input: {
        niche: f.niche.trim() || f.campaignName.trim() || 'our offer',
        objective: f.objective,
        variants: 3,
        audience: { countries: f.countries, regions: f.regions, cities: f.cities, interests: f.interests, ageMin: f.ageMin, ageMax: f.ageMax },
      },
    });
    if (d) {
      setVariants(d.generateAdCopy.map((c) => ({ ...c })));
      setPicked(0);
      set('adCopy', { ...d.generateAdCopy[0] });
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void doPreview();
  };

  const gallery = creatives.data?.creatives.edges.map((e) => e.node) ?? [];
  const balance = preview?.creditBalance ?? probedBalance;

  return (
    <div className="page editor">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/campaigns">Campaigns</Link> <span aria-hidden="true">/</span> <span>{campaign ? 'Edit' : 'New campaign'}</span>
      </nav>
      <PageHeader
        title={f.campaignName.trim() || (campaign ? 'Edit campaign' : 'New campaign')}
        subtitle={
          campaign?.status !== 'ERROR'
            ? 'Set it up, let the media buyer write the copy, preview, launch.'
            : campaign.launchFailure === 'TEMPORARY'
              ? 'This launch gave up on temporary failures on the platform’s side: nothing in the draft needs fixing. Preview and launch again.'
              : 'This launch failed: fix what the platform reported, then preview and launch again.'
        }
        actions={
          <>
            {savedAt && <span className="muted small">Draft saved</span>}
            <Button onClick={() => void save(true)} busy={create.busy || update.busy}>
              Save draft
            </Button>
          </>
        }
      />
      {campaign?.errorMessage && (
        <Banner kind="error">
          <strong>Last launch failed</strong>
          <p>{campaign.errorMessage}</p>
        </Banner>
      )}
      {saveErr.general.length > 0 && <Banner kind="error">{saveErr.general.join(' ')}</Banner>}
      {keptLocally && (
        <Banner kind="warning">
          <span data-testid="kept-locally">
            Kept in this browser at {formatDateTime(keptLocally)}, not yet in your account: complete the marked fields and save again.
          </span>
        </Banner>
      )}
      {unsaved && (
        <Banner kind="info">
          <span data-testid="unsaved-found">You left unsaved changes here on {formatDateTime(unsaved.at)}.</span>{' '}
          <Button
            onClick={() => {
              setF(unsaved.form);
              setDirty(true);
              setUnsaved(null);
            }}
          >
            Restore them
          </Button>{' '}
          <Button
            variant="ghost"
            onClick={() => {
              forgetUnsaved(campaign?.id);
              setUnsaved(null);
            }}
          >
            Discard
          </Button>
        </Banner>
      )}
      <form className="editor-grid" onSubmit={submit} noValidate>
        <div className="stack">
          <section className="card" aria-labelledby="s1">
            <div className="card-head">
              <h2 id="s1"><span className="step-no">1</span> Campaign</h2>
            </div>
            <div className="card-body">
              <div className="grid-2">
                <div data-field="campaignName">
                  <TextField label="Campaign name" value={f.campaignName} onChange={(e) => set('campaignName', e.target.value)} error={err('campaignName')} placeholder="Spring webinar – US" />
                </div>
                <div data-field="integrationId">
                  <SelectField label="Ad account" value={f.integrationId} onChange={(e) => set('integrationId', e.target.value)} error={err('integrationId')}>
                    {usable.map((i) => (
                      <option key={i.id} value={i.id}>
                        {accountLabel(i)} · {providerName[i.provider]} {i.currency ? `· ${i.currency}` : ''}
                        {i.status === 'INVALID' ? ' (connection failed)' : i.status !== 'VERIFIED' ? ' (not tested)' : ''}
                      </option>
                    ))}
                  </SelectField>
                </div>
              </div>
              {moving && (
                <Banner kind="warning">
                  This campaign was launched on {stored ? accountLabel(stored) : 'another account'}. Saving moves it to {integration ? accountLabel(integration) : 'the account you chose'}
                  {stored?.currency && integration?.currency && stored.currency !== integration.currency ? `, in ${integration.currency}` : ''}: its next launch runs there.
                </Banner>
              )}
              <fieldset className="objective-field" data-field="objective">
                <legend>Objective</legend>
                <div className="objective-cards">
                  {objectives.map((o) => (
                    <label key={o.key} className={`objective${f.objective === o.key ? ' on' : ''}`}>
                      <input type="radio" name="objective" value={o.key} checked={f.objective === o.key} onChange={() => set('objective', o.key)} />
                      <strong>{objectiveLabel[o.key]}</strong>
                      <span className="muted small">{o.hint}</span>
                    </label>
                  ))}
                </div>
                {err('objective') && <p className="field-error">{err('objective')}</p>}
              </fieldset>
              <div data-field="specialAdCategory">
                <SelectField
                  label="Special ad category"
                  value={f.specialAdCategory}
                  onChange={(e) => set('specialAdCategory', e.target.value as SpecialAdCategory)}
                  error={err('specialAdCategory')}
                  hint="Meta requires ads about housing, jobs, credit and finance, or politics to say so. They must then reach every adult (18–65+), of any gender, at least 15 miles around a city."
                >
                  {specialAdCategories.map((c) => (
                    <option key={c.key} value={c.key}>
                      {c.label}
                    </option>
                  ))}
                </SelectField>
              </div>
              {f.objective !== 'TRAFFIC' && (
                <div className="grid-2">
                  {f.objective === 'LEADS' && (
                    <div data-field="leadFormId">
                      <SelectField label="Instant form" value={f.leadFormId} onChange={(e) => set('leadFormId', e.target.value)} error={err('leadFormId')} hint={assets.loading ? 'Reading the Page’s forms…' : !integration?.pageId ? 'Choose a Page in Ad platforms to use its forms.' : undefined}>
                        <option value="">{forms.length ? 'Website leads (use a pixel)' : 'No instant form found'}</option>
                        {forms.map((l) => (
                          <option key={l.id} value={l.id}>
                            {l.name}
                          </option>
                        ))}
                      </SelectField>
                    </div>
                  )}
                  <div data-field="pixelId">
                    <SelectField label={f.objective === 'CONVERSIONS' ? 'Pixel' : 'Pixel (optional)'} value={f.pixelId} onChange={(e) => set('pixelId', e.target.value)} error={err('pixelId')}>
                      <option value="">{pages?.pixels.length ? 'None' : 'No pixel on this account'}</option>
                      {(pages?.pixels ?? []).map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                        </option>
                      ))}
                    </SelectField>
                  </div>
                </div>
              )}
              {assets.error && <ErrorBanner error={assets.error} title="Could not read forms and pixels" />}
              <div className="grid-2">
                <div data-field="dailyBudget">
                  <Field label={`Daily budget (${currency})`} error={err('dailyBudget')} hint={budgetMinor != null ? `${formatMoney(budgetMinor, currency)} a day, about ${formatMoney(budgetMinor * 30, currency)} a month` : undefined}>
                    {({ id: fid, describedBy, invalid }) => (
                      <div className="input-affix">
                        <span aria-hidden="true">{currencySymbol(currency)}</span>
                        <input id={fid} className="input" inputMode="decimal" value={f.dailyBudget} onChange={(e) => set('dailyBudget', e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} placeholder={currency === 'JPY' ? '3000' : '25.00'} />
                      </div>
                    )}
                  </Field>
                </div>
                <div data-field="destinationUrl">
                  <TextField label="Destination URL" type="url" value={f.destinationUrl} onChange={(e) => set('destinationUrl', e.target.value)} error={err('destinationUrl')} placeholder="https://example.com/offer" />
                </div>
              </div>
            </div>
          </section>

          <section className="card" aria-labelledby="s2">
            <div className="card-head">
              <h2 id="s2"><span className="step-no">2</span> Audience</h2>
            </div>
            <div className="card-body">
              <div data-field="countries">
                <Field label="Countries" error={err('countries')}>
                  {({ id: fid, describedBy }) => (
                    <CountryPicker
                      id={fid}
                      describedBy={describedBy}
                      value={f.countries}
                      onChange={(v) => set('countries', v)}
                      onProblem={(message) => setLocal((p) => ({ ...p, countries: message }))}
                    />
                  )}
                </Field>
              </div>
              <div className="grid-2">
                <TargetingTypeahead label="Regions" kind="REGION" integrationId={f.integrationId} countryCode={f.countries[0]} value={f.regions} onChange={(v) => set('regions', v)} placeholder="Search states or regions" />
                <TargetingTypeahead label="Cities" kind="CITY" integrationId={f.integrationId} countryCode={f.countries[0]} value={f.cities} onChange={(v) => set('cities', v)} placeholder="Search cities" />
              </div>
              <TargetingTypeahead label="Interests" kind="INTEREST" integrationId={f.integrationId} value={f.interests} onChange={(v) => set('interests', v)} placeholder="Search interests, e.g. yoga" />
              <fieldset className="age-range" data-field="age">
                <legend>Age</legend>
                <label>
                  From
                  <input type="number" className="input input-sm" min={18} max={65} value={f.ageMin} onChange={(e) => set('ageMin', Number(e.target.value))} />
                </label>
                <label>
                  to
                  <input type="number" className="input input-sm" min={18} max={65} value={f.ageMax} onChange={(e) => set('ageMax', Number(e.target.value))} />
                </label>
                <span className="muted small">{f.ageMax >= 65 ? '65+' : ''}</span>
                {err('age') && <p className="field-error">{err('age')}</p>}
              </fieldset>
            </div>
          </section>

          <section className="card" aria-labelledby="s3" data-field="creativeIds" tabIndex={-1}>
            <div className="card-head">
              <h2 id="s3"><span className="step-no">3</span> Creatives</h2>
              <span className="muted small">{f.creativeIds.length} chosen · one ad each</span>
            </div>
            <div className="card-body">
              {err('creativeIds') && <p className="field-error">{err('creativeIds')}</p>}
              {creatives.loading && !creatives.data && <Spinner />}
              {creatives.data && gallery.length === 0 && (
                <EmptyState title="No images yet" action={<Link href="/creatives">Upload creatives</Link>} />
              )}
              <ul className="gallery gallery-compact">
                {gallery.map((c) => (
                  <CreativeCard
                    key={c.id}
                    c={c}
                    selectable
                    selected={f.creativeIds.includes(c.id)}
                    onToggle={() => set('creativeIds', f.creativeIds.includes(c.id) ? f.creativeIds.filter((x) => x !== c.id) : [...f.creativeIds, c.id])}
                  />
                ))}
              </ul>
            </div>
          </section>

          <section className="card" aria-labelledby="s4">
            <div className="card-head">
              <h2 id="s4"><span className="step-no">4</span> Ad copy</h2>
            </div>
            <div className="card-body">
              <div className="generate-row">
                <TextField label="What do you offer?" value={f.niche} onChange={(e) => set('niche', e.target.value)} placeholder="Free roof inspection for homeowners" hint="Guides the copywriter." />
                <Button onClick={generate} busy={gen.busy}>
                  ✦ Generate copy
                </Button>
              </div>
              {gen.error && <ErrorBanner error={gen.error} />}
              {variants.length > 0 && (
                <div className="variants" role="radiogroup" aria-label="Copy variants">
                  {variants.map((v, i) => (
                    <div key={i} className={`variant${picked === i ? ' on' : ''}`}>
                      <label className="variant-pick">
                        <input
                          type="radio"
                          name="variant"
                          checked={picked === i}
                          onChange={() => {
                            setPicked(i);
                            set('adCopy', { ...variants[i] });
                          }}
                        />
                        Variant {i + 1}
                      </label>
                      <CopyEditor
                        idPrefix={`v${i}`}
                        copy={v}
                        errors={picked === i ? { headline: err('headline'), body: err('body'), description: err('description') } : undefined}
                        onChange={(c) => {
                          setVariants((vs) => vs.map((x, j) => (j === i ? c : x)));
                          if (picked === i) set('adCopy', c);
                        }}
                      />
                    </div>
                  ))}
                </div>
              )}
              {err('adCopy') && <p className="field-error" data-field="adCopy">{err('adCopy')}</p>}
              {copyDropped && !f.adCopy && (
                <Banner kind="info">
                  <span data-testid="copy-dropped">The copy the media buyer wrote was for the earlier name, business or audience, so it was dropped: the next preview writes fresh copy.</span>
                </Banner>
              )}
              {variants.length === 0 && f.adCopy && (
                <>
                  <p className="muted small" data-testid="copy-author">
                    {copyAuthorLabel(f.copyBy)}
                    {f.copyBy ? ' · saved on this draft; edit it to make it yours, or change the name, business or audience to have it rewritten.' : ''}
                  </p>
                  <CopyEditor idPrefix="own" copy={f.adCopy} onChange={(c) => set('adCopy', c)} errors={{ headline: err('headline'), body: err('body'), description: err('description') }} />
                </>
              )}
              {variants.length === 0 && !f.adCopy && (
                <p className="muted">
                  Generate variants to review and edit them, or{' '}
                  <button type="button" className="link-button" onClick={() => set('adCopy', { headline: '', body: '', description: '', callToAction: 'LEARN_MORE' })}>
                    write your own
                  </button>
                  . Left empty, the media buyer writes it at launch.
                </p>
              )}
            </div>
          </section>
        </div>

        <aside className="editor-side">
          <section className="card sticky" id="preview" aria-labelledby="s5">
            <div className="card-head">
              <h2 id="s5"><span className="step-no">5</span> Preview and launch</h2>
            </div>
            <div className="card-body">
              <dl className="facts facts-list">
                <div>
                  <dt>Budget</dt>
                  <dd>{budgetMinor != null ? `${formatMoney(budgetMinor, currency)} / day` : '—'}</dd>
                </div>
                <div>
                  <dt>Audience</dt>
                  <dd>
                    {audienceSummary(f)}
                  </dd>
                </div>
                <div>
                  <dt>Ads</dt>
                  <dd>{f.creativeIds.length}</dd>
                </div>
                <div>
                  <dt>Credits</dt>
                  <dd data-testid="credit-cost">
                    {preview ? `${formatInt(preview.creditCost)} of ${formatInt(preview.creditBalance)}` : balance != null ? `balance ${formatInt(balance)}` : '—'}
                  </dd>
                </div>
              </dl>
              {prev.error && <ErrorBanner error={prev.error} />}
              {preview && (
                <ul className="checks" aria-label="Launch checks">
                  {preview.checks.map((c) => (
                    <li key={c.name} className={c.ok ? 'ok' : 'fail'}>
                      <span className="check-icon" aria-hidden="true">{c.ok ? '✓' : '✕'}</span>
                      <div>
                        <div className="check-name">{checkLabel(c.name)}</div>
                        <div className="muted small">{c.message}</div>
                      </div>
                      <span className="visually-hidden">{c.ok ? 'passed' : 'failed'}</span>
                    </li>
                  ))}
                </ul>
              )}
              {preview?.adCopy && <PreviewedCopy copy={preview.adCopy} />}
              {preview && !preview.ok && <Banner kind="warning">Fix the failed checks, then preview again.</Banner>}
              {launch.error && <ErrorBanner error={launch.error} title="Launch refused" />}
            </div>
            <div className="card-foot card-foot-stack">
              <Button type="submit" busy={prev.busy || create.busy || update.busy}>
                {preview ? 'Preview again' : 'Preview launch'}
              </Button>
              <Button variant="primary" disabled={!preview?.ok} busy={launch.busy} onClick={doLaunch}>
                Launch{preview ? ` · ${formatInt(preview.creditCost)} credits` : ''}
              </Button>
            </div>
          </section>
        </aside>
      </form>
    </div>
  );
}

type PreviewedAdCopy = NonNullable<PreviewLaunchMutation['previewLaunch']['adCopy']>;

/** The exact words the dry run checked and the launch sends, with who wrote them. */
export function PreviewedCopy({ copy }: { copy: PreviewedAdCopy }) {
  return (
    <div className="previewed-copy" data-testid="previewed-copy" aria-label="The copy that launches">
      <h3>The copy that launches</h3>
      <p className={`copy-by small${copy.writtenBy ? ' copy-by-agent' : ''}`} data-testid="previewed-copy-author">
        {copyAuthorLabel(copy.writtenBy)}
      </p>
      <dl className="facts facts-list">
        <div>
          <dt>Headline</dt>
          <dd data-testid="previewed-headline">{copy.headline}</dd>
        </div>
        <div>
          <dt>Primary text</dt>
          <dd data-testid="previewed-body">{copy.body}</dd>
        </div>
        <div>
          <dt>Description</dt>
          <dd data-testid="previewed-description">{copy.description || '—'}</dd>
        </div>
        <div>
          <dt>Call to action</dt>
          <dd data-testid="previewed-cta">{ctaLabels[copy.callToAction]}</dd>
        </div>
      </dl>
    </div>
  );
}

/**
 * Scrolls to the first field showing an error, in the order of the page,
 * and focuses its control: a submit never fails without showing why.
 * Runs after React has drawn the errors.
 */
function focusFirstError(): void {
  window.setTimeout(() => {
    const error = document.querySelector<HTMLElement>('.editor-grid .field-error');
    if (!error) return;
    const field = error.closest<HTMLElement>('[data-field]') ?? error.closest<HTMLElement>('.field') ?? error;
    const control = field.querySelector<HTMLElement>('[aria-invalid="true"], input:not([type=hidden]), select, textarea') ?? field;
    field.scrollIntoView?.({ block: 'center' });
    if (control === field && field.tabIndex < 0 && !field.hasAttribute('tabindex')) field.setAttribute('tabindex', '-1');
    control.focus({ preventScroll: true });
  }, 0);
}

/** An incomplete form kept in this browser, per draft ("new" before its first save). */
interface Unsaved {
  at: string;
  form: CampaignForm;
}
const unsavedKey = (id: string | undefined) => `leadforge.unsaved.${id ?? 'new'}`;

function keepUnsaved(id: string | undefined, form: CampaignForm): string {
  const at = new Date().toISOString();
  try {
    localStorage.setItem(unsavedKey(id), JSON.stringify({ at, form } satisfies Unsaved));
  } catch {
    /* storage full or off: the leave guard still protects the work */
  }
  return at;
}

function readUnsaved(id: string | undefined): Unsaved | null {
  try {
    const raw = localStorage.getItem(unsavedKey(id));
    const parsed = raw ? (JSON.parse(raw) as Unsaved) : null;
    return parsed?.form && parsed.at ? parsed : null;
  } catch {
    return null;
  }
}

function forgetUnsaved(id: string | undefined): void {
  try {
    localStorage.removeItem(unsavedKey(id));
  } catch {
    /* nothing kept */
  }
}
