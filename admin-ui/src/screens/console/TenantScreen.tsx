import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../../api/hooks';
import { formatDate } from '../../format';
import {
  AgentsDocument,
  CreateUserDocument,
  CreditBalanceDocument,
  GrantCreditsDocument,
  SetTenantAgentDocument,
  TenantsDocument,
  UsersDocument,
  type Provider,
  type Role,
  type UserFieldsFragment,
} from '../../gql/graphql';
import { Link } from '../../router';
import { Badge, Banner, Button, EmptyState, ErrorBanner, NotServed, PageHeader, SelectField, SkeletonRows, Spinner, TextField } from '../../ui/kit';
import { checkEmail, checkNewPassword, hasErrors, type Errors } from '../../validate';
import { fieldErrors } from '../AuthScreen';
import { providerName } from '../IntegrationsScreen';

type UF = 'email' | 'password' | 'role';

export function validateNewUser(v: { email: string; password: string }): Errors<UF> {
  return { email: checkEmail(v.email), password: checkNewPassword(v.password, v.email) };
}

function CreateUserForm({ tenantId, onCreated }: { tenantId: string; onCreated: (u: UserFieldsFragment) => void }) {
  const [v, setV] = useState({ email: '', password: '', role: 'MEMBER' as Role });
  const [local, setLocal] = useState<Errors<UF>>({});
  const m = useMutation(CreateUserDocument);
  const server = fieldErrors(m.error, ['email', 'password', 'role', 'tenantId'] as const);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateNewUser(v);
    setLocal(errs);
    if (hasErrors(errs)) return;
    const d = await m.run({ tenantId, email: v.email.trim(), password: v.password, role: v.role });
    if (d) {
      onCreated(d.createUser);
      setV({ email: '', password: '', role: 'MEMBER' });
    }
  };
  return (
    <form className="card form-card" onSubmit={submit} noValidate aria-labelledby="cu-title">
      <div className="card-head">
        <h2 id="cu-title">Add a user</h2>
      </div>
      <div className="card-body">
        {(server.general.length > 0 || server.fields.tenantId) && (
          <Banner kind="error">{[...server.general, server.fields.tenantId].filter(Boolean).join(' ')}</Banner>
        )}
        <TextField
          label="E-mail"
          name="email"
          type="email"
          value={v.email}
          onChange={(e) => setV({ ...v, email: e.target.value })}
          error={local.email ?? server.fields.email}
        />
        <TextField
          label="Initial password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={v.password}
          onChange={(e) => setV({ ...v, password: e.target.value })}
          error={local.password ?? server.fields.password}
          hint="At least 10 characters; share it with the user over a safe channel."
        />
        <SelectField label="Role" value={v.role} onChange={(e) => setV({ ...v, role: e.target.value as Role })} error={server.fields.role}>
          <option value="MEMBER">Member</option>
          <option value="CHIEF_ARCHITECT">Chief architect (platform tenant only)</option>
        </SelectField>
      </div>
      <div className="card-foot">
        <Button type="submit" variant="primary" busy={m.busy}>
          Create user
        </Button>
      </div>
    </form>
  );
}

/**
 * Agents per tenant. The contract has no query for another tenant's agent
 * settings (`agents` answers for the caller's own tenant), so the state shown
 * is the one this console set, as the server confirmed it.
 */
function AgentToggles({ tenantId }: { tenantId: string }) {
  const agents = useQuery(AgentsDocument);
  const set = useMutation(SetTenantAgentDocument);
  const [known, setKnown] = useState<Record<string, { enabled: boolean; providers: Provider[] }>>({});
  const [providers, setProviders] = useState<Record<string, Provider[]>>({});
  const [saved, setSaved] = useState<string | null>(null);
  if (agents.error?.notServed) return <NotServed feature="Agent settings" />;
  if (agents.loading && !agents.data) return <Spinner />;
  if (agents.error) return <ErrorBanner error={agents.error} onRetry={agents.refetch} />;
  return (
    <ul className="agent-list">
      {agents.data!.agents.map((a) => {
        const k = known[a.key];
        const chosen = providers[a.key] ?? k?.providers ?? (['SANDBOX', 'META_ADS'] as Provider[]);
        const save = async (enabled: boolean) => {
          setSaved(null);
          const d = await set.run({ tenantId, agentKey: a.key, enabled, providers: chosen });
          if (d) {
            setKnown((p) => ({ ...p, [a.key]: { enabled: d.setTenantAgent.enabled, providers: d.setTenantAgent.providers } }));
            setSaved(a.key);
          }
        };
        return (
          <li key={a.key} className="agent-row">
            <div>
              <div className="agent-name">
                {a.name} <span className="muted small">{a.creditCost} credits a launch</span>
              </div>
              <div className="muted small">{a.description}</div>
            </div>
            <div className="agent-state" data-testid={`agent-${a.key}`}>
              {k ? (
                k.enabled ? (
                  <Badge tone="green">Enabled</Badge>
                ) : (
                  <Badge tone="red">Disabled</Badge>
                )
              ) : (
                <Badge tone="gray" title="The API does not report another tenant's agent settings; set them here.">
                  Not read
                </Badge>
              )}
              {saved === a.key && <span className="saved-note">Saved</span>}
            </div>
            <fieldset className="provider-checks">
              <legend className="small muted">Ad platforms it may use</legend>
              {(['SANDBOX', 'META_ADS'] as Provider[]).map((p) => (
                <label key={p} className="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(p)}
                    onChange={(e) =>
                      setProviders((x) => ({ ...x, [a.key]: e.target.checked ? [...chosen, p] : chosen.filter((y) => y !== p) }))
                    }
                  />
                  {providerName[p]}
                </label>
              ))}
            </fieldset>
            <div className="agent-actions">
              <Button variant={k && !k.enabled ? 'primary' : 'secondary'} busy={set.busy} onClick={() => save(true)} aria-label={`Enable ${a.name} for this tenant`}>
                Enable
              </Button>
              <Button variant="ghost" className="danger-text" busy={set.busy} onClick={() => save(false)} aria-label={`Disable ${a.name} for this tenant`}>
                Disable
              </Button>
            </div>
          </li>
        );
      })}
      {set.error && <ErrorBanner error={set.error} />}
    </ul>
  );
}

