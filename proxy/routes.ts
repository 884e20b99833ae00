// Which route a request target belongs to. Only origin-form targets under a configured prefix are
// ever forwarded, and only to the configured upstream: absolute-form URIs, dot segments (plain or
// percent-encoded) and NULs are refused before anything is dialled.
import type { ProxyConfig } from './config.ts';

export type Route =
  | { kind: 'healthz' }
  | { kind: 'readyz' }
  | { kind: 'vsda'; contentType: string; body: string; target: string }
  | { kind: 'code'; target: string }
  | { kind: 'terminal'; target: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'bad_request'; reason: string }
  | { kind: 'not_found' };

// The two files every open-source build 404s. The workbench loads vsda.js with its AMD loader
// (VS Code's amdX.ts `AMDModuleImporter.load`), which warns "Did not receive a define call" for a
// script without one: the stub defines an empty module. Its sign service (signService.ts
// `SignService.vsda`) then finds no `vsda_web` and falls back to unsigned messages — the errors of
// that path are swallowed by AbstractSignService — exactly as with no vsda at all; the empty wasm
// is only fetched. `define` is checked first so the file is harmless outside that loader.
const vsdaFiles: Record<string, { contentType: string; body: string }> = {
  'vsda.js': { contentType: 'text/javascript', body: 'if (typeof define === "function") define([], function () { return {}; });\n' },
  'vsda_bg.wasm': { contentType: 'application/wasm', body: '' },
};
const vsdaDir = '/static/node_modules/vsda/rust/web/';

/** RFC 3986 §5.2.4 dot segments, after decoding %2e: `..` must not reach the upstream. */
function hasDotSegment(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true; // malformed percent-encoding is refused like traversal: nothing legitimate sends it
  }
  return decoded.includes('\0') || decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.');
}

/** Which route a request target (and whether it is an upgrade) takes. */
export type Router = (rawTarget: string, isUpgrade: boolean) => Route;

export function routeFor(rawTarget: string, config: Pick<ProxyConfig, 'codePrefix' | 'terminalPath' | 'upstreamUrl' | 'terminalUrl'>): Route {
  if (!rawTarget.startsWith('/')) return { kind: 'bad_request', reason: 'only origin-form request targets are accepted' };
  const q = rawTarget.indexOf('?');
  const path = q === -1 ? rawTarget : rawTarget.slice(0, q);
  const query = q === -1 ? '' : rawTarget.slice(q);
  if (hasDotSegment(path)) return { kind: 'bad_request', reason: 'dot segments are not accepted in paths' };
  if (path === '/healthz') return { kind: 'healthz' };
  if (path === '/readyz') return { kind: 'readyz' };

  if (path === config.terminalPath) return { kind: 'terminal', target: joinTarget(config.terminalUrl, '', query) };
  if (path === config.codePrefix.slice(0, -1)) return { kind: 'redirect', location: config.codePrefix + query };
  if (!path.startsWith(config.codePrefix)) return { kind: 'not_found' };

  const rest = path.slice(config.codePrefix.length - 1);
  const target = joinTarget(config.upstreamUrl, rest, query);
  const vsda = rest.lastIndexOf(vsdaDir);
  if (vsda !== -1) {
    const file = vsdaFiles[rest.slice(vsda + vsdaDir.length)];
    if (file) return { kind: 'vsda', ...file, target };
  }
  return { kind: 'code', target };
}

/** The upstream request target: the base URL's path, the path after the prefix, the query as sent. */
function joinTarget(base: string, rest: string, query: string): string {
  if (!base) return rest + query;
  const url = new URL(base);
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const path = basePath + rest || '/';
  // A terminal URL may carry its own query (ttyd-style); the browser's, if any, takes its place.
  return path + (query || (rest === '' ? url.search : ''));
}
