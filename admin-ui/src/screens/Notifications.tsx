import { useCallback, useEffect, useRef, useState } from 'react';
import { request } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { formatAgo, formatDateTime } from '../format';
import { MarkAllNotificationsReadDocument, NotificationsDocument, UnreadNotificationCountDocument } from '../gql/graphql';
import { Link, useLocation } from '../router';
import { Button, EmptyState, ErrorBanner, Spinner } from '../ui/kit';

const POLL_MS = 30_000;

/** The unread count, asked every 30 s and after each navigation; a server without notifications shows no bell. */
function useUnreadCount(path: string): { count: number | null; refresh: () => void } {
  const [count, setCount] = useState<number | null>(null);
  const [served, setServed] = useState(true);
  const refresh = useCallback(() => {
    request(UnreadNotificationCountDocument).then(
      (d) => setCount(d.unreadNotificationCount),
      (e) => {
        if (e?.notServed) setServed(false);
      },
    );
  }, []);
  useEffect(() => {
    if (!served) return;
    refresh();
  }, [path, refresh, served]);
  useEffect(() => {
    if (!served) return;
    const t = window.setInterval(refresh, POLL_MS);
    return () => window.clearInterval(t);
  }, [refresh, served]);
  return { count: served ? count : null, refresh };
}

export function NotificationBell() {
  const { path } = useLocation();
  const { count, refresh } = useUnreadCount(path);
  const [open, setOpen] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => setOpen(false), [path]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onClick);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  if (count == null) return null;
  const label = count ? `Notifications, ${count} unread` : 'Notifications';
  return (
    <div className="bell-wrap" ref={wrap}>
      <button
        ref={button}
        type="button"
        className="btn btn-ghost bell"
        aria-label={label}
        title={label}
        aria-expanded={open}
        aria-controls="notification-panel"
        onClick={() => {
          setOpen((o) => !o);
          refresh();
        }}
      >
        <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {count > 0 && (
          <span className="bell-count" aria-hidden="true" data-testid="unread-count">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && <NotificationPanel onChanged={refresh} />}
    </div>
  );
}

function NotificationPanel({ onChanged }: { onChanged: () => void }) {
  const q = useQuery(NotificationsDocument, { first: 20 });
  const mark = useMutation(MarkAllNotificationsReadDocument);
  const items = q.data?.notifications.edges.map((e) => e.node) ?? [];
  const unread = items.some((n) => !n.readAt);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section id="notification-panel" className="notif-panel" aria-labelledby="notif-title">
      <div className="card-head">
        <h2 id="notif-title" tabIndex={-1} ref={heading}>
          Notifications
        </h2>
        <Button
          variant="ghost"
          disabled={!unread}
          busy={mark.busy}
          onClick={async () => {
            if ((await mark.run({})) != null) {
              await q.refetch();
              onChanged();
            }
          }}
        >
          Mark all read
        </Button>
      </div>
      {q.loading && !q.data && <Spinner />}
      {q.error && <ErrorBanner error={q.error} onRetry={q.refetch} />}
      {mark.error && <ErrorBanner error={mark.error} />}
      {q.data && items.length === 0 && <EmptyState title="Nothing new">Rule firings, token warnings and failed launches show up here.</EmptyState>}
      {items.length > 0 && (
        <ul className="notif-list">
          {items.map((n) => (
            <li key={n.id} className={n.readAt ? undefined : 'unread'} data-notification={n.kind}>
              <div className="notif-title">
                {!n.readAt && <span className="visually-hidden">Unread: </span>}
                {n.title}
              </div>
              <div className="notif-body">{n.body}</div>
              <div className="muted small">
                <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
                  {formatAgo(n.createdAt)}
                </time>
                {n.campaignId && (
                  <>
                    {' · '}
                    <Link href={`/campaigns/${n.campaignId}`}>Open the campaign</Link>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
