// Starting a server per test and waiting on its events instead of on time.
import { startMockSocks, type MockSocksHandle, type MockSocksOptions } from '../index.ts';
import type { ConnectionRecord } from '../types.ts';

export interface TestServer extends MockSocksHandle {
  /** Resolves with the close record of the nth connection (1-based). */
  closeOf(id: number): Promise<ConnectionRecord>;
  /** Resolves once `count` connections have been accepted. */
  accepted(count: number): Promise<void>;
  /** Resolves once `count` log lines exist. */
  logged(count: number): Promise<string[]>;
}

export async function server(options: MockSocksOptions = {}): Promise<TestServer> {
  const handle = await startMockSocks(options);
  const closes = new Map<number, ConnectionRecord>();
  let opened = 0;
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((fn) => fn());
  handle.on('connection', (record) => {
    if (record.event === 'close') closes.set(record.id, record);
    else opened += 1;
    notify();
  });
  handle.on('log', notify);
  const until = <T>(get: () => T | undefined): Promise<T> => new Promise((resolve) => {
    const check = () => {
      const value = get();
      if (value !== undefined) resolve(value);
      else waiters.push(check);
    };
    check();
  });
  return Object.assign(handle, {
    closeOf: (id: number) => until(() => closes.get(id)),
    accepted: (count: number) => until(() => (opened >= count ? true : undefined)).then(() => undefined),
    logged: (count: number) => until(() => (handle.logs().length >= count ? handle.logs() : undefined)),
  });
}
