// Reading fault attributes from JSON with errors that name the fault and the field.
import { FaultConfigError } from './fault.ts';
import type { Phase } from '../types.ts';

export class Attributes {
  constructor(private readonly fault: string, private readonly values: Record<string, unknown>) {}

  number(key: string, fallback?: number, min = 0): number {
    const value = this.values[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new FaultConfigError(`${this.fault}: '${key}' must be a number >= ${min}`);
    }
    return value;
  }

  optionalNumber(key: string, min = 0): number | undefined {
    return this.values[key] === undefined ? undefined : this.number(key, undefined, min);
  }

  string(key: string): string | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new FaultConfigError(`${this.fault}: '${key}' must be a string`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.values[key] ?? fallback;
    if (typeof value !== 'boolean') throw new FaultConfigError(`${this.fault}: '${key}' must be true or false`);
    return value;
  }
}

export function phaseOf(fault: string, where: string | undefined, allowed: Phase[], fallback: Phase | undefined): Phase | undefined {
  if (where === undefined) return fallback;
  if (!(allowed as string[]).includes(where)) throw new FaultConfigError(`${fault}: 'where' must be one of ${allowed.join(', ')}`);
  return where as Phase;
}

export function directionOf(fault: string, where: string | undefined): 'upstream' | 'downstream' {
  if (where === undefined) return 'downstream';
  if (where !== 'upstream' && where !== 'downstream') throw new FaultConfigError(`${fault}: 'where' must be upstream or downstream`);
  return where;
}

/** For faults that act at one fixed point: a 'where' is a mistake worth reporting, not ignoring. */
export function noWhere(fault: string, where: string | undefined): void {
  if (where !== undefined) throw new FaultConfigError(`${fault}: takes no 'where'`);
}
