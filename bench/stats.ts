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

/** The round's paths, rotated by round so no path always runs first (or right after another). */
export const rotated = <T>(xs: T[], round: number): T[] => xs.map((_, i) => xs[(i + round) % xs.length] as T);

/** The 1-minute load average, for the notes under a table: the machine is shared. */
export const loadAverage = (): string => loadavg()[0]?.toFixed(1) ?? '?';
