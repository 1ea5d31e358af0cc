/** A target that may receive jobs in this claim: its tenant, its key and how many more it may run now. */
export interface Lane {
  tenant: string;
  key: string;
  room: number;
}

/**
 * Who gets the free delivery slots: round robin over tenants, and within a tenant over its targets.
 * Each turn gives one slot to the next tenant (after the one served last) that has a claimable job,
 * taken from that tenant's next target (after the one it was served from last); a target never gets
 * more than its room. The cursors outlive a claim, so slots that free up one at a time still rotate:
 * no tenant and no target starves, and a tenant with many targets gets no more turns than a tenant
 * with one.
 */
export class FairShare {
  #lastTenant: string | undefined;
  readonly #lastLane = new Map<string, string>();

  /**
   * Picks up to `slots` jobs. `candidates(lane, max)` reads a lane's claimable jobs (at most `max`,
   * best first); it is called at most once per lane, and only when the lane's turn comes.
   */
  async pick<L extends Lane, J>(lanes: readonly L[], slots: number, candidates: (lane: L, max: number) => Promise<J[]>): Promise<J[]> {
    const picked: J[] = [];
    const byTenant = new Map<string, L[]>();
    for (const lane of lanes) {
      if (lane.room <= 0) continue;
      const list = byTenant.get(lane.tenant);
      if (list) list.push(lane);
      else byTenant.set(lane.tenant, [lane]);
    }
    for (const tenant of this.#lastLane.keys()) if (!byTenant.has(tenant)) this.#lastLane.delete(tenant);
    const turns = rotate([...byTenant.keys()].sort(), this.#lastTenant, (t) => t).map((tenant) => ({
      tenant,
      lanes: rotate(byTenant.get(tenant)!.sort((a, b) => compare(a.key, b.key)), this.#lastLane.get(tenant), (l) => l.key).map((lane) => ({
        lane,
        room: lane.room,
        queue: undefined as J[] | undefined,
      })),
    }));
    while (picked.length < slots && turns.length > 0) {
      for (let i = 0; i < turns.length && picked.length < slots; ) {
        const turn = turns[i]!;
        let job: J | undefined;
        // The tenant's next target that has a job; targets with nothing claimable drop out.
        while (job === undefined && turn.lanes.length > 0) {
          const entry = turn.lanes.shift()!;
          // Enough for every slot this lane could still get in this claim (room and slots only shrink).
          entry.queue ??= await candidates(entry.lane, Math.min(entry.room, slots - picked.length));
          job = entry.queue.shift();
          if (job === undefined) continue;
          entry.room -= 1;
          this.#lastLane.set(turn.tenant, entry.lane.key);
          if (entry.room > 0 && entry.queue.length > 0) turn.lanes.push(entry);
        }
        if (job === undefined) {
          turns.splice(i, 1);
          continue;
        }
        picked.push(job);
        this.#lastTenant = turn.tenant;
        i += 1;
      }
    }
    return picked;
  }
}

/** `sorted` starting after `last` (by key), wrapping around. */
function rotate<T>(sorted: T[], last: string | undefined, keyOf: (item: T) => string): T[] {
  if (last === undefined) return sorted;
  const start = sorted.findIndex((item) => compare(keyOf(item), last) > 0);
  return start <= 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
