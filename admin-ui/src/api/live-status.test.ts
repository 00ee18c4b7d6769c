import { describe, expect, it } from 'vitest';
import { nextStatus, type LiveEvent, type LiveStatus } from './live';

/** Runs events from "offline", with the subscription count and socket state each event leaves. */
function run(steps: [LiveEvent, number, boolean][]): LiveStatus[] {
  let s: LiveStatus = 'offline';
  return steps.map(([e, active, open]) => (s = nextStatus(s, e, active, open)));
}

describe('the live badge', () => {
  it('is silent where nothing is live, even while the socket winds down', () => {
    expect(run([['subscribed', 1, false], ['connected', 1, true], ['unsubscribed', 0, true], ['closed', 0, false], ['connecting', 0, false]])).toEqual([
      'connecting',
      'live',
      'offline',
      'offline',
      'offline',
    ]);
  });
  it('says reconnecting only after a live connection dropped', () => {
    expect(run([['subscribed', 1, false], ['connecting', 1, false], ['closed', 1, false]])).toEqual(['connecting', 'connecting', 'connecting']);
    expect(run([['subscribed', 1, false], ['connected', 1, true], ['closed', 1, false], ['connecting', 1, false], ['connected', 1, true]])).toEqual([
      'connecting',
      'live',
      'reconnecting',
      'reconnecting',
      'live',
    ]);
  });
  it('is live at once on a page opened while the socket is still connected', () => {
    expect(run([['subscribed', 1, false], ['connected', 1, true], ['unsubscribed', 0, true], ['subscribed', 1, true]])).toEqual([
      'connecting',
      'live',
      'offline',
      'live',
    ]);
  });
  it('says not live when the server refuses the subscription', () => {
    expect(run([['subscribed', 1, false], ['refused', 1, true], ['closed', 1, false]])).toEqual(['connecting', 'unavailable', 'unavailable']);
  });
});
