// The contract other rooms build against (see README.md): start a mock code-server on loopback.
import { startServer, type ServerHandle, type ServerOptions } from './node/server.ts';
import { FAULT_TYPES, type ServerFaultSpec as FaultSpec } from './node/faults.ts';

export type ServerFaultSpec = FaultSpec;

/** The contract's options: the server's own, less what only this room's tests and CLI use. */
export type MockCodeServerOptions = Pick<ServerOptions, 'listen' | 'commit' | 'password' | 'trustedOrigins' | 'folder' | 'timeScale' | 'faults'>;

export type MockCodeServerHandle = Pick<ServerHandle, 'url' | 'host' | 'port' | 'commit' | 'setFaults' | 'clearFaults' | 'close'>;

export function startMockCodeServer(options: MockCodeServerOptions = {}): Promise<MockCodeServerHandle> {
  return startServer(options);
}

export { DEFAULT_COMMIT, TERMINAL_PATH } from './node/server.ts';

/** Every server fault type, for a test that must cover each. */
export const serverFaultTypeNames: readonly string[] = FAULT_TYPES;
