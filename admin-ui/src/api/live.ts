import { createClient, type Client } from 'graphql-ws';
import { useEffect, useState } from 'react';
import { source, type Doc } from './client';
import { getToken, onTokenChange, setToken } from './session';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unavailable';

type StatusListener = (s: LiveStatus) => void;
const statusListeners = new Set<StatusListener>();
let status: LiveStatus = 'offline';
let client: Client | null = null;
// Subscriptions mounted now: the status speaks only while something is live.
let active = 0;
// Whether the socket is connected (it outlives the last subscription by a few seconds).
let open = false;

function setStatus(s: LiveStatus) {
  if (s === status) return;
  status = s;
  statusListeners.forEach((l) => l(s));
}

export type LiveEvent = 'connecting' | 'connected' | 'closed' | 'refused' | 'subscribed' | 'unsubscribed';

/**
 * The status after `event`, with `active` subscriptions mounted (after the
 * event) and the socket `open` or not. Nothing live (no subscription) is
 * "offline", whatever the socket does as it winds down; "reconnecting"
 * only after a connection that was live dropped; a first connection that
 * has not succeeded is "connecting".
 */
export function nextStatus(current: LiveStatus, event: LiveEvent, active: number, open: boolean): LiveStatus {
  if (active === 0) return 'offline';
  switch (event) {
    case 'connected':
      return 'live';
    case 'connecting':
      return current === 'live' || current === 'reconnecting' ? 'reconnecting' : 'connecting';
    case 'closed':
      return current === 'live' || current === 'reconnecting' ? 'reconnecting' : current === 'unavailable' ? 'unavailable' : 'connecting';
    case 'refused':
      return 'unavailable';
    case 'subscribed':
      if (current === 'unavailable') return current;
      return open ? 'live' : current === 'offline' ? 'connecting' : current;
    case 'unsubscribed':
      return current;
  }
}

function on(event: LiveEvent) {
  if (event === 'connected') open = true;
  if (event === 'closed' || event === 'connecting') open = false;
  setStatus(nextStatus(status, event, active, open));
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql/ws`;
}

/** One shared graphql-transport-ws connection, reconnecting by itself with back-off. */
export function liveClient(): Client {
  if (client) return client;
  client = createClient({
    url: wsUrl(),
    lazy: true,
    lazyCloseTimeout: 3000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = Math.min(30_000, 1000 * 2 ** Math.min(retries, 5)) * (0.75 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, ms));
    },
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => on('connecting'),
      connected: () => on('connected'),
      closed: (e) => {
        // 4403: the token was refused or expired.
        if ((e as CloseEvent)?.code === 4403) setToken(null);
        on('closed');
      },
    },
  });
  return client;
}

onTokenChange(() => {
  // A new identity needs a new connection.
  client?.dispose();
  client = null;
  setStatus('offline');
});

export function useLiveStatus(): LiveStatus {
  const [s, set] = useState(status);
  useEffect(() => {
    statusListeners.add(set);
    return () => void statusListeners.delete(set);
  }, []);
  return s;
}

/** Subscribes while mounted; `onData` gets each event's data. */
export function useSubscription<R, V>(
  doc: Doc<R, V>,
  variables: V,
  onData: (d: R) => void,
  onError?: (e: unknown) => void,
  enabled = true,
): void {
  const key = JSON.stringify(variables ?? {});
  useEffect(() => {
    if (!enabled) return;
    active += 1;
    on('subscribed');
    const c = liveClient();
    const stop = c.subscribe<R>(
      { query: source(doc as Doc<unknown, unknown>), variables: variables as Record<string, unknown> },
      {
        next: (v) => {
          if (v.errors?.length) {
            // The server refused the subscription itself: it does not serve it (yet), or not to this caller.
            if (v.errors.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')) on('refused');
            onError?.(v.errors);
          }
          if (v.data) onData(v.data as R);
        },
        error: (e) => {
          if (Array.isArray(e)) on('refused');
          onError?.(e);
        },
        complete: () => {},
      },
    );
    return () => {
      stop();
      active -= 1;
      on('unsubscribed');
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, key, enabled]);
}
