/**
 * Fault rules: validation (rules also arrive as JSON over the control API) and the registry that
 * decides which rule, if any, hits a request.
 */
import type { FaultAction, FaultInfo, FaultRule } from './types';

interface ActiveFault {
  id: string;
  rule: FaultRule;
  pathPattern: RegExp | undefined;
  method: string | undefined;
  remaining: number | undefined;
  hits: number;
}

/** A fault rule that was rejected, with the reason. */
export class InvalidFaultRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFaultRuleError';
  }
}

const ACTION_TYPES: ReadonlyArray<FaultAction['type']> = ['status', 'delay', 'hang', 'apply-then-hang', 'reset', 'error-code'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(obj: Record<string, unknown>, key: string, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw new InvalidFaultRuleError(`${key} must be a number between ${min} and ${max}`);
  }
  return value;
}

function optionalString(obj: Record<string, unknown>, key: string): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidFaultRuleError(`${key} must be a string`);
  return value;
}

function validateAction(input: unknown): FaultAction {
  if (!isRecord(input)) throw new InvalidFaultRuleError('action must be an object with a type');
  const type = input.type;
  if (typeof type !== 'string' || !ACTION_TYPES.includes(type as FaultAction['type'])) {
    throw new InvalidFaultRuleError(`action.type must be one of ${ACTION_TYPES.join(', ')}`);
  }
  switch (type as FaultAction['type']) {
    case 'status': {
      const status = optionalNumber(input, 'status', 100, 599);
      if (status === undefined || !Number.isInteger(status)) throw new InvalidFaultRuleError('action.status must be an HTTP status code');
      const headers = input.headers;
      if (headers !== undefined && (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === 'string'))) {
        throw new InvalidFaultRuleError('action.headers must map names to strings');
      }
      return { type: 'status', status, body: input.body, headers: headers as Record<string, string> | undefined };
    }
    case 'delay': {
      const ms = optionalNumber(input, 'ms', 0);
      if (ms === undefined) throw new InvalidFaultRuleError('action.ms is required for delay');
      return { type: 'delay', ms };
    }
    case 'error-code': {
      const errorCode = optionalString(input, 'errorCode');
      if (!errorCode) throw new InvalidFaultRuleError('action.errorCode is required for error-code');
      const status = optionalNumber(input, 'status', 100, 599);
      return { type: 'error-code', errorCode, status, message: optionalString(input, 'message') };
    }
    case 'hang':
      return { type: 'hang' };
    case 'apply-then-hang':
      return { type: 'apply-then-hang' };
    default:
      return { type: 'reset' };
  }
}

/** Checks a rule (possibly untrusted JSON) and returns a clean copy; throws {@link InvalidFaultRuleError}. */
export function validateFaultRule(input: unknown): FaultRule {
  if (!isRecord(input)) throw new InvalidFaultRuleError('a fault rule must be a JSON object');
  const rule: FaultRule = { action: validateAction(input.action) };
  const method = optionalString(input, 'method');
  if (method) rule.method = method.toUpperCase();
  const path = optionalString(input, 'path');
  if (path !== undefined) {
    try {
      new RegExp(path);
    } catch (err) {
      throw new InvalidFaultRuleError(`path is not a valid regular expression: ${(err as Error).message}`);
    }
    rule.path = path;
  }
  const probability = optionalNumber(input, 'probability', 0, 1);
  if (probability !== undefined) rule.probability = probability;
  const times = optionalNumber(input, 'times', 0);
  if (times !== undefined) {
    if (!Number.isInteger(times)) throw new InvalidFaultRuleError('times must be an integer');
    rule.times = times;
  }
  return rule;
}

/** The injected faults, checked in insertion order. */
export class FaultRegistry {
  private readonly faults: ActiveFault[] = [];
  private nextId = 1;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Source of randomness for `probability`; replace it for deterministic tests. */
  random: () => number = Math.random;

  /** Adds a rule and returns its id. */
  add(input: FaultRule): string {
    const rule = validateFaultRule(input);
    const id = `fault-${this.nextId++}`;
    this.faults.push({
      id,
      rule,
      pathPattern: rule.path === undefined ? undefined : new RegExp(rule.path),
      method: rule.method,
      remaining: rule.times,
      hits: 0,
    });
    return id;
  }

  /** Removes one rule; false when unknown. */
  remove(id: string): boolean {
    const index = this.faults.findIndex((f) => f.id === id);
    if (index < 0) return false;
    this.faults.splice(index, 1);
    return true;
  }

  clear(): void {
    this.faults.length = 0;
  }

  list(): FaultInfo[] {
    return this.faults.map((f) => ({ id: f.id, rule: f.rule, hits: f.hits, remaining: f.remaining ?? null }));
  }

  /** Runs `fn` after `ms` unless {@link cancelScheduled} is called first (delay faults). */
  schedule(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Drops pending delayed requests (on shutdown). */
  cancelScheduled(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Finds the first rule that hits this request and uses up one of its `times`. */
  match(method: string, path: string): { id: string; action: FaultAction } | undefined {
    const upper = method.toUpperCase();
    for (const fault of this.faults) {
      if (fault.remaining !== undefined && fault.remaining <= 0) continue;
      if (fault.method && fault.method !== upper) continue;
      if (fault.pathPattern && !fault.pathPattern.test(path)) continue;
      const probability = fault.rule.probability ?? 1;
      if (probability < 1 && this.random() >= probability) continue;
      if (fault.remaining !== undefined) fault.remaining -= 1;
      fault.hits += 1;
      return { id: fault.id, action: fault.rule.action };
    }
    return undefined;
  }
}
