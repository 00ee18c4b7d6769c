import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useLiveStatus } from '../api/live';
import { useAuth, useUser } from '../auth';
import { Link, navigate, useLocation } from '../router';
import { NotificationBell } from './Notifications';

interface NavItem {
  href: string;
  label: string;
  icon: string;
  exact?: boolean;
  /** starts a new group in the sidebar */
  section?: string;
}

const memberNav: NavItem[] = [
  { href: '/campaigns', label: 'Campaigns', icon: '▤', exact: true },
  { href: '/campaigns/new', label: 'New campaign', icon: '+' },
  { href: '/creatives', label: 'Creatives', icon: '▦' },
  { href: '/credits', label: 'Credits', icon: '◎' },
  { href: '/settings/ad-platforms', label: 'Ad platforms', icon: '⚙', section: 'Settings' },
  { href: '/settings/spending', label: 'Spending limits', icon: '▣' },
];

const chiefNav: NavItem[] = [
  { href: '/console', label: 'Tenants', icon: '▥' },
  { href: '/console/campaigns', label: 'All campaigns', icon: '▤' },
  { href: '/console/audit', label: 'Audit trail', icon: '☰' },
  { href: '/settings/spending', label: 'Budget policy', icon: '▣', section: 'Settings' },
];

function isActive(item: NavItem, path: string): boolean {
  if (item.href === '/console') return path === '/console' || path.startsWith('/console/tenants');
  if (item.exact) return path === item.href || (/^\/campaigns\/(?!new)/.test(path) && item.href === '/campaigns');
  return path === item.href || path.startsWith(item.href + '/');
}

export function LiveIndicator() {
  const s = useLiveStatus();
  if (s === 'offline') return null;
  const label = { live: 'Live', connecting: 'Connecting', reconnecting: 'Reconnecting…', offline: 'Idle', unavailable: 'Not live' }[s];
  const title = {
    live: 'Updates arrive as they happen',
    connecting: 'Opening the live connection',
    reconnecting: 'The live connection dropped; reconnecting by itself',
    offline: 'No live view open',
    unavailable: 'This server does not stream campaign updates yet',
  }[s];
  return (
    <span className={`live live-${s}`} title={title} role="status" aria-live="polite">
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const user = useUser();
  const { signOut } = useAuth();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const chief = user.role === 'CHIEF_ARCHITECT';
  const nav = chief ? chiefNav : memberNav;
  // A new page moves keyboard and screen-reader focus to its content (not on the first render).
  const first = useRef(true);
  useEffect(() => {
    // Any navigation closes the phone drawer (links, Back, a redirect).
    setOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <div className={`shell${open ? ' nav-open' : ''}`}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="logo-mark" aria-hidden="true">
            L
          </span>
          <div>
            <div className="brand-name">Leadforge</div>
            <div className="brand-sub">{chief ? 'Platform console' : user.tenant.name}</div>
          </div>
        </div>
        <nav>
          <div className="nav-section">{chief ? 'Console' : 'Media buyer'}</div>
          <ul>
            {nav.map((item) => {
              const active = isActive(item, path);
              return (
                <li key={item.href}>
                  {item.section && <div className="nav-section">{item.section}</div>}
                  <Link
                    href={item.href}
                    className={`nav-link${active ? ' active' : ''}`}
                    aria-current={active ? 'page' : undefined}
                    onClick={() => setOpen(false)}
                  >
                    <span className="nav-icon" aria-hidden="true">
                      {item.icon}
                    </span>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <div className="user-chip" title={user.email}>
            <span className="avatar" aria-hidden="true">
              {user.email.slice(0, 1).toUpperCase()}
            </span>
            <div className="user-meta">
              <div className="user-email">{user.email}</div>
              <div className="user-role">{chief ? 'Chief architect' : 'Member'}</div>
            </div>
          </div>
          <button
            type="button"
            className="btn btn-ghost btn-block"
            onClick={() => {
              signOut();
              navigate('/signin', { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </aside>
      {open && <button type="button" className="nav-scrim" aria-label="Close the menu" onClick={() => setOpen(false)} />}
      <div className="main-col">
        <header className="topbar">
          <button
            type="button"
            className="btn btn-ghost nav-toggle"
            aria-expanded={open}
            aria-label="Menu"
            onClick={() => setOpen((o) => !o)}
          >
            ☰
          </button>
          <div className="topbar-title">{chief ? 'Platform console' : user.tenant.name}</div>
          <LiveIndicator />
          <NotificationBell />
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
