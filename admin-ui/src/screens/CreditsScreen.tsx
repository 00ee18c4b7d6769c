import { useState } from 'react';
import { useQuery } from '../api/hooks';
import { formatDateTime, formatInt } from '../format';
import { CreditsDocument, type CreditEntryKind } from '../gql/graphql';
import { Link } from '../router';
import { Badge, Button, EmptyState, ErrorBanner, NotServed, PageHeader, SkeletonRows } from '../ui/kit';

const kind: Record<CreditEntryKind, { label: string; tone: 'green' | 'blue' | 'gray' | 'amber' }> = {
  GRANT: { label: 'Grant', tone: 'green' },
  RESERVE: { label: 'Reserved', tone: 'amber' },
  COMMIT: { label: 'Spent', tone: 'blue' },
  REFUND: { label: 'Refund', tone: 'gray' },
};

export default function CreditsScreen() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const q = useQuery(CreditsDocument, { first: 50, after: cursors[cursors.length - 1] });
  if (q.error?.notServed) {
    return (
      <div className="page">
        <PageHeader title="Credits" />
        <NotServed feature="Credits" />
      </div>
    );
  }
  const conn = q.data?.creditLedger;
  return (
    <div className="page">
      <PageHeader title="Credits" subtitle="Each launch reserves the agent’s cost; a failed launch gives it back." />
      {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
      <div className="kpis">
        <div className="kpi kpi-hero">
          <div className="kpi-label">Balance</div>
          <div className="kpi-value">{q.data ? formatInt(q.data.creditBalance) : '…'} <span className="kpi-unit">credits</span></div>
        </div>
      </div>
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Kind</th>
              <th scope="col">Reason</th>
              <th scope="col">Campaign</th>
              <th scope="col" className="num">Credits</th>
            </tr>
          </thead>
          <tbody>
            {q.loading && !q.data && <SkeletonRows cols={5} />}
            {conn?.edges.map(({ node: e }) => (
              <tr key={e.id}>
                <td className="nowrap">{formatDateTime(e.createdAt)}</td>
                <td>
                  <Badge tone={kind[e.kind].tone}>{kind[e.kind].label}</Badge>
                </td>
                <td>{e.reason ?? '—'}</td>
                <td>{e.campaignId ? <Link href={`/campaigns/${e.campaignId}`}>Open campaign</Link> : '—'}</td>
                <td className={`num ${e.delta < 0 ? 'neg' : e.delta > 0 ? 'pos' : 'muted'}`} title={e.kind === 'COMMIT' ? 'Settles the reserved credits' : undefined}>
                  {e.delta > 0 ? '+' : ''}
                  {formatInt(e.delta)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {conn && conn.edges.length === 0 && <EmptyState title="No credit movements yet" />}
        <div className="pager">
          <span className="muted small">{conn ? `${formatInt(conn.totalCount)} entries` : ''}</span>
          <div className="pager-buttons">
            <Button disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              ← Newer
            </Button>
            <Button disabled={!conn?.pageInfo.hasNextPage} onClick={() => conn && setCursors((c) => [...c, conn.pageInfo.endCursor])}>
              Older →
            </Button>
          </div>
        </div>
      </div>
    </div>
  );
}
