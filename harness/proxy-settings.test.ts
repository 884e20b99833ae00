// A proxy command gets the scenario as environment variables; a knob with no variable name was
// silently dropped (singleReadReplies was), so `--proxy-cmd "npm run proxy"` ran a different row.
import { describe, expect, it } from 'vitest';
import type { ProxyConfig } from '../proxy/index.ts';
import { loadLegacyConfig } from '../proxy/legacy/index.ts';
import { proxyEnvFor, proxyOptionsFor } from './proxy-settings.ts';
import { variants, scenarios } from './scenarios/index.ts';

const where = { socksUrl: 'socks5h://localhost:1055', port: 41000 };
const settingKeys = (options: object) => Object.keys(options).filter((key) => key !== 'beforeDial' && key !== 'listen' && key !== 'legacy') as (keyof ProxyConfig)[];

describe('a proxy command is configured as our in-process proxy is', () => {
  for (const scenario of scenarios) {
    for (const variant of variants) {
      it(`${scenario.id} / ${variant}`, () => {
        const options = proxyOptionsFor(scenario, variant, where);
        const fromEnv = loadLegacyConfig(proxyEnvFor(scenario, variant, where), []);
        expect(fromEnv.legacy).toEqual({ ...loadLegacyConfig({ UPSTREAM_URL: 'http://x' }, []).legacy, ...options.legacy });
        for (const key of settingKeys(options)) expect(fromEnv[key], key).toEqual(options[key]);
      });
    }
  }
});
