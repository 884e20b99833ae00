// What the page itself writes into xterm between two shells. Each socket gets a new shell, and a
// shell greets from wherever the cursor is: after the last prompt, or after a line half typed when
// the connection went. So the page moves to a fresh row first and says, dimmed, why there is a
// second greeting.
import type { CloseSeen } from './terminal-connection.ts';

const DIM = '\x1b[2m';
const NORMAL = '\x1b[22m';

/** Whether the cursor is at column 0 once `text` is written (a shell's output ends with its prompt). */
export function endsAtLineStart(text: string, before: boolean): boolean {
  if (text === '') return before;
  return text.endsWith('\n');
}

/**
 * The line written before a new shell's first output; '' for the first shell on a blank terminal.
 * Kept to one row (`cols` wide) so it never wraps into the greeting.
 */
export function sessionSeparator(options: { blank: boolean; atLineStart: boolean; after: CloseSeen | undefined; cols: number }): string {
  if (options.blank) return '';
  const cause = options.after ? `reconnected after ${options.after.code}${options.after.reason ? ` ${options.after.reason}` : ''}` : 'new session';
  const room = Math.max(8, options.cols - 5);
  const said = cause.length > room ? `${cause.slice(0, room - 1)}…` : cause;
  return `${options.atLineStart ? '' : '\r\n'}${DIM}— ${said} —${NORMAL}\r\n`;
}
