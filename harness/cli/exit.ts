// How every harness subcommand ends. Exit status: the command's own (0 / 1 / 3 …), or 2 when
// nothing could be judged — a usage error (one line, no stack), a setup error such as a proxy
// that never listened (its output included), or a fault in the harness itself (with its stack).
const SETUP_ERROR = 2;

/** Stable codes of the errors that are the user's to fix, shown as one message without a stack. */
const usageCodes = new Set(['cli.usage', 'scenario.unknown']);
const setupCodes = new Set(['proxy.not_listening', 'code_server.source_refused', 'browser.launch_failed', 'EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

function describeFailure(name: string, error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && usageCodes.has(code)) return `tailnet-harness ${name}: ${message}`;
  if (typeof code === 'string' && setupCodes.has(code)) return `tailnet-harness ${name}: setup error: ${message}`;
  return `tailnet-harness ${name}: harness error: ${error instanceof Error ? (error.stack ?? message) : message}`;
}

/**
 * Runs a subcommand's body: a number is the exit status, undefined means it keeps running (a
 * server stopped by its signal handlers).
 */
export async function runCommand(name: string, body: () => Promise<number | undefined>): Promise<void> {
  let status: number | undefined;
  try {
    status = await body();
  } catch (error) {
    console.error(describeFailure(name, error));
    status = SETUP_ERROR;
  }
  if (status !== undefined) process.exit(status);
}
