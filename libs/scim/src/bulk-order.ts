import { ConflictError, echo } from '@provisioning/errors';
import type { ProvisioningError } from '@provisioning/errors';

/** A node of the bulk dependency graph: an operation and the operations it must wait for. */
export interface BulkNode {
  readonly index: number;
  readonly dependsOn: readonly number[];
}

/** Execution order, and the operations that cannot run because of circular references. */
export interface BulkOrder {
  readonly order: readonly number[];
  readonly blocked: ReadonlyMap<number, ProvisioningError>;
}

/** Strongly connected components of the remaining graph that are cycles (Tarjan). */
function cycles(nodes: readonly BulkNode[], remaining: ReadonlySet<number>): number[][] {
  const byIndex = new Map(nodes.map((node) => [node.index, node]));
  const indexOf = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const found: number[][] = [];
  let counter = 0;
  const visit = (v: number): void => {
    indexOf.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of byIndex.get(v)?.dependsOn ?? []) {
      if (!remaining.has(w)) continue;
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) !== indexOf.get(v)) return;
    const component: number[] = [];
    let w: number;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = component.length === 1 && (byIndex.get(v)?.dependsOn.includes(v) ?? false);
    if (component.length > 1 || selfLoop) found.push(component.sort((a, b) => a - b));
  };
  [...remaining].sort((a, b) => a - b).forEach((v) => indexOf.has(v) || visit(v));
  return found;
}

/**
 * Orders bulk operations so that each runs after the operations whose bulkIds it references,
 * otherwise in request order (a stable topological sort; RFC 7644 3.7 lets the server reorder as
 * long as the result is the same). Operations on a cycle, and those depending on one, are blocked
 * with a `ConflictError` (409, RFC 7644 3.7.1) instead of being ordered.
 */
export function orderBulk(nodes: readonly BulkNode[], bulkIdOf: (index: number) => string | undefined): BulkOrder {
  const waiting = new Map(nodes.map((node) => [node.index, new Set(node.dependsOn)]));
  const order: number[] = [];
  const ready = nodes.filter((node) => node.dependsOn.length === 0).map((node) => node.index);
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const next = ready.shift()!;
    order.push(next);
    waiting.delete(next);
    for (const [index, deps] of waiting) {
      if (deps.delete(next) && deps.size === 0) ready.push(index);
    }
  }
  const remaining = new Set(waiting.keys());
  const blocked = new Map<number, ProvisioningError>();
  for (const component of cycles(nodes, remaining)) {
    const ids = component.map((index) => bulkIdOf(index) ?? `#${index}`);
    const path = [...ids, ids[0]].map((id) => `bulkId:${id}`).join(' -> ');
    for (const index of component) {
      blocked.set(index, new ConflictError(`Circular bulkId reference ${echo(path)}`, { details: { bulkIds: ids } }));
    }
  }
  for (const index of [...remaining].sort((a, b) => a - b)) {
    if (blocked.has(index)) continue;
    blocked.set(index, new ConflictError('The operation depends on a bulkId that is part of a circular reference', { details: { index } }));
  }
  return { order, blocked };
}
