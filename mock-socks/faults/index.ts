// Every built-in fault type, registered by name.
import { registerFault } from './registry.ts';
import type { FaultType } from './fault.ts';
import { slowHandshake } from './slow-handshake.ts';
import { truncateReply } from './truncate-reply.ts';
import { blackhole } from './blackhole.ts';
import { replyCode } from './reply-code.ts';
import { notSocks } from './not-socks.ts';
import { reset } from './reset.ts';
import { latency } from './latency.ts';
import { bandwidth } from './bandwidth.ts';
import { slicer } from './slicer.ts';
import { limitData } from './limit-data.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';
import { tailnetNotReady } from './tailnet-not-ready.ts';
import { throttledBetweenRequests } from './throttled-between-requests.ts';

export const builtInFaults: FaultType[] = [
  slowHandshake, truncateReply, blackhole, replyCode, notSocks, reset,
  latency, bandwidth, slicer, limitData, slowClose, timeout, tailnetNotReady, throttledBetweenRequests,
];

for (const type of builtInFaults) registerFault(type);

export { faultTypeNames } from './registry.ts';
