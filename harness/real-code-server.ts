// A real code-server as the tailnet peer's code-server, in place of mock-code-server: a command
// that serves on 127.0.0.1:$PORT (e.g. harness/examples/real-code-server.ts, which keeps it off the
// network), or the URL of one already running on loopback. The harness reads its commit from its
// page, as the workbench's own URLs name it.
import { commitFromWorkbenchPage } from '../mock-code-server/common/index.ts';
import { freePort } from './free-port.ts';
import { startProxyProcess } from './proxy-process.ts';

export type CodeServerSource = { command: string } | { url: string };

export interface RealCodeServer {
  host: string;
  port: number;
  url: string;
  commit: string;
  /** What the command printed (nothing for a URL). */
  output(): string[];
  close(): Promise<void>;
}

/** A URL off loopback, or not http: refused, since nothing here may send a packet off the machine. */
export class CodeServerSourceError extends Error {
  readonly code = 'code_server.source_refused';
}

/** `--code-server-cmd` / `--code-server-url`, else HARNESS_CODE_SERVER_CMD / HARNESS_CODE_SERVER_URL; undefined: the mock. */
export function codeServerSource(flags: { command?: string; url?: string }, env: Record<string, string | undefined> = process.env): CodeServerSource | undefined {
  const command = flags.command ?? (flags.url === undefined ? env.HARNESS_CODE_SERVER_CMD || undefined : undefined);
  const url = flags.url ?? (flags.command === undefined ? env.HARNESS_CODE_SERVER_URL || undefined : undefined);
  if (command !== undefined && url !== undefined) throw new CodeServerSourceError('give a code-server command or a URL, not both');
  if (command !== undefined) return { command };
  return url === undefined ? undefined : { url };
}

export async function startRealCodeServer(source: CodeServerSource): Promise<RealCodeServer> {
  if ('url' in source) {
    const url = loopbackUrl(source.url);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), url: url.origin, commit: await commitOf(url.origin), output: () => [], close: async () => {} };
  }
  const port = await freePort();
  // code-server installs and starts in seconds, and its first start writes its config.
  const child = await startProxyProcess({ command: source.command, port, env: { PORT: String(port) }, readyTimeoutMs: 90_000, what: 'code-server' });
  try {
    return { host: child.host, port, url: child.url, commit: await commitOf(child.url), output: child.output, close: child.stop };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

function loopbackUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CodeServerSourceError(`--code-server-url: not a URL: ${JSON.stringify(raw)}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'http:') throw new CodeServerSourceError(`--code-server-url: expected http://, got ${url.protocol}`);
  if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) throw new CodeServerSourceError(`--code-server-url must be on loopback (127.0.0.0/8, ::1, localhost): ${url.host} is not`);
  return url;
}

/** The commit the workbench page names in its asset paths; the root redirects to `./?folder=…` first. */
async function commitOf(origin: string): Promise<string> {
  const page = await fetch(`${origin}/`).then((res) => res.text(), (error: Error) => {
    throw new CodeServerSourceError(`code-server at ${origin} did not answer: ${error.message}`);
  });
  const commit = commitFromWorkbenchPage(page);
  if (!commit) throw new CodeServerSourceError(`${origin}/ is not a code-server workbench page (no stable-<commit> in it; a password set? run it with --auth none)`);
  return commit;
}