export function validateGrant(amount: string, reason: string): Errors<'amount' | 'reason'> {
  const n = Number(amount);
  return {
    amount: !/^-?\d+$/.test(amount.trim()) || n === 0 ? 'Enter a whole number of credits (negative to take back).' : undefined,
    reason: reason.trim().length < 3 ? 'Say why, for the ledger and the audit trail.' : undefined,
  };
}

function GrantCredits({ users }: { users: UserFieldsFragment[] }) {
  const [userId, setUserId] = useState(users[0]?.id ?? '');
  const [amount, setAmount] = useState('50');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Errors<'amount' | 'reason'>>({});
  const [done, setDone] = useState<string | null>(null);
  const m = useMutation(GrantCreditsDocument);
  const probe = useQuery(CreditBalanceDocument);
  if (m.error?.notServed || probe.error?.notServed) return <NotServed feature="Granting credits" />;
  const server = fieldErrors(m.error, ['userId', 'amount', 'reason'] as const);
  if (!users.length) return <p className="muted">Add a user first: credits belong to a user.</p>;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateGrant(amount, reason);
    setLocal(errs);
    setDone(null);
    if (hasErrors(errs)) return;
    const d = await m.run({ userId: userId || users[0].id, amount: Number(amount), reason: reason.trim() });
    if (d) {
      setDone(`${d.grantCredits.delta > 0 ? 'Granted' : 'Took back'} ${Math.abs(d.grantCredits.delta)} credits.`);
      setReason('');
    }
  };
  return (
    <form onSubmit={submit} noValidate className="grant-form">
      <SelectField label="User" value={userId} onChange={(e) => setUserId(e.target.value)} error={server.fields.userId}>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.email}
          </option>
        ))}
      </SelectField>
      <TextField label="Credits" name="amount" inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} error={local.amount ?? server.fields.amount} />
      <TextField label="Reason" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} error={local.reason ?? server.fields.reason} placeholder="Pilot top-up" />
      {server.general.length > 0 && <Banner kind="error">{server.general.join(' ')}</Banner>}
      {done && <Banner kind="success">{done}</Banner>}
      <Button type="submit" variant="primary" busy={m.busy}>
        Grant credits
      </Button>
    </form>
  );
}

export default function TenantScreen({ id }: { id: string }) {
  const tenants = useQuery(TenantsDocument);
  const users = useQuery(UsersDocument, { tenantId: id });
  const tenant = tenants.data?.tenants.find((t) => t.id === id);
  const list = users.data?.users ?? [];
  const platform = list.some((u) => u.role === 'CHIEF_ARCHITECT');

  if (tenants.data && !tenant) {
    return <EmptyState title="Tenant not found" action={<Link href="/console">Back to tenants</Link>} />;
  }
  return (
    <div className="page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/console">Tenants</Link> <span aria-hidden="true">/</span> <span>{tenant?.name ?? '…'}</span>
      </nav>
      <PageHeader title={tenant?.name ?? 'Tenant'} subtitle={tenant && <span className="mono">{tenant.slug} · since {formatDate(tenant.createdAt)}</span>} />
      <div className="two-col">
        <div className="stack">
          <section className="card table-card" aria-labelledby="users-title">
            <div className="card-head">
              <h2 id="users-title">Users</h2>
              <span className="muted small">{list.length}</span>
            </div>
            {users.error && <ErrorBanner error={users.error} onRetry={users.refetch} />}
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {users.loading && !users.data && <SkeletonRows cols={3} rows={2} />}
                {list.map((u) => (
                  <tr key={u.id}>
                    <td>{u.email}</td>
                    <td>{u.role === 'CHIEF_ARCHITECT' ? <Badge tone="violet">Chief architect</Badge> : <Badge tone="gray">Member</Badge>}</td>
                    <td>{formatDate(u.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {users.data && !list.length && <EmptyState title="No users in this tenant" />}
          </section>
          {!platform && (
            <section className="card" aria-labelledby="agents-title">
              <div className="card-head">
                <h2 id="agents-title">Agents and ad platforms</h2>
              </div>
              <div className="card-body">
                <AgentToggles tenantId={id} />
              </div>
            </section>
          )}
          {!platform && (
            <section className="card" aria-labelledby="grant-title">
              <div className="card-head">
                <h2 id="grant-title">Grant credits</h2>
              </div>
              <div className="card-body">
                <GrantCredits users={list.filter((u) => u.role === 'MEMBER')} />
              </div>
            </section>
          )}
        </div>
        <CreateUserForm tenantId={id} onCreated={(u) => users.setData((p) => p && { users: [...p.users, u] })} />
      </div>
    </div>
  );
}
