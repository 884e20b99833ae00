/** One printed result table: a title, column names and rows of already-formatted cells. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
}

/** A goal judged in the run that measured it: ours ÷ the baseline's figure, against a bound. */
export interface BenchGoal {
  goal: string;
  ours: string;
  baseline: string;
  ratio: number;
  /** The ratio must be at most this (a cost, a latency) … */
  atMost?: number;
  /** … or at least this (a rate). */
  atLeast?: number;
}

/** What a benchmark module's run() returns. */
export interface BenchResult {
  tables: BenchTable[];
  goals: BenchGoal[];
}

/** Judged on the ratio as printed (two decimals): 1905 B against 1905 B is 1.00, and holds. */
export function holds(goal: BenchGoal): boolean {
  const ratio = Number(goal.ratio.toFixed(2));
  return (goal.atMost === undefined || ratio <= goal.atMost) && (goal.atLeast === undefined || ratio >= goal.atLeast);
}

/** Markdown, so a run's output can be pasted into the README as it is. */
export function formatTable(table: BenchTable): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [`### ${table.title}`, '', line(table.columns), line(table.columns.map(() => '---')), ...table.rows.map(line)];
  for (const note of table.notes ?? []) out.push('', note);
  return out.join('\n');
}

/** Every goal of the run in one table. */
export function goalsTable(goals: BenchGoal[], notes: string[]): BenchTable {
  return {
    title: 'Goals, judged in this run',
    columns: ['goal', 'ours', 'baseline', 'ratio', 'needs', 'holds'],
    rows: goals.map((g) => [g.goal, g.ours, g.baseline, g.ratio.toFixed(2), g.atMost !== undefined ? `≤ ${g.atMost}` : `≥ ${g.atLeast}`, holds(g) ? 'yes' : '**no**']),
    notes,
  };
}
