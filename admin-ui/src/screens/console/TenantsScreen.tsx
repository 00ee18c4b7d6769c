import { useMemo, useState } from 'react';
import { useQuery } from '../../api/hooks';
import { formatDate, plural } from '../../format';
import { TenantsDocument, UsersDocument } from '../../gql/graphql';
import { Link } from '../../router';
import type { PauseReport } from '../../guardrails';
import { PauseAll, PauseReportView } from '../PauseAll';
import { EmptyState, ErrorBanner, PageHeader, SkeletonRows } from '../../ui/kit';

export default function TenantsScreen() {
  const tenants = useQuery(TenantsDocument);
  const users = useQuery(UsersDocument, {});
  const [filter, setFilter] = useState('');
  const [report, setReport] = useState<{ scope: string; report: PauseReport } | null>(null);

  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const u of users.data?.users ?? []) m.set(u.tenant.id, (m.get(u.tenant.id) ?? 0) + 1);
    return m;
  }, [users.data]);

  const rows = (tenants.data?.tenants ?? []).filter(
    (t) => !filter || t.name.toLowerCase().includes(filter.toLowerCase()) || t.slug.includes(filter.toLowerCase()),
  );

  return (
    <div className="page">
      <PageHeader
        title="Tenants"
        subtitle={tenants.data ? `${plural(tenants.data.tenants.length, 'tenant')} · ${plural(users.data?.users.length ?? 0, 'user')}` : 'Every organisation on this platform'}
        actions={
          <div className="console-actions">
          <PauseAll scope={{ kind: 'every' }} onDone={(r) => setReport({ scope: 'Every tenant', report: r })} />
          <input
            type="search"
            className="input search"
            placeholder="Filter by name or slug"
            aria-label="Filter tenants"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          </div>
        }
      />
      {report && (
        <PauseReportView scope={report.scope} report={report.report} onClose={() => setReport(null)} />
      )}
      {tenants.error && <ErrorBanner error={tenants.error} onRetry={tenants.refetch} />}
      <div className="card table-card">
        <div className="table-scroll">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">Slug</th>
              <th scope="col" className="num">
                Users
              </th>
              <th scope="col">Created</th>
              <th scope="col">Emergency</th>
            </tr>
          </thead>
          <tbody>
            {tenants.loading && !tenants.data && <SkeletonRows cols={5} />}
            {rows.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link href={`/console/tenants/${t.id}`} className="row-link">
                    {t.name}
                  </Link>
                </td>
                <td className="mono muted">{t.slug}</td>
                <td className="num">{users.data ? counts.get(t.id) ?? 0 : '…'}</td>
                <td>{formatDate(t.createdAt)}</td>
                <td>
                  <PauseAll scope={{ kind: 'tenant', tenantId: t.id, tenantName: t.name }} onDone={(r) => setReport({ scope: t.name, report: r })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
        {tenants.data && rows.length === 0 && (
          <EmptyState title={filter ? 'No tenant matches' : 'No tenants yet'}>
            {filter ? 'Try another name.' : 'Tenants appear here when people sign up.'}
          </EmptyState>
        )}
      </div>
    </div>
  );
}
