// Every built-in fault type, registered by name.
import { registerFault } from './registry.ts';
import type { FaultType } from './fault.ts';

export const builtInFaults: FaultType[] = [];

for (const type of builtInFaults) registerFault(type);

export { faultTypeNames } from './registry.ts';
