import { describe, expect, it } from 'vitest';
import { FairShare } from './fair-share';
import type { Lane } from './fair-share';

/** Lanes whose candidates are `<key>-1`, `<key>-2`, ... (as many as `queued`). */
function lanes(spec: Array<[tenant: string, key: string, room: number, queued: number]>) {
  const fetched: Array<[string, number]> = [];
  const list: Array<Lane & { queued: number }> = spec.map(([tenant, key, room, queued]) => ({ tenant, key, room, queued }));
  const candidates = async (lane: Lane & { queued: number }, max: number) => {
    fetched.push([lane.key, max]);
    return Array.from({ length: Math.min(max, lane.queued) }, (_, i) => `${lane.key}-${i + 1}`);
  };
  return { list, candidates, fetched };
}

describe('FairShare', () => {
  it('alternates tenants, and rotates the targets within a tenant', async () => {
    const share = new FairShare();
    const { list, candidates } = lanes([
      ['one', 'a1', 10, 10],
      ['one', 'a2', 10, 10],
      ['one', 'a3', 10, 10],
      ['two', 'b', 10, 10],
    ]);
    expect(await share.pick(list, 8, candidates)).toEqual(['a1-1', 'b-1', 'a2-1', 'b-2', 'a3-1', 'b-3', 'a1-2', 'b-4']);
  });

  it('continues after the tenant and target served last when slots free up one at a time', async () => {
    const share = new FairShare();
    const spec: Array<[string, string, number, number]> = [
      ['one', 'a1', 10, 10],
      ['one', 'a2', 10, 10],
      ['two', 'b', 10, 10],
      ['three', 'c', 10, 10],
    ];
    const order: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const { list, candidates } = lanes(spec);
      order.push(...(await share.pick(list, 1, candidates)));
    }
    // Fresh candidates every claim (the jobs are re-read), so only the lane matters.
    expect(order.map((job) => job.split('-')[0])).toEqual(['a1', 'c', 'b', 'a2', 'c', 'b', 'a1', 'c']);
  });

  it('gives a target no more than its room and reads no more candidates than it could take', async () => {
    const share = new FairShare();
    const { list, candidates, fetched } = lanes([
      ['one', 'busy', 2, 50],
      ['one', 'full', 0, 50],
      ['two', 'quiet', 4, 1],
    ]);
    const picked = await share.pick(list, 10, candidates);
    expect(picked.sort()).toEqual(['busy-1', 'busy-2', 'quiet-1']);
    expect(fetched.sort()).toEqual([['busy', 2], ['quiet', 4]]);
  });

  it('skips targets with nothing claimable without losing the tenant its turn', async () => {
    const share = new FairShare();
    const { list, candidates } = lanes([
      ['one', 'empty', 4, 0],
      ['one', 'ready', 4, 4],
      ['two', 'b', 4, 4],
    ]);
    expect(await share.pick(list, 4, candidates)).toEqual(['ready-1', 'b-1', 'ready-2', 'b-2']);
  });
});
