// Fault types by name; FaultSpec JSON is turned into faults here, and nowhere else.
import type { FaultSpec } from '../types.ts';
import { FaultConfigError, type Fault, type FaultType } from './fault.ts';

const types = new Map<string, FaultType>();

export function registerFault(type: FaultType): void {
  types.set(type.name, type);
}

export function faultTypeNames(): string[] {
  return [...types.keys()].sort();
}

export interface ResolvedFault {
  name: string;
  spec: FaultSpec;
  fault: Fault;
  toxicity: number;
}

export function resolveFault(spec: FaultSpec): ResolvedFault {
  const type = types.get(spec.type);
  if (!type) throw new FaultConfigError(`unknown fault type '${spec.type}' (known: ${faultTypeNames().join(', ')})`);
  const toxicity = spec.toxicity ?? 1;
  if (typeof toxicity !== 'number' || !(toxicity >= 0 && toxicity <= 1)) throw new FaultConfigError(`${spec.type}: toxicity must be within 0..1`);
  const attributes = spec.attributes ?? {};
  const unknown = Object.keys(attributes).filter((key) => !type.attributes.includes(key));
  if (unknown.length > 0) throw new FaultConfigError(`${spec.type}: unknown attribute(s) ${unknown.join(', ')} (known: ${type.attributes.join(', ') || 'none'})`);
  return { name: spec.name ?? spec.type, spec, fault: type.create(attributes, spec.where), toxicity };
}
