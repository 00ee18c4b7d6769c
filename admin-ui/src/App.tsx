import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { useAuth } from './auth';
import { match, navigate, useLocation } from './router';
import { AuthScreen } from './screens/AuthScreen';
import { Shell } from './screens/Shell';
import { Button, EmptyState, ErrorBanner, Spinner } from './ui/kit';
import { IntegrationsScreen } from './screens/IntegrationsScreen';
import { CreativesScreen } from './screens/CreativesScreen';

const ConsoleTenants = lazy(() => import('./screens/console/TenantsScreen'));
const ConsoleTenant = lazy(() => import('./screens/console/TenantScreen'));
const ConsoleAudit = lazy(() => import('./screens/console/AuditScreen'));
const ConsoleCampaigns = lazy(() => import('./screens/console/AllCampaignsScreen'));
const Dashboard = lazy(() => import('./screens/campaigns/DashboardScreen'));
const CampaignDetail = lazy(() => import('./screens/campaigns/CampaignDetailScreen'));
const CampaignEditor = lazy(() => import('./screens/campaigns/CampaignEditorScreen'));
const Credits = lazy(() => import('./screens/CreditsScreen'));
const Guardrails = lazy(() => import('./screens/GuardrailsScreen'));

type Route = { pattern: string; chief?: boolean; render: (p: Record<string, string>) => ReactNode };

const routes: Route[] = [
  { pattern: '/campaigns', render: () => <Dashboard /> },
  // Keyed, so moving between the editor of one campaign and another's (or a new one) starts a fresh editor.
  { pattern: '/campaigns/new', render: () => <CampaignEditor key="new" /> },
  { pattern: '/campaigns/:id', render: (p) => <CampaignDetail id={p.id} /> },
  { pattern: '/campaigns/:id/edit', render: (p) => <CampaignEditor key={`edit:${p.id}`} id={p.id} /> },
  { pattern: '/creatives', render: () => <CreativesScreen /> },
  { pattern: '/credits', render: () => <Credits /> },
  { pattern: '/settings/ad-platforms', render: () => <IntegrationsScreen /> },
  { pattern: '/settings/spending', render: () => <Guardrails /> },
  { pattern: '/console', chief: true, render: () => <ConsoleTenants /> },
  { pattern: '/console/tenants/:id', chief: true, render: (p) => <ConsoleTenant id={p.id} /> },
  { pattern: '/console/campaigns', chief: true, render: () => <ConsoleCampaigns /> },
  { pattern: '/console/audit', chief: true, render: () => <ConsoleAudit /> },
];

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function App() {
  const { user, checking, error, retry, signOut } = useAuth();
  const { path } = useLocation();

  if (checking) {
    return (
      <div className="boot">
        <Spinner label="Opening Leadforge…" />
      </div>
    );
  }
  if (error && !user) {
    return (
      <div className="boot">
        <div className="boot-error">
          <ErrorBanner title="Leadforge could not load your session" error={error} onRetry={retry} />
          <Button variant="ghost" onClick={signOut}>
            Sign out
          </Button>
        </div>
      </div>
    );
  }
  if (!user) {
    if (path === '/signup') return <AuthScreen mode="signup" />;
    if (path !== '/signin') return <Redirect to={path === '/' ? '/signin' : `/signin?next=${encodeURIComponent(path + window.location.search)}`} />;
    return <AuthScreen mode="signin" />;
  }
  const chief = user.role === 'CHIEF_ARCHITECT';
  const home = chief ? '/console' : '/campaigns';
  if (path === '/' || path === '/signin' || path === '/signup') return <Redirect to={home} />;

  for (const r of routes) {
    const p = match(r.pattern, path);
    if (!p) continue;
    return (
      <Shell>
        <Suspense fallback={<Spinner />}>{r.chief && !chief ? <NotFound /> : r.render(p)}</Suspense>
      </Shell>
    );
  }
  return (
    <Shell>
      <NotFound />
    </Shell>
  );
}

function NotFound() {
  return (
    <EmptyState
      title="Nothing here"
      action={
        <Button variant="primary" onClick={() => navigate('/')}>
          Go to the start page
        </Button>
      }
    >
      This address does not match a page of the admin.
    </EmptyState>
  );
}
