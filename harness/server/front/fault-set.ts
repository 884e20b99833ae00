// The front door's faults in force: specs checked and built all at once (a bad one leaves the
// running faults as they were), then asked per upgrade which of them apply — the `which`
// selector over upgrades counted since the list was set, and the toxicity draw from a stream
// seeded by (seed, fault name, upgrade number), as mock-socks draws for its connections.
import { FaultConfigError } from '../../../mock-socks/index.ts';
import { streamFor } from '../../../common/prng.ts';
import type { FrontFault } from '../../scenarios/types.ts';
import type { Door, HopFault } from './fault.ts';
import { hopFaultTypes } from './index.ts';

interface Active {
  name: string;
  spec: FrontFault;
  fault: HopFault;
}

function checkSpec(spec: FrontFault): void {
  const type = hopFaultTypes.find((t) => t.name === spec.type);
  if (!type) throw new FaultConfigError(`unknown front fault type '${spec.type}' (known: ${hopFaultTypes.map((t) => t.name).join(', ')})`);
  const unknown = Object.keys(spec.attributes ?? {}).filter((key) => !type.attributes.includes(key));
  if (unknown.length > 0) throw new FaultConfigError(`${spec.type}: unknown attribute(s) ${unknown.join(', ')} (known: ${type.attributes.join(', ') || 'none'})`);
  const toxicity = spec.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) throw new FaultConfigError(`${spec.type}: toxicity must be within 0..1`);
  const which = spec.which ?? 'all';
  const selector = which as Record<string, unknown>;
  if (which !== 'all' && !(typeof selector === 'object' && selector !== null && (Number.isInteger(selector.nth) || Number.isInteger(selector.first)))) {
    throw new FaultConfigError(`${spec.type}: 'which' must be 'all', {nth} or {first}`);
  }
}

function selected(spec: FrontFault, upgrade: number): boolean {
  const which = spec.which ?? 'all';
  if (which === 'all') return true;
  return 'nth' in which ? upgrade === which.nth : upgrade <= which.first;
}

export class FrontFaultSet {
  private active: Active[] = [];
  private upgrades = 0;

  constructor(private readonly door: Door, private readonly seed = 1) {}

  /** Replaces the faults: every spec is checked and built first; throws FaultConfigError (fault.invalid) and changes nothing on a bad one. */
  set(specs: readonly FrontFault[]): void {
    for (const spec of specs) checkSpec(spec);
    const names = specs.map((s) => s.name ?? s.type);
    if (new Set(names).size !== names.length) throw new FaultConfigError('front fault names must be unique (set name when using a type twice)');
    const built: Active[] = [];
    try {
      for (const spec of specs) {
        const type = hopFaultTypes.find((t) => t.name === spec.type);
        if (type) built.push({ name: spec.name ?? spec.type, spec, fault: type.create(spec.attributes ?? {}, this.door) });
      }
    } catch (error) {
      for (const { fault } of built) fault.dispose?.();
      throw error;
    }
    this.dispose();
    this.active = built;
    this.upgrades = 0;
  }

  /** Throws what set() would throw, and changes nothing. */
  check(specs: readonly FrontFault[]): void {
    const probe = new FrontFaultSet(this.door, this.seed);
    probe.set(specs);
    probe.dispose();
  }

  specs(): FrontFault[] {
    return this.active.map((a) => a.spec);
  }

  /** The faults that apply to the next upgrade, in list order. */
  forNextUpgrade(): { number: number; faults: HopFault[] } {
    const number = ++this.upgrades;
    const faults = this.active.filter(({ name, spec }) => selected(spec, number) && streamFor(this.seed, name, number)() < (spec.toxicity ?? 1)).map((a) => a.fault);
    return { number, faults };
  }

  dispose(): void {
    for (const { fault } of this.active) fault.dispose?.();
    this.active = [];
  }
}
