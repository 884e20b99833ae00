// The bench's command line: what a mistyped option says, and the three kinds of baseline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseBenchArgs } from './options.ts';

const parse = (...argv: string[]) => parseBenchArgs(argv, {});

describe('npm run bench -- …', () => {
  it('takes benchmark names beside flags and their values', () => {
    const { names, options } = parse('proxy-ws', '--figures', 'rtt', '--blocks', '6');
    expect(names).toEqual(['proxy-ws']);
    expect(options).toMatchObject({ wsFigures: ['rtt'], blocks: 6, baseline: 'usual' });
  });

  it('measures against the usual stack, a second copy, or a bundle built at another commit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-options-'));
    const bundle = join(dir, 'before.mjs');
    writeFileSync(bundle, '');
    try {
      expect(parse('--baseline', 'same').options.baseline).toBe('same');
      expect(parse('--baseline', bundle).options.baseline).toEqual({ bundle });
      expect(parseBenchArgs([], { BENCH_BASELINE: bundle }).options.baseline).toEqual({ bundle });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a baseline that is none of them, naming what it expected or how to build the bundle', () => {
    expect(() => parse('--baseline', 'fast')).toThrow(new ConfigError('--baseline: expected usual, same or the path of a proxy bundle (.mjs), got "fast"'));
    expect(() => parse('--baseline', '/nonexistent/before.mjs')).toThrow(/no bundle at \/nonexistent\/before\.mjs \(build one with: npx tsx proxy\/deploy\/bundle\.ts \/nonexistent\/before\.mjs\)/);
  });

  it('writes the README only from a run of everything with the defaults', () => {
    expect(() => parse('--readme', 'proxy-ws')).toThrow(ConfigError);
    expect(() => parse('--readme', '--baseline', 'same')).toThrow(ConfigError);
  });
});
