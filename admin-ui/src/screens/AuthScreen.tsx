import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors';
import { useMutation } from '../api/hooks';
import { useAuth } from '../auth';
import { SignInDocument, SignUpDocument } from '../gql/graphql';
import { Link, navigate } from '../router';
import { Banner, Button, TextField } from '../ui/kit';
import { checkEmail, checkNewPassword, checkTenantName, hasErrors, type Errors } from '../validate';

type Mode = 'signin' | 'signup';
type F = 'email' | 'password' | 'tenantName';

export function validateAuth(mode: Mode, v: Record<F, string>): Errors<F> {
  // In the order of the form, so the first error gets the focus.
  if (mode === 'signup') {
    return { tenantName: checkTenantName(v.tenantName), email: checkEmail(v.email), password: checkNewPassword(v.password, v.email) };
  }
  const e: Errors<F> = { email: checkEmail(v.email) };
  if (!v.password) e.password = 'Enter your password.';
  return e;
}

/** Server errors at their field (extensions.field); the rest above the form. */
export function fieldErrors<K extends string>(err: ApiError | undefined, fields: readonly K[]): { fields: Errors<K>; general: string[] } {
  if (!err) return { fields: {}, general: [] };
  const out: Errors<K> = {};
  const general: string[] = [];
  for (const e of err.errors) {
    if (e.field && (fields as readonly string[]).includes(e.field)) out[e.field as K] = e.message;
    else if (e.code === 'CONFLICT' && /e-?mail/i.test(e.message) && (fields as readonly string[]).includes('email')) out['email' as K] = e.message;
    else general.push(e.retryAfterSeconds ? `${e.message} (try again in ${Math.ceil(e.retryAfterSeconds)} s)` : e.message);
  }
  return { fields: out, general };
}

export function AuthScreen({ mode }: { mode: Mode }) {
  const { signedIn } = useAuth();
  const [v, setV] = useState<Record<F, string>>({ email: '', password: '', tenantName: '' });
  const [local, setLocal] = useState<Errors<F>>({});
  const signIn = useMutation(SignInDocument);
  const signUp = useMutation(SignUpDocument);
  const m = mode === 'signin' ? signIn : signUp;
  const server = fieldErrors(m.error, ['email', 'password', 'tenantName'] as const);
  const err = (k: F) => local[k] ?? server.fields[k];

  const set = (k: F) => (e: { target: { value: string } }) => {
    setV((p) => ({ ...p, [k]: e.target.value }));
    setLocal((p) => ({ ...p, [k]: undefined }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateAuth(mode, v);
    setLocal(errs);
    if (hasErrors(errs)) {
      const first = (Object.keys(errs) as F[]).find((k) => errs[k]);
      document.querySelector<HTMLInputElement>(`[name="${first}"]`)?.focus();
      return;
    }
    if (mode === 'signin') {
      const d = await signIn.run({ email: v.email.trim(), password: v.password });
      if (d) {
        signedIn(d.signIn.token, d.signIn.user);
        // Back where the session ended (a same-site path only).
        const next = new URLSearchParams(window.location.search).get('next');
        navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      }
    } else {
      const d = await signUp.run({ email: v.email.trim(), password: v.password, tenantName: v.tenantName.trim() });
      if (d) {
        signedIn(d.signUp.token, d.signUp.user);
        navigate('/settings/ad-platforms?welcome=1', { replace: true });
      }
    }
  };

  return (
    <div className="auth-page">
      <div className="auth-brand">
        <span className="logo-mark" aria-hidden="true">L</span>
        <span>Leadforge</span>
      </div>
      <main className="auth-card">
        <h1>{mode === 'signin' ? 'Sign in' : 'Create your workspace'}</h1>
        <p className="muted">
          {mode === 'signin'
            ? 'Launch and watch your lead campaigns.'
            : 'Connect your ad account, upload creatives and let the media buyer launch campaigns.'}
        </p>
        {server.general.length > 0 && (
          <Banner kind="error">
            {server.general.map((g, i) => (
              <p key={i}>{g}</p>
            ))}
          </Banner>
        )}
        <form onSubmit={submit} noValidate>
          {mode === 'signup' && (
            <TextField
              label="Organisation"
              name="tenantName"
              autoComplete="organization"
              value={v.tenantName}
              onChange={set('tenantName')}
              error={err('tenantName')}
              placeholder="Acme Growth"
            />
          )}
          <TextField
            label="Work e-mail"
            name="email"
            type="email"
            autoComplete="email"
            value={v.email}
            onChange={set('email')}
            error={err('email')}
            autoFocus
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
            value={v.password}
            onChange={set('password')}
            error={err('password')}
            hint={mode === 'signup' ? 'At least 10 characters. A passphrase works well.' : undefined}
          />
          <Button type="submit" variant="primary" className="btn-block" busy={m.busy}>
            {mode === 'signin' ? 'Sign in' : 'Create workspace'}
          </Button>
        </form>
        <p className="auth-switch">
          {mode === 'signin' ? (
            <>
              New to Leadforge? <Link href="/signup">Create a workspace</Link>
            </>
          ) : (
            <>
              Already have an account? <Link href="/signin">Sign in</Link>
            </>
          )}
        </p>
      </main>
    </div>
  );
}
