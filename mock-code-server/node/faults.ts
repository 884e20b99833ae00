// Server-side faults as data, like mock-socks's: each registered type turns its attributes into
// part of a per-socket plan; `which` picks the protocol upgrades (1-based, counted since the last
// setFaults) it applies to.

export type FaultSelector = 'all' | { nth: number } | { first: number };

export interface ServerFaultSpec {
  type: string;
  attributes?: Record<string, unknown>;
  which?: FaultSelector;
}

/** What happens to one WebSocket, decided when its upgrade arrives. */
export interface FaultPlan {
  /** Raw HTTP status written on the upgrade socket instead of 101. */
  refuseStatus?: number;
  /** Wait before completing the upgrade, in ms. */
  upgradeDelayMs?: number;
  /** Answer the handshake with this `{"type":"error"}` reason. */
  handshakeError?: string;
  /** Ignore the query's reconnectionToken, as a proxy that drops it would make the server do. */
  dropToken?: boolean;
  /** After the handshake, write nothing more (no keepalive: the client's 20 s rule fires). */
  stopSending?: boolean;
  /** End the TCP socket once this many Regular messages crossed it (both directions). */
  endAfterMessages?: number;
  /** End the TCP socket this many ms after the upgrade. */
  endAfterMs?: number;
  /** Restart the whole server once this many Regular messages crossed the socket (both directions). */
  restartAfterMessages?: number;
}

export class FaultError extends Error {
  readonly code = 'fault.invalid';
}

function numberAttribute(spec: ServerFaultSpec, name: string): number {
  const value = spec.attributes?.[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new FaultError(`fault ${spec.type} needs a non-negative number attribute "${name}"`);
  }
  return value;
}

const registry: Record<string, (spec: ServerFaultSpec, plan: FaultPlan) => void> = {
  'end-after-messages': (spec, plan) => {
    plan.endAfterMessages = numberAttribute(spec, 'count');
  },
  'end-after-ms': (spec, plan) => {
    plan.endAfterMs = numberAttribute(spec, 'ms');
  },
  'stop-sending': (_spec, plan) => {
    plan.stopSending = true;
  },
  'upgrade-delay': (spec, plan) => {
    plan.upgradeDelayMs = numberAttribute(spec, 'ms');
  },
  'upgrade-refuse': (spec, plan) => {
    const status = spec.attributes?.status ?? 503;
    if (typeof status !== 'number' || status < 200 || status > 599 || status === 101) {
      throw new FaultError('fault upgrade-refuse needs a status between 200 and 599');
    }
    plan.refuseStatus = status;
  },
  'handshake-error': (spec, plan) => {
    const reason = spec.attributes?.reason;
    if (typeof reason !== 'string' || reason === '') throw new FaultError('fault handshake-error needs a string "reason"');
    plan.handshakeError = reason;
  },
  'drop-token': (_spec, plan) => {
    plan.dropToken = true;
  },
  // Without afterMessages the restart is an action: it happens when the fault is set (see restartsNow).
  restart: (spec, plan) => {
    if (spec.attributes?.afterMessages === undefined) {
      if (spec.which !== undefined) throw new FaultError('fault restart takes "which" only with "afterMessages"');
      return;
    }
    plan.restartAfterMessages = numberAttribute(spec, 'afterMessages');
  },
};

export const FAULT_TYPES: readonly string[] = Object.keys(registry);

function selects(which: FaultSelector | undefined, upgradeIndex: number): boolean {
  if (which === undefined || which === 'all') return true;
  if ('nth' in which) return upgradeIndex === which.nth;
  return upgradeIndex <= which.first;
}

function implementation(spec: ServerFaultSpec): (spec: ServerFaultSpec, plan: FaultPlan) => void {
  const apply = registry[spec.type];
  if (!apply) throw new FaultError(`unknown fault type "${spec.type}" (known: ${FAULT_TYPES.join(', ')})`);
  return apply;
}

/** Throws FaultError (code fault.invalid) for an unknown type or bad attributes, so setFaults fails early. */
export function validateFaults(faults: readonly ServerFaultSpec[]): void {
  for (const spec of faults) implementation(spec)(spec, {});
}

/** A `restart` without afterMessages: the server restarts as these faults are set. */
export function restartsNow(faults: readonly ServerFaultSpec[]): boolean {
  return faults.some((spec) => spec.type === 'restart' && spec.attributes?.afterMessages === undefined);
}

export function planFaults(faults: readonly ServerFaultSpec[], upgradeIndex: number): FaultPlan {
  const plan: FaultPlan = {};
  for (const spec of faults) if (selects(spec.which, upgradeIndex)) implementation(spec)(spec, plan);
  return plan;
}
