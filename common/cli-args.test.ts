import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs, wholeNumberFlag } from './cli-args.ts';

const spec = { listen: 'value', fault: 'values', json: 'none', 'access-log': 'optional', help: 'none' } as const;

describe('parseArgs', () => {
  it('reads values spaced or inline, repeats, switches and optional values', () => {
    const { flags } = parseArgs(['--listen', '127.0.0.1:0', '--fault={"type":"a=b"}', '--fault', '--x', '--json', '--access-log', 'false'], spec);
    expect(flags).toEqual({ listen: '127.0.0.1:0', fault: ['{"type":"a=b"}', '--x'], json: true, 'access-log': 'false', help: false });
  });

  it('gives absent flags their empty value, the last single value wins, and a bare optional flag is true', () => {
    expect(parseArgs([], spec).flags).toEqual({ listen: undefined, fault: [], json: false, 'access-log': undefined, help: false });
    expect(parseArgs(['--listen', 'a:1', '--listen=b:2'], spec).flags.listen).toBe('b:2');
    expect(parseArgs(['--access-log', '--json'], spec).flags).toMatchObject({ 'access-log': 'true', json: true });
    expect(parseArgs(['--access-log'], spec).flags['access-log']).toBe('true');
  });

  it('takes -h for --help, and positionals only when allowed (all of them after --)', () => {
    expect(parseArgs(['-h'], spec).flags.help).toBe(true);
    expect(parseArgs(['blackhole', '--json', '--', '--not-a-flag'], spec, { allowPositionals: true })).toMatchObject({ positionals: ['blackhole', '--not-a-flag'] });
  });

  it.each([
    [['--nope'], 'unknown option --nope (see --help)'],
    [['--nope=1'], 'unknown option --nope (see --help)'],
    [['-x'], 'unknown option -x (see --help)'],
    [['-listen', 'a:1'], 'unknown option -listen (see --help)'],
    [['--constructor'], 'unknown option --constructor (see --help)'],
    [['extra'], 'unexpected argument "extra" (see --help)'],
    [['--', 'extra'], 'unexpected argument "extra" (see --help)'],
    [['--listen'], '--listen needs a value'],
    [['--fault'], '--fault needs a value'],
    [['--json=yes'], '--json takes no value'],
  ])('%j is a usage error: %s', (argv, message) => {
    let thrown: unknown;
    try {
      parseArgs(argv, spec);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(thrown).toMatchObject({ code: 'cli.usage', message });
  });
});

describe('wholeNumberFlag', () => {
  it('reads decimal digits at or above the minimum, and nothing when the flag is absent', () => {
    expect(wholeNumberFlag('seed', undefined)).toBeUndefined();
    expect(wholeNumberFlag('seed', '0')).toBe(0);
    expect(wholeNumberFlag('count', '65536', 1)).toBe(65536);
  });

  it.each([['-1', 0], ['1.5', 0], ['1e3', 0], ['', 0], ['0x10', 0], ['0', 1], ['99999999999999999999', 0]])('refuses %j (min %i)', (value, min) => {
    expect(() => wholeNumberFlag('n', value, min)).toThrow(new UsageError(`--n: expected a whole number from ${min}, got ${JSON.stringify(value)}`));
  });
});
