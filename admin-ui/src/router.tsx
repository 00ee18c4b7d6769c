import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** A tiny history router: the server answers every path with index.html. */
type Listener = () => void;
const listeners = new Set<Listener>();

/** Asked before the app leaves the current page; false keeps the user here. */
let leaveGuard: (() => boolean) | null = null;
// Where the app is, to return to when the guard refuses a Back.
let here = window.location.pathname + window.location.search;

export function navigate(to: string, opts?: { replace?: boolean }): void {
  if (to === window.location.pathname + window.location.search) return;
  if (leaveGuard && !leaveGuard()) return;
  if (opts?.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  here = to;
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  if (leaveGuard && !leaveGuard()) {
    // Back or forward was already applied to the address: undo it.
    window.history.pushState(null, '', here);
    return;
  }
  here = window.location.pathname + window.location.search;
  listeners.forEach((l) => l());
});

/**
 * While `dirty`, leaving asks first: in-app links and Back with a
 * confirmation, a reload or a closed tab with the browser's own prompt.
 */
export function useLeaveGuard(dirty: boolean, question = 'You have unsaved changes. Leave this page and lose them?'): void {
  useEffect(() => {
    if (!dirty) return;
    const guard = () => window.confirm(question);
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Chromium shows its own text; the value only has to be set.
      e.returnValue = '';
    };
    leaveGuard = guard;
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      if (leaveGuard === guard) leaveGuard = null;
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, [dirty, question]);
}

/** Records an address change made without navigate() (replaceState after a first save). */
export function replaced(to: string): void {
  window.history.replaceState(null, '', to);
  here = to;
}

function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}
const snapshot = () => window.location.pathname + window.location.search;

export function useLocation(): { path: string; query: URLSearchParams } {
  // useSyncExternalStore re-checks after subscribing: a navigate() from a child's effect is never missed.
  useSyncExternalStore(subscribe, snapshot);
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Matches "/campaigns/:id" against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
