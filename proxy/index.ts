// The proxy's public API (contract in the project's shared notes): start it in-process, or load
// its configuration the way the CLI and Cloud Run do.
export { startProxy, resolveConfig, type ProxyHandle, type StartProxyOptions } from './server.ts';
export { loadConfig, helpText, redactUrl, defaultConfig, type ProxyConfig, type LegacyKnobs, type Profile } from './config.ts';
export { closeCodeFor, statusFor, ProxyError, CloseCode } from './errors.ts';
export type { AccessRecord } from './log.ts';
