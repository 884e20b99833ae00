// A proxy's output cut to what a person needs: a traceback printed once per connection is the
// same story each time, so identical lines (numbers, ports and addresses aside) are shown once,
// at their last position, with how often they came, and only the last few are kept.

/** Numbers, ports, ids (UUIDs, hex runs) vary between repeats of the same line; they do not make it new. */
function shapeOf(line: string): string {
  return line.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|0x[0-9a-f]+|\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b|\d+/gi, '#');
}

/** The last `max` distinct lines of `lines`, oldest first, each with ` (×N)` when it came N > 1 times. */
export function distinctTail(lines: readonly string[], max: number): string[] {
  const last = new Map<string, { line: string; count: number; at: number }>();
  lines.forEach((line, at) => {
    if (line.trim() === '') return;
    const shape = shapeOf(line);
    const seen = last.get(shape);
    last.set(shape, { line, count: (seen?.count ?? 0) + 1, at });
  });
  return [...last.values()]
    .sort((a, b) => a.at - b.at)
    .slice(-max)
    .map(({ line, count }) => (count > 1 ? `${line} (×${count})` : line));
}
