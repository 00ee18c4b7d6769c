import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  DeleteIntegrationDocument,
  UpdateIntegrationDocument,
  IntegrationsDocument,
  PlatformAssetsDocument,
  SaveIntegrationDocument,
  SetIntegrationDsaDocument,
  TestIntegrationDocument,
  type IntegrationFieldsFragment,
  type Provider,
} from '../gql/graphql';
import { formatAgo, formatDateTime } from '../format';
import { useLocation } from '../router';
import { Badge, Banner, Button, ConfirmDialog, EmptyState, ErrorBanner, PageHeader, SelectField, Spinner, TextField } from '../ui/kit';
import { checkAdAccount, checkToken, hasErrors, type Errors } from '../validate';
import { fieldErrors } from './AuthScreen';

type PageRef = { id: string; name: string };

export const providerName: Record<Provider, string> = { META_ADS: 'Meta Ads', SANDBOX: 'Sandbox' };

export function statusBadge(s: IntegrationFieldsFragment['status']) {
  if (s === 'VERIFIED') return <Badge tone="green">Verified</Badge>;
  if (s === 'INVALID') return <Badge tone="red">Invalid</Badge>;
  return <Badge tone="gray">Not tested</Badge>;
}

type F = 'provider' | 'accessToken' | 'adAccountId';

export function validateIntegration(v: { accessToken: string; adAccountId: string }): Errors<F> {
  return { accessToken: checkToken(v.accessToken), adAccountId: checkAdAccount(v.adAccountId) };
}

/** Tokens typed in this tab, by integration id: kept in memory only, so a Page can be chosen without pasting again. */
const recentTokens = new Map<string, string>();

function ConnectForm({ onSaved }: { onSaved: (i: IntegrationFieldsFragment) => void }) {
  const [provider, setProvider] = useState<Provider>('META_ADS');
  const [accessToken, setToken] = useState('');
  const [adAccountId, setAccount] = useState('');
  const [local, setLocal] = useState<Errors<F>>({});
  const save = useMutation(SaveIntegrationDocument);
  const server = fieldErrors(save.error, ['provider', 'accessToken', 'adAccountId'] as const);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateIntegration({ accessToken, adAccountId });
    setLocal(errs);
    if (hasErrors(errs)) return;
    const d = await save.run({ provider, accessToken: accessToken.trim(), adAccountId: adAccountId.trim() });
    if (d) {
      recentTokens.set(d.saveIntegration.id, accessToken.trim());
      setToken('');
      setAccount('');
      onSaved(d.saveIntegration);
    }
  };

  return (
    <form className="card form-card" onSubmit={submit} noValidate aria-labelledby="connect-title">
      <div className="card-head">
        <h2 id="connect-title">Connect an ad account</h2>
      </div>
      <div className="card-body">
        {server.general.length > 0 && <Banner kind="error">{server.general.join(' ')}</Banner>}
        <fieldset className="segmented-field">
          <legend>Platform</legend>
          <div className="segmented" role="radiogroup">
            {(['META_ADS', 'SANDBOX'] as Provider[]).map((p) => (
              <label key={p} className={`segment${provider === p ? ' on' : ''}`}>
                <input type="radio" name="provider" value={p} checked={provider === p} onChange={() => setProvider(p)} />
                {providerName[p]}
              </label>
            ))}
          </div>
          {server.fields.provider && <p className="field-error">{server.fields.provider}</p>}
          <p className="field-hint">
            {provider === 'SANDBOX'
              ? 'The Sandbox simulates Meta offline: any token works (“invalid” and “expired” fail on purpose).'
              : 'Use a system-user token: “Connect Meta: what you need” lists the app, token and permissions.'}
          </p>
        </fieldset>
        <div className="grid-2">
          <TextField
            label="Access token"
            name="accessToken"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={accessToken}
            onChange={(e) => {
              setToken(e.target.value);
              setLocal((p) => ({ ...p, accessToken: undefined }));
            }}
            error={local.accessToken ?? server.fields.accessToken}
            hint="Stored encrypted; only its last 4 characters are shown afterwards."
          />
          <TextField
            label="Ad account id"
            name="adAccountId"
            autoComplete="off"
            spellCheck={false}
            placeholder="act_1234567890"
            value={adAccountId}
            onChange={(e) => {
              setAccount(e.target.value);
              setLocal((p) => ({ ...p, adAccountId: undefined }));
            }}
            error={local.adAccountId ?? server.fields.adAccountId}
          />
        </div>
      </div>
      <div className="card-foot">
        <Button type="submit" variant="primary" busy={save.busy}>
          Save and test connection
        </Button>
      </div>
    </form>
  );
}

