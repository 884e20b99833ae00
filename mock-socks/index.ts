// mock-socks: a SOCKS5 server that behaves, byte for byte and log line for log line, like
// tailscaled's net/socks5 server, in front of a mock tailnet, with faults on demand.
export type {
  BindMode, PeerState, PeerSpec, ConnectionSelector, FaultSpec, MockSocksOptions, MockSocksHandle,
  ConnectionInfo, ConnectionRecord, Phase, Direction,
} from './types.ts';
export { startMockSocks } from './server.ts';
export { faultTypeNames } from './faults/index.ts';
// Faults as data, read the same way by the faults of other hops (the harness's front door): the
// attribute reader and the config error (ERR_FAULT_CONFIG).
export { Attributes } from './faults/attributes.ts';
export { FaultConfigError } from './faults/fault.ts';
