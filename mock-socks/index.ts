// mock-socks: a SOCKS5 server that behaves, byte for byte and log line for log line, like
// tailscaled's net/socks5 server, in front of a mock tailnet, with faults on demand.
export type {
  BindMode, PeerState, PeerSpec, ConnectionSelector, FaultSpec, MockSocksOptions, MockSocksHandle,
  ConnectionInfo, ConnectionRecord, Phase, Direction,
} from './types.ts';
export { startMockSocks } from './server.ts';
export { faultTypeNames } from './faults/index.ts';
