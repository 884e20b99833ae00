// The harness's legacy entry point: the product (../index.ts) with the seed notes' choices put back,
// one knob at a time, so each failure of the scenario catalog can be shown next to its fix. The
// production entry point (../cli.ts, ../main.ts) cannot reach this folder; a test bundles it to prove it.
import { resolveConfig, startProxy, type ProxyHandle, type StartProxyOptions } from '../server.ts';
import { legacyKnobsFor, type LegacyKnobs, type Profile } from './knobs.ts';
import { legacyParts, withKnobSettings } from './parts.ts';

export { legacyKnobsFor, type LegacyKnobs, type Profile } from './knobs.ts';
export { loadLegacyConfig, legacyOptionSpecs, type LegacyConfig } from './config.ts';

export interface LegacyProxyOptions extends StartProxyOptions {
  /** `legacy` turns every knob on; `fixed` (default) none. */
  profile?: Profile;
  /** Knobs set one by one, over the profile's. */
  legacy?: Partial<LegacyKnobs>;
}

function knobsOf(options: Pick<LegacyProxyOptions, 'profile' | 'legacy'>): LegacyKnobs {
  return { ...legacyKnobsFor(options.profile ?? 'fixed'), ...options.legacy };
}

export async function startLegacyProxy(options: LegacyProxyOptions): Promise<ProxyHandle> {
  const { profile: _profile, legacy: _legacy, ...product } = options;
  const knobs = knobsOf(options);
  const config = withKnobSettings(resolveConfig(product), knobs);
  return startProxy({ ...product, ...config }, (resolved, hooks) => legacyParts(resolved, hooks, knobs));
}
