// The proxy's public API: start it in-process, or load its configuration the way the CLI and Cloud
// Run do. The harness's legacy reproductions are a separate entry point (./legacy/index.ts).
export { startProxy, resolveConfig, productParts, type ProxyHandle, type StartProxyOptions, type ProxyHooks, type ProxyParts, type ComposeParts } from './server.ts';
export { loadConfig, helpText, redactUrl, defaultConfig, optionSpecs, ConfigError, type ProxyConfig } from './config.ts';
export { closeCodeFor, statusFor, ProxyError, CloseCode } from './errors.ts';
export { main } from './main.ts';
export type { AccessRecord } from './log.ts';
