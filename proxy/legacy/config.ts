// The legacy entry's options: the product's table (../config.ts) plus a profile and one row per
// knob, parsed by the same code, so a harness that runs a proxy command can set them as
// environment variables (PROXY_PROFILE, LEGACY_*). The product's table has none of these rows.
import { configFrom, helpText, optionSpecs, type ProxyConfig } from '../config.ts';
import { ConfigError, readOptions, type OptionSpec } from '../options.ts';
import { legacyKnobsFor, type LegacyKnobs, type Profile } from './knobs.ts';

export interface LegacyConfig extends ProxyConfig {
  profile: Profile;
  legacy: LegacyKnobs;
}

type LegacyKey = 'profile' | `legacy.${keyof LegacyKnobs}`;

const knob = (name: keyof LegacyKnobs, flag: string, doc: string): OptionSpec<LegacyKey> => ({
  key: `legacy.${name}`,
  env: 'LEGACY_' + flag.toUpperCase().replace(/-/g, '_'),
  flag: `legacy-${flag}`,
  kind: 'bool',
  default: undefined,
  shown: '(profile)',
  doc,
});

export const legacyOptionSpecs: readonly OptionSpec<LegacyKey>[] = [
  { key: 'profile', env: 'PROXY_PROFILE', flag: 'profile', kind: 'string', default: 'fixed', doc: "fixed | legacy (the seed notes' choices; each knob below overrides it)" },
  knob('singleAddress', 'single-address', 'dial one SOCKS address only (ipv6-only-bind)'),
  knob('noTimeouts', 'no-timeouts', 'SOCKS / upgrade deadlines at their longest (blackhole, slow-handshake)'),
  knob('passThroughUpgrade', 'pass-through-upgrade', 'relay the upgrade as bytes: failures become 1006'),
  knob('dropQuery', 'drop-query', 'drop the WebSocket query string (query-dropped)'),
  knob('hostRewrite', 'host-rewrite', 'Host = upstream address, Origin kept (origin-mismatch)'),
  knob('noVsdaStubs', 'no-vsda-stubs', 'forward vsda.js / vsda_bg.wasm instead of empty 200s (vsda-404)'),
  knob('singleReadReplies', 'single-read-replies', 'first read after each SOCKS request = the whole reply (truncated-reply-split)'),
];

const allSpecs: readonly OptionSpec[] = [...optionSpecs, ...legacyOptionSpecs];

/** Environment first, then flags over it; the profile sets the knobs no variable or flag set. */
export function loadLegacyConfig(env: Record<string, string | undefined>, argv: readonly string[]): LegacyConfig {
  const values = readOptions(allSpecs, env, argv);
  const profile = values.profile;
  if (profile !== 'fixed' && profile !== 'legacy') throw new ConfigError(`--profile: expected fixed or legacy, got ${JSON.stringify(profile)}`);
  const knobs = legacyKnobsFor(profile);
  for (const name of Object.keys(knobs) as (keyof LegacyKnobs)[]) {
    const value = values[`legacy.${name}`];
    if (value !== undefined) knobs[name] = value === true;
  }
  return { ...configFrom(values, env), profile, legacy: knobs };
}

export function legacyHelpText(): string {
  return helpText('usage: tsx proxy/legacy/cli.ts [the proxy\'s options] [--profile legacy] [--legacy-… knobs]   (the harness\'s reproductions; never deploy)', allSpecs);
}
