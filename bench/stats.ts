// Small statistics shared by the benches: figures are medians over interleaved rounds.
import { loadavg } from 'node:os';

export const median = (xs: number[]): number => percentile(xs, 0.5);

export function percentile(xs: number[], p: number): number {
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/**
 * a ÷ b for figures taken turn by turn: the median of each turn's ratio. Turns put the two paths
 * side by side in time, so a change of the machine's load between turns cancels out.
 */
export const pairedRatio = (a: number[], b: number[]): number => median(a.map((x, i) => x / (b[i] ?? NaN)));

/**
 * The round's paths in the round's order: every order in turn (n! of them), so each path runs
 * first, last and right after each other path equally often. A rotation alone would always put
 * the same path right after the same other one — with three paths, one proxy always after direct
 * (the shared SOCKS relay idle) and the other always after it (the relay just warmed).
 */
export function rotated<T>(xs: T[], round: number): T[] {
  const rest = [...xs];
  const out: T[] = [];
  let n = round;
  for (let k = rest.length; k > 0; k--) {
    out.push(rest.splice(n % k, 1)[0] as T);
    n = Math.floor(n / k);
  }
  return out;
}

/** The 1-minute load average, for the notes under a table: the machine is shared. */
export const loadAverage = (): string => loadavg()[0]?.toFixed(1) ?? '?';
