// Stand-in for this room's main(argv) until its own lands: runs today's cli.ts with `argv`.
export async function main(argv: string[]): Promise<void> {
  process.argv = [process.argv[0] ?? 'node', 'cli.ts', ...argv];
  await import('./cli.ts');
}
