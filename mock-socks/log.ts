// tailscaled's log output for the SOCKS5 server: lines prefixed 'socks5: ', Go's log package time
// prefix when stderr is not a terminal, and (optionally) tailscaled's per-format rate limiter.

export const LOG_PREFIX = 'socks5: ';
/** The format string tailscaled logs every connection failure with; the rate limiter keys on it. */
export const FAILURE_FORMAT = 'socks5: client connection failed: %v';
export const FAILURE_PREFIX = 'socks5: client connection failed: ';

/** Go's log.LstdFlags prefix: local time, 'YYYY/MM/DD HH:MM:SS '. */
export function goTimePrefix(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}/${two(date.getMonth() + 1)}/${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} `;
}

export interface RateLimit {
  burst: number;
  intervalMs: number;
}

/** tailscaled's logger.RateLimitedFn: a token bucket per format string (refilled one token per
 * interval, whole intervals only). The line that takes the last token is followed at once by
 * `[RATELIMIT] format("…")`; lines stay blocked until two tokens are back, and the first line let
 * through after that is preceded by `… (N dropped)` when more than one was dropped. */
class FormatRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; blocked: number }>();
  constructor(private readonly limit: RateLimit, private readonly now: () => number) {}

  /** Lines to print for one log call of this format: [] when dropped. */
  admit(format: string, line: string): string[] {
    const now = this.now();
    let bucket = this.buckets.get(format);
    if (!bucket) {
      bucket = { tokens: this.limit.burst, at: now, blocked: 0 };
      this.buckets.set(format, bucket);
    }
    const ticks = Math.floor((now - bucket.at) / this.limit.intervalMs);
    if (ticks > 0) {
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ticks);
      bucket.at += ticks * this.limit.intervalMs;
    }
    const quoted = JSON.stringify(format);
    const out: string[] = [];
    // Two tokens, not one, so the log does not flap between blocked and unblocked.
    if (bucket.blocked > 0 && bucket.tokens >= 2) {
      // The count excludes the line the announcement stood for.
      if (bucket.blocked > 1) out.push(`[RATELIMIT] format(${quoted}) (${bucket.blocked - 1} dropped)`);
      bucket.blocked = 0;
    }
    if (bucket.blocked === 0 && bucket.tokens > 0) {
      bucket.tokens -= 1;
      out.push(line);
      if (bucket.tokens === 0) {
        bucket.blocked = 1;
        out.push(`[RATELIMIT] format(${quoted})`);
      }
    } else {
      bucket.blocked += 1;
    }
    return out;
  }
}

export interface LoggerOptions {
  stream?: NodeJS.WritableStream | null;
  rateLimit?: RateLimit;
  now?: () => number;
}

export class SocksLogger {
  readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly limiter: FormatRateLimiter | undefined;
  private readonly stream: NodeJS.WritableStream | null;
  private readonly usePrefix: boolean;

  constructor(options: LoggerOptions = {}) {
    this.stream = options.stream ?? null;
    // Spec, "Log format": the time prefix appears when stderr is not a terminal (containers,
    // Cloud Run), which is where these lines are read in the seeds; a terminal gets bare lines.
    this.usePrefix = !(this.stream as { isTTY?: boolean } | null)?.isTTY;
    this.limiter = options.rateLimit ? new FormatRateLimiter(options.rateLimit, options.now ?? Date.now) : undefined;
  }

  /** One connection failure, as `socks5: client connection failed: <message>`. */
  failure(message: string): void {
    this.emit(FAILURE_FORMAT, FAILURE_PREFIX + message);
  }

  /** Any other line of the socks5 logger, keyed by its format string for the rate limiter. */
  emit(format: string, line: string): void {
    const out = this.limiter ? this.limiter.admit(format, line) : [line];
    for (const text of out) {
      this.lines.push(text);
      this.stream?.write((this.usePrefix ? goTimePrefix(new Date()) : '') + text + '\n');
      for (const fn of this.listeners) fn(text);
    }
  }

  on(fn: (line: string) => void): void {
    this.listeners.add(fn);
  }

  off(fn: (line: string) => void): void {
    this.listeners.delete(fn);
  }
}
