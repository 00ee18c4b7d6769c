import { createClient, type Client } from 'graphql-ws';
import { useEffect, useState } from 'react';
import { source, type Doc } from './client';
import { getToken, onTokenChange, setToken } from './session';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'unavailable';

type StatusListener = (s: LiveStatus) => void;
const statusListeners = new Set<StatusListener>();
let status: LiveStatus = 'offline';
let client: Client | null = null;

function setStatus(s: LiveStatus) {
  status = s;
  statusListeners.forEach((l) => l(s));
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
      connecting: () => setStatus(status === 'live' || status === 'reconnecting' ? 'reconnecting' : 'connecting'),
      connected: () => setStatus('live'),
      closed: (e) => {
        // 4403: the token was refused or expired.
        if ((e as CloseEvent)?.code === 4403) setToken(null);
        setStatus(status === 'offline' ? 'offline' : 'reconnecting');
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
    const c = liveClient();
    const stop = c.subscribe<R>(
      { query: source(doc as Doc<unknown, unknown>), variables: variables as Record<string, unknown> },
      {
        next: (v) => {
          if (v.errors?.length) {
            // The server refused the subscription itself: it does not serve it (yet), or not to this caller.
            if (v.errors.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')) setStatus('unavailable');
            onError?.(v.errors);
          }
          if (v.data) onData(v.data as R);
        },
        error: (e) => {
          if (Array.isArray(e)) setStatus('unavailable');
          onError?.(e);
        },
        complete: () => {},
      },
    );
    return () => stop();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, key, enabled]);
}
