import { useQuery } from '../../api/hooks';
import { AllCampaignsDocument } from '../../gql/graphql';
import { EmptyState, ErrorBanner, NotServed, PageHeader, SkeletonRows } from '../../ui/kit';
import { metrics, objectiveLabel, StatusBadge } from '../campaigns/common';
import { plural } from '../../format';

export default function AllCampaignsScreen() {
  const q = useQuery(AllCampaignsDocument, { first: 100 });
  if (q.error?.notServed) {
    return (
      <div className="page">
        <PageHeader title="All campaigns" />
        <NotServed feature="Campaigns" />
      </div>
    );
  }
  const rows = q.data?.campaigns.edges.map((e) => e.node) ?? [];
  return (
    <div className="page">
      <PageHeader title="All campaigns" subtitle={q.data ? `${plural(q.data.campaigns.totalCount, 'campaign')} across tenants` : 'Every tenant’s campaigns'} />
      {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
      <div className="card table-card">
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Tenant · owner</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Spend</th>
                <th scope="col" className="num">Leads</th>
                <th scope="col" className="num">Cost/lead</th>
              </tr>
            </thead>
            <tbody>
              {q.loading && !q.data && <SkeletonRows cols={6} />}
              {rows.map((c) => {
                const m = metrics(c);
                return (
                  <tr key={c.id}>
                    <td>
                      {c.campaignName}
                      <div className="muted small">{objectiveLabel[c.objective]}</div>
                      {c.errorMessage && <div className="row-error">{c.errorMessage}</div>}
                    </td>
                    <td>
                      {c.owner.tenant.name}
                      <div className="muted small">{c.owner.email}</div>
                    </td>
                    <td>
                      <StatusBadge status={c.status} />
                    </td>
                    <td className="num">{m.spend}</td>
                    <td className="num">{m.leads}</td>
                    <td className="num">{m.cpl}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {q.data && rows.length === 0 && <EmptyState title="No campaigns on the platform yet" />}
      </div>
    </div>
  );
}
