// The contract other rooms build against (see README.md): start a mock code-server on loopback.
import { startServer, type ServerOptions } from './node/server.ts';
import type { ServerFaultSpec as FaultSpec } from './node/faults.ts';

export type ServerFaultSpec = FaultSpec;

export interface MockCodeServerOptions {
  /** 'HOST:PORT', default '127.0.0.1:0'. */
  listen?: string;
  /** Default '409c64e0df4d53530e59c16acc2b5d5766f717b0' (code-server 4.100.3). */
  commit?: string;
  password?: string;
  trustedOrigins?: string[];
  folder?: string;
  /** Multiplies every protocol timer (ack 2 s, keepalive 5 s, grace…); tests use e.g. 0.01. */
  timeScale?: number;
  faults?: ServerFaultSpec[];
}

export interface MockCodeServerHandle {
  url: string;
  host: string;
  port: number;
  commit: string;
  setFaults(f: ServerFaultSpec[]): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export function startMockCodeServer(options: MockCodeServerOptions = {}): Promise<MockCodeServerHandle> {
  const serverOptions: ServerOptions = options;
  return startServer(serverOptions);
}

export { DEFAULT_COMMIT, TERMINAL_PATH } from './node/server.ts';
