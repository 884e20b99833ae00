// Redirects from code-server are written for a server at `/`; under the prefix they must point
// back under the prefix (code-server's `/` answers `302 ./?folder=…`, `/login` redirects, …).

/**
 * The Location the browser gets. Relative references (`./?folder=`) already resolve under the
 * prefix and pass unchanged; absolute paths, and absolute URLs naming the upstream or the public
 * host, are put under the prefix. Anything pointing elsewhere is left alone.
 */
export function rewriteLocation(location: string, prefix: string, upstream: URL, publicHost: string | undefined): string {
  const base = prefix.replace(/\/$/, '');
  if (location.startsWith('//')) return location;
  if (location.startsWith('/')) return location.startsWith(prefix) ? location : base + location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  const ours = url.host === upstream.host || (publicHost !== undefined && url.host === publicHost);
  if (!ours) return location;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith(prefix) ? path : base + path;
}
