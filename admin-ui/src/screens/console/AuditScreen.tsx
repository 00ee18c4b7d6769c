import { useState } from 'react';
import { useQuery } from '../../api/hooks';
import { formatDateTime, formatInt } from '../../format';
import { AuditEventsDocument } from '../../gql/graphql';
import { Badge, Button, EmptyState, ErrorBanner, PageHeader, SkeletonRows } from '../../ui/kit';

const PAGE = 50;

export default function AuditScreen() {
  // A stack of cursors: page n starts after cursors[n].
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  const q = useQuery(AuditEventsDocument, { first: PAGE, after: cursors[page] });
  const conn = q.data?.auditEvents;
  const from = page * PAGE + 1;
  const to = page * PAGE + (conn?.edges.length ?? 0);

  return (
    <div className="page">
      <PageHeader title="Audit trail" subtitle="Every sign-in, chief-architect action and mutation, newest first. Secrets are never recorded." />
      {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
      <div className="card table-card">
        <table className="table" aria-busy={q.loading}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {q.loading && !q.data && <SkeletonRows cols={5} rows={8} />}
            {conn?.edges.map(({ node: e }) => (
              <tr key={e.id}>
                <td className="nowrap">{formatDateTime(e.at)}</td>
                <td>
                  {e.actor ? (
                    <>
                      <div>{e.actor.email}</div>
                      <div className="muted small">{e.actor.tenant.name}</div>
                    </>
                  ) : (
                    <span className="muted">anonymous</span>
                  )}
                </td>
                <td className="mono">{e.action}</td>
                <td className="mono muted truncate-cell" title={e.target ?? ''}>
                  {e.target ?? '—'}
                </td>
                <td>
                  <Badge tone={/^(ok|success|allowed)/i.test(e.outcome) ? 'green' : /denied|fail|error|refused/i.test(e.outcome) ? 'red' : 'gray'}>
                    {e.outcome}
                  </Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {conn && conn.edges.length === 0 && <EmptyState title="Nothing recorded yet" />}
        <div className="pager">
          <span className="muted small">
            {conn && conn.totalCount > 0 ? `${formatInt(from)}–${formatInt(to)} of ${formatInt(conn.totalCount)}` : ''}
          </span>
          <div className="pager-buttons">
            <Button disabled={page === 0 || q.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
              ← Newer
            </Button>
            <Button
              disabled={!conn?.pageInfo.hasNextPage || q.loading}
              onClick={() => conn && setCursors((c) => [...c, conn.pageInfo.endCursor])}
            >
              Older →
            </Button>
          </div>
        </div>
      </div>
    </div>
  );
}