function Assets({ integration }: { integration: IntegrationFieldsFragment }) {
  const q = useQuery(PlatformAssetsDocument, { integrationId: integration.id });
  if (q.loading && !q.data) return <Spinner label="Reading pages, pixels and lead forms…" />;
  if (q.error) return <ErrorBanner title="Could not read the account’s assets" error={q.error} onRetry={q.refetch} />;
  const a = q.data!.platformAssets;
  const list = (items: { id: string; name: string }[], empty: string) =>
    items.length ? (
      <ul className="asset-list">
        {items.map((i) => (
          <li key={i.id}>
            {i.name} <span className="mono muted">{i.id}</span>
          </li>
        ))}
      </ul>
    ) : (
      <p className="muted">{empty}</p>
    );
  return (
    <div className="assets">
      <div>
        <h4>Pixels</h4>
        {list(a.pixels, 'No pixels on this ad account.')}
      </div>
      <div>
        <h4>Lead forms</h4>
        {list(
          a.leadForms.filter((f) => !integration.pageId || !f.pageId || f.pageId === integration.pageId),
          integration.pageId ? 'No instant forms on this Page.' : 'Choose a Page to see its instant forms.',
        )}
      </div>
    </div>
  );
}

function PagePicker({
  integration,
  pages,
  onSaved,
}: {
  integration: IntegrationFieldsFragment;
  pages: PageRef[];
  onSaved: (i: IntegrationFieldsFragment) => void;
}) {
  const [pageId, setPageId] = useState(integration.pageId ?? pages[0]?.id ?? '');
  const [token, setToken] = useState('');
  const save = useMutation(SaveIntegrationDocument);
  const known = recentTokens.get(integration.id);
  const server = fieldErrors(save.error, ['pageId', 'accessToken'] as const);
  if (!pages.length) return <p className="muted">This token may not advertise as any Page. Meta needs one for lead ads.</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const accessToken = known ?? token.trim();
    if (!accessToken) return;
    const d = await save.run({ provider: integration.provider, adAccountId: integration.adAccountId, accessToken, pageId });
    if (d) {
      recentTokens.set(d.saveIntegration.id, accessToken);
      onSaved(d.saveIntegration);
    }
  };
  return (
    <form className="page-picker" onSubmit={submit}>
      <SelectField label="Facebook Page the ads run as" value={pageId} onChange={(e) => setPageId(e.target.value)} error={server.fields.pageId}>
        {pages.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name} ({p.id})
          </option>
        ))}
      </SelectField>
      {!known && (
        <TextField
          label="Access token (to confirm)"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          error={server.fields.accessToken}
          hint="The stored token is never sent back to the browser; paste it again to change the Page."
        />
      )}
      {server.general.length > 0 && <Banner kind="error">{server.general.join(' ')}</Banner>}
      <Button type="submit" busy={save.busy} disabled={pageId === integration.pageId && !!integration.pageId}>
        {integration.pageId === pageId ? 'Page in use' : 'Use this Page'}
      </Button>
    </form>
  );
}

/**
 * Who the ads reaching the EU name as beneficiary and payor (the Digital
 * Services Act). Both or neither: empty, the ad account's defaults apply,
 * else Meta's recommendation.
 */
