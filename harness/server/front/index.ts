// Every fault of the front door, by name (harness/README.md lists them with their attributes).
import { answerUpgrade } from './answer-upgrade.ts';
import { corruptFrames } from './corrupt-frames.ts';
import { dropAll } from './drop-all.ts';
import type { HopFaultType } from './fault.ts';
import { hollow101 } from './hollow-101.ts';
import { idleTimeout } from './idle-timeout.ts';
import { maxWebSockets } from './max-websockets.ts';
import { pathPrefix } from './path-prefix.ts';
import { stripUpgrade } from './strip-upgrade.ts';

export const hopFaultTypes: readonly HopFaultType[] = [stripUpgrade, answerUpgrade, pathPrefix, idleTimeout, dropAll, corruptFrames, maxWebSockets, hollow101];
