/** One printed result table: a title, column names and rows of already-formatted cells. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
}

/** Markdown, so a run's output can be pasted into the README as it is. */
export function formatTable(table: BenchTable): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [`### ${table.title}`, '', line(table.columns), line(table.columns.map(() => '---')), ...table.rows.map(line)];
  for (const note of table.notes ?? []) out.push('', note);
  return out.join('\n');
}