function DsaSettings({ integration, onSaved }: { integration: IntegrationFieldsFragment; onSaved: (i: IntegrationFieldsFragment) => void }) {
  const [beneficiary, setBeneficiary] = useState(integration.dsaBeneficiary ?? '');
  const [payor, setPayor] = useState(integration.dsaPayor ?? '');
  const save = useMutation(SetIntegrationDsaDocument);
  const server = fieldErrors(save.error, ['dsaBeneficiary', 'dsaPayor'] as const);
  const unchanged = beneficiary.trim() === (integration.dsaBeneficiary ?? '') && payor.trim() === (integration.dsaPayor ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const d = await save.run({ id: integration.id, dsaBeneficiary: beneficiary.trim() || null, dsaPayor: payor.trim() || null });
    if (d) onSaved(d.setIntegrationDsa);
  };
  return (
    <form className="dsa-settings" onSubmit={submit} aria-label="EU beneficiary and payor">
      <p className="muted small">
        Ads reaching the EU (and its outermost regions) must name who benefits from them and who pays for them. Leave both empty to use the ad
        account’s defaults, or Meta’s suggestion.
      </p>
      <div className="grid-2">
        <TextField label="Beneficiary (EU)" value={beneficiary} onChange={(e) => setBeneficiary(e.target.value)} error={server.fields.dsaBeneficiary} maxLength={200} />
        <TextField label="Payor (EU)" value={payor} onChange={(e) => setPayor(e.target.value)} error={server.fields.dsaPayor} maxLength={200} />
      </div>
      {server.general.length > 0 && <Banner kind="error">{server.general.join(' ')}</Banner>}
      <Button type="submit" busy={save.busy} disabled={unchanged}>
        Save beneficiary and payor
      </Button>
    </form>
  );
}

