import type { CampaignRowFragment } from './gql/graphql';

/** Snapshot points as the chart needs them. */
export interface Snap {
  capturedAt: string;
  impressions: number;
  clicks: number;
  spendCents: number;
  leads: number;
}

export interface LiveState {
  byId: Record<string, CampaignRowFragment>;
  /** newest first, as the server lists them */
  order: string[];
  snapshots: Record<string, Snap[]>;
  /** ids whose last event changed their numbers: the row flashes */
  changed: Record<string, number>;
}

export type LiveAction =
  | { type: 'loaded'; campaigns: CampaignRowFragment[]; append?: boolean }
  | { type: 'snapshots'; id: string; snapshots: Snap[] }
  | { type: 'updated'; campaign: CampaignRowFragment & { snapshots?: Snap[] }; at?: number }
  | { type: 'removed'; id: string };

export const emptyLive: LiveState = { byId: {}, order: [], snapshots: {}, changed: {} };

const MAX_POINTS = 500;

function time(iso: string | null | undefined): number {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

function mergeSnaps(prev: Snap[], more: Snap[]): Snap[] {
  if (!more.length) return prev;
  const seen = new Map(prev.map((s) => [s.capturedAt, s]));
  for (const s of more) seen.set(s.capturedAt, s);
  const all = [...seen.values()].sort((a, b) => time(a.capturedAt) - time(b.capturedAt));
  return all.length > MAX_POINTS ? all.slice(-MAX_POINTS) : all;
}

function numbersDiffer(a: CampaignRowFragment, b: CampaignRowFragment): boolean {
  const p = a.performance;
  const q = b.performance;
  return (
    a.status !== b.status ||
    p.impressions !== q.impressions ||
    p.clicks !== q.clicks ||
    p.spendCents !== q.spendCents ||
    p.leads !== q.leads
  );
}

/**
 * Folds the first page and then every `campaignUpdated` event into one list.
 * An event older than what is shown (out of order after a reconnect) is ignored;
 * an event for a campaign not listed yet puts it on top.
 */
export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case 'loaded': {
      const byId = action.append ? { ...state.byId } : {};
      const order = action.append ? [...state.order] : [];
      for (const c of action.campaigns) {
        const cur = state.byId[c.id];
        // A live event may have arrived while the page loaded: keep the newer one.
        byId[c.id] = cur && time(cur.updatedAt) > time(c.updatedAt) ? cur : c;
        if (!order.includes(c.id)) order.push(c.id);
      }
      // Campaigns that arrived live before the list keep their place on top.
      if (!action.append) {
        for (const id of state.order) {
          if (!byId[id]) {
            byId[id] = state.byId[id];
            order.unshift(id);
          }
        }
      }
      return { ...state, byId, order };
    }
    case 'snapshots':
      return { ...state, snapshots: { ...state.snapshots, [action.id]: mergeSnaps(state.snapshots[action.id] ?? [], action.snapshots) } };
    case 'updated': {
      const { snapshots: snaps, ...c } = action.campaign;
      const cur = state.byId[c.id];
      if (cur && time(c.updatedAt) < time(cur.updatedAt)) return state;
      const byId = { ...state.byId, [c.id]: { ...cur, ...c } };
      const order = cur ? state.order : [c.id, ...state.order];
      const snapshots = snaps?.length
        ? { ...state.snapshots, [c.id]: mergeSnaps(state.snapshots[c.id] ?? [], snaps) }
        : state.snapshots;
      const changed = !cur || numbersDiffer(cur, c) ? { ...state.changed, [c.id]: action.at ?? Date.now() } : state.changed;
      return { byId, order, snapshots, changed };
    }
    case 'removed': {
      if (!state.byId[action.id]) return state;
      const byId = { ...state.byId };
      delete byId[action.id];
      const snapshots = { ...state.snapshots };
      delete snapshots[action.id];
      return { ...state, byId, snapshots, order: state.order.filter((x) => x !== action.id) };
    }
  }
}

export function liveList(s: LiveState): CampaignRowFragment[] {
  return s.order.map((id) => s.byId[id]).filter(Boolean);
}

/** Totals across campaigns of one currency. */
export function totals(list: CampaignRowFragment[]) {
  const by = new Map<string, { spendCents: number; impressions: number; clicks: number; leads: number }>();
  for (const c of list) {
    const cur = c.performance.currency || c.integration.currency || 'USD';
    const t = by.get(cur) ?? { spendCents: 0, impressions: 0, clicks: 0, leads: 0 };
    t.spendCents += c.performance.spendCents;
    t.impressions += c.performance.impressions;
    t.clicks += c.performance.clicks;
    t.leads += c.performance.leads;
    by.set(cur, t);
  }
  return by;
}
