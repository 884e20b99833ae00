import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Workbench } from '../common/workbench.ts';
import { startServer, type ServerHandle, type ServerOptions } from '../node/server.ts';

export interface ServerFixture {
  /** Started before the file's first test. */
  server: ServerHandle;
  /** The test's workbench, if it opened one: closed after the test so its reconnection timers stop. */
  workbench: Workbench | undefined;
}

/** One server per test file; after each test its faults are cleared and the test's workbench closed. */
export function useServer(options: ServerOptions = { timeScale: 0.01 }): ServerFixture {
  const fixture = { workbench: undefined } as ServerFixture;
  beforeAll(async () => {
    fixture.server = await startServer(options);
  });
  afterEach(() => {
    fixture.workbench?.close();
    fixture.workbench = undefined;
    fixture.server.clearFaults();
  });
  afterAll(async () => fixture.server.close());
  return fixture;
}
