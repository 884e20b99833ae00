// Which faults apply to which connection: the selector (all / nth / first n / destination) and
// the toxicity draw, decided once per (fault, connection) and remembered — a fault set while a
// connection is live is decided for it the first time the connection reaches a hook.
import type { ConnectionSelector, FaultSpec } from '../types.ts';
import { resolveFault, type ResolvedFault } from './registry.ts';
import { streamFor } from '../../common/prng.ts';
import { FaultConfigError } from './fault.ts';

export interface SelectionSubject {
  id: number;
  /** The CONNECT destination and its aliases ('host', 'host:port', peer address and names), once known. */
  destinationAliases: string[];
  /** Per-connection memory of decisions, keyed by the resolved fault. */
  decisions: Map<ResolvedFault, { applies: boolean; random: () => number }>;
}

function selectorMatches(which: ConnectionSelector, subject: SelectionSubject): boolean | undefined {
  if (which === 'all') return true;
  if ('nth' in which) return subject.id === which.nth;
  if ('first' in which) return subject.id <= which.first;
  // Unknown until the request names a destination: not decided yet, asked again at the next hook.
  if (subject.destinationAliases.length === 0) return undefined;
  return subject.destinationAliases.includes(which.destination.toLowerCase());
}

function checkSelector(which: unknown): void {
  if (which === undefined || which === 'all') return;
  const w = which as Record<string, unknown>;
  if (typeof w === 'object' && w !== null) {
    if (typeof w.nth === 'number' || typeof w.first === 'number' || typeof w.destination === 'string') return;
  }
  throw new FaultConfigError(`'which' must be 'all', {nth}, {first} or {destination}`);
}

export class FaultSet {
  private current: ResolvedFault[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly seed: number, specs: FaultSpec[] = []) {
    this.set(specs);
  }

  /** Validates every spec before replacing any, so a bad JSON leaves the running faults alone. */
  set(specs: FaultSpec[]): void {
    const resolved = specs.map((spec) => {
      checkSelector(spec.which);
      return resolveFault(spec);
    });
    const names = new Set(resolved.map((r) => r.name));
    if (names.size !== resolved.length) throw new FaultConfigError('fault names must be unique (set name when using a type twice)');
    this.current = resolved;
    for (const fn of this.listeners) fn();
  }

  specs(): FaultSpec[] {
    return this.current.map((r) => r.spec);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The faults that apply to this connection now, each with its seeded stream. */
  applicable(subject: SelectionSubject): { resolved: ResolvedFault; random: () => number }[] {
    const out: { resolved: ResolvedFault; random: () => number }[] = [];
    for (const resolved of this.current) {
      let decision = subject.decisions.get(resolved);
      if (!decision) {
        const matches = selectorMatches(resolved.spec.which ?? 'all', subject);
        if (matches === undefined) continue;
        const random = streamFor(this.seed, resolved.name, subject.id);
        // The first draw of the stream is the toxicity draw; toxicity 0 never applies, 1 always does.
        decision = { applies: matches && random() < resolved.toxicity, random };
        subject.decisions.set(resolved, decision);
      }
      if (decision.applies) out.push({ resolved, random: decision.random });
    }
    return out;
  }
}