function IntegrationCard({
  integration,
  autoTest,
  onChange,
  onDeleted,
}: {
  integration: IntegrationFieldsFragment;
  autoTest: boolean;
  onChange: (i: IntegrationFieldsFragment) => void;
  onDeleted: () => void;
}) {
  const test = useMutation(TestIntegrationDocument);
  const del = useMutation(DeleteIntegrationDocument);
  const update = useMutation(UpdateIntegrationDocument);
  const [replacing, setReplacing] = useState(false);
  const [newToken, setNewToken] = useState('');
  const [tokenError, setTokenError] = useState<string | undefined>();
  const replaceToken = async (e: FormEvent) => {
    e.preventDefault();
    if (!newToken.trim()) {
      setTokenError('Paste the new access token.');
      return;
    }
    const d = await update.run({ id: integration.id, accessToken: newToken.trim() });
    if (d) {
      setResult({ ok: d.updateIntegration.ok, message: d.updateIntegration.message, pages: d.updateIntegration.pages });
      onChange(d.updateIntegration.integration);
      setNewToken('');
      setReplacing(false);
    }
  };
  const updateErr = fieldErrors(update.error, ['accessToken'] as const);
  const [result, setResult] = useState<{ ok: boolean; message: string; pages: PageRef[] } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const tested = useRef(false);

  const runTest = async () => {
    const d = await test.run({ id: integration.id });
    if (d) {
      setResult({ ok: d.testIntegration.ok, message: d.testIntegration.message, pages: d.testIntegration.pages });
      onChange(d.testIntegration.integration);
    }
  };
  useEffect(() => {
    if (autoTest && !tested.current) {
      tested.current = true;
      void runTest();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoTest]);

  const i = integration;
  const pageName = result?.pages.find((p) => p.id === i.pageId)?.name;
  return (
    <article className="card integration" aria-label={`${providerName[i.provider]} ${i.adAccountId}`}>
      <div className="card-head">
        <div className="integration-title">
          <span className={`provider-mark provider-${i.provider.toLowerCase()}`} aria-hidden="true">
            {i.provider === 'META_ADS' ? 'f' : 'S'}
          </span>
          <div>
            <h3>{i.accountName ?? i.adAccountId}</h3>
            <div className="muted small">
              {providerName[i.provider]} · <span className="mono">{i.adAccountId}</span>
            </div>
          </div>
        </div>
        {statusBadge(i.status)}
      </div>
      <div className="card-body">
        <dl className="facts">
          <div>
            <dt>Currency</dt>
            <dd>{i.currency ?? '—'}</dd>
          </div>
          <div>
            <dt>Token</dt>
            <dd className="mono">•••• {i.tokenLast4}</dd>
          </div>
          <div>
            <dt>Page</dt>
            <dd className={pageName ? undefined : 'mono'} title={i.pageId ?? undefined}>
              {pageName ?? i.pageId ?? 'none chosen'}
            </dd>
          </div>
          <div>
            <dt>Last verified</dt>
            <dd title={formatDateTime(i.lastVerifiedAt)}>{formatAgo(i.lastVerifiedAt)}</dd>
          </div>
        </dl>
        {replacing && (
          <form className="subsection replace-token" onSubmit={replaceToken} noValidate aria-label="Replace the access token">
            <TextField
              label="New access token"
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={newToken}
              onChange={(e) => {
                setNewToken(e.target.value);
                setTokenError(undefined);
              }}
              error={tokenError ?? updateErr.fields.accessToken}
              hint="Replaces the token in place: the ad account, Page and campaigns stay. It is tested at once."
            />
            {updateErr.general.length > 0 && <ErrorBanner title="The token was not replaced" error={update.error} />}
            <div className="row-gap">
              <Button type="submit" variant="primary" busy={update.busy}>
                Save and test
              </Button>
              <Button variant="ghost" onClick={() => setReplacing(false)}>
                Cancel
              </Button>
            </div>
          </form>
        )}
        {test.busy && <Spinner label="Asking the platform…" />}
        {test.error && <ErrorBanner title="Test connection failed" error={test.error} />}
        {result && !test.busy && (
          <Banner kind={result.ok ? 'success' : 'error'}>
            <strong>{result.ok ? 'Connection works' : 'The platform refused the connection'}</strong>
            <p>{result.message}</p>
          </Banner>
        )}
        {!result && i.lastError && i.status === 'INVALID' && (
          <Banner kind="error">
            <strong>Last test failed</strong>
            <p>{i.lastError}</p>
          </Banner>
        )}
        {result?.ok && (
          <div className="subsection">
            <PagePicker
              integration={i}
              pages={result.pages}
              onSaved={(n) => {
                // New credentials are unverified until tested again: test at once.
                onChange(n);
                void runTest();
              }}
            />
          </div>
        )}
        {i.status === 'VERIFIED' && (
          <div className="subsection">
            <Assets key={`${i.pageId}-${i.updatedAt}`} integration={i} />
          </div>
        )}
        <div className="subsection">
          <DsaSettings key={`${i.dsaBeneficiary}-${i.dsaPayor}`} integration={i} onSaved={onChange} />
        </div>
      </div>
      <div className="card-foot">
        <Button onClick={runTest} busy={test.busy}>
          Test connection
        </Button>
        {!replacing && (
          <Button variant="ghost" onClick={() => setReplacing(true)}>
            Replace token…
          </Button>
        )}
        <Button variant="ghost" className="danger-text" onClick={() => setConfirm(true)}>
          Delete…
        </Button>
      </div>
      <ConfirmDialog
        open={confirm}
        title="Delete this connection?"
        confirmLabel="Delete connection"
        danger
        busy={del.busy}
        error={del.error}
        onCancel={() => {
          setConfirm(false);
          del.reset();
        }}
        onConfirm={async () => {
          const d = await del.run({ id: i.id });
          if (d) {
            setConfirm(false);
            onDeleted();
          }
        }}
      >
        <p>
          The encrypted token for <strong>{i.accountName ?? i.adAccountId}</strong> is erased. Campaigns already running on
          the platform keep running there.
        </p>
      </ConfirmDialog>
    </article>
  );
}

export function IntegrationsScreen() {
  const q = useQuery(IntegrationsDocument);
  const { query } = useLocation();
  const [justSaved, setJustSaved] = useState<string | null>(null);
  const list = q.data?.integrations ?? [];

  const replace = (i: IntegrationFieldsFragment) =>
    q.setData((p) => {
      if (!p) return p;
      const rest = p.integrations.filter((x) => x.id !== i.id);
      return { integrations: [i, ...rest].sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
    });

  return (
    <div className="page">
      <PageHeader
        title="Ad platforms"
        subtitle="The ad accounts the media buyer launches on. Tokens are encrypted at rest and never shown again."
      />
      {query.get('welcome') && list.length === 0 && (
        <Banner kind="info">
          <strong>Welcome to Leadforge.</strong> Connect an ad account first; the Sandbox lets you try everything offline.
        </Banner>
      )}
      <div className="integrations-layout">
        <section aria-label="Connected accounts" className="stack">
          {q.loading && !q.data && <Spinner label="Loading connections…" />}
          {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
          {q.data && list.length === 0 && (
            <div className="card">
              <EmptyState title="No ad account connected" icon="⚙">
                Add your Meta ad account (or the Sandbox) with the form. The media buyer needs one to launch.
              </EmptyState>
            </div>
          )}
          {list.map((i) => (
            <IntegrationCard
              key={i.id}
              integration={i}
              autoTest={justSaved === i.id}
              onChange={replace}
              onDeleted={() => q.setData((p) => p && { integrations: p.integrations.filter((x) => x.id !== i.id) })}
            />
          ))}
        </section>
        <div className="stack connect-column">
          <ConnectForm
            onSaved={(i) => {
              replace(i);
              setJustSaved(i.id);
            }}
          />
          <ConnectMetaHelp />
        </div>
      </div>
    </div>
  );
}

/** The Meta permissions Leadforge asks for, each with what it is for. */
export const metaPermissions: [string, string][] = [
  ['ads_management', 'create, pause and resume campaigns, ad sets and ads'],
  ['ads_read', 'read spend, results and delivery for the dashboard'],
  ['business_management', 'reach ad accounts and Pages owned by your Business Manager'],
  ['pages_show_list', 'list the Pages the ads can run as'],
  ['pages_read_engagement', 'read the chosen Page'],
  ['pages_manage_ads', 'run ads as the Page, and its instant forms'],
  ['leads_retrieval', 'receive the leads of instant forms'],
];

/** What connecting Meta takes, step by step: which app, which token, which permissions. */
export function ConnectMetaHelp() {
  return (
    <section className="card help-card" aria-labelledby="meta-help-title" data-testid="connect-meta-help">
      <div className="card-head">
        <h2 id="meta-help-title">Connect Meta: what you need</h2>
      </div>
      <div className="card-body">
        <ol className="help-steps">
          <li>
            <strong>An app.</strong> A Meta app of type <em>Business</em> at developers.facebook.com, with the{' '}
            <em>Marketing API</em> product added, owned by the Business Manager that owns the ad account and the Page.
          </li>
          <li>
            <strong>A system-user token (recommended).</strong> In Business settings → Users → System users, add a
            system user, assign it the ad account (manage campaigns) and the Page (create ads), then <em>Generate new
            token</em> for your app with the permissions below and expiry <em>Never</em>. A personal user token works
            too, but expires within about 60 days and stops with that person&apos;s access.
          </li>
          <li>
            <strong>These permissions</strong> on the token:
            <ul className="perm-list">
              {metaPermissions.map(([p, why]) => (
                <li key={p}>
                  <code>{p}</code> — {why}
                </li>
              ))}
            </ul>
          </li>
          <li>
            <strong>The ad account id</strong> from Ads Manager, such as <code>act_1234567890</code>. Save and test: the
            test names any missing permission, then you pick the Page the ads run as.
          </li>
        </ol>
        <p className="muted small">
          A token that expired or was rotated is replaced in place with <em>Replace token…</em> on its account: the Page
          and the campaigns stay.
        </p>
      </div>
    </section>
  );
}
