// The legacy entry's command line, the product's in every other way (../main.ts): the harness runs
// it as a proxy command with PROXY_PROFILE / LEGACY_* in the environment.
import { serve, type ServiceEntry } from '../main.ts';
import { legacyHelpText, loadLegacyConfig, type LegacyConfig } from './config.ts';
import { startLegacyProxy } from './index.ts';

const legacyEntry: ServiceEntry<LegacyConfig> = {
  name: 'proxy (legacy)',
  helpText: legacyHelpText,
  load: loadLegacyConfig,
  start: (config) => startLegacyProxy(config),
  startedFields: (config) => ({ profile: config.profile, legacy: Object.entries(config.legacy).filter(([, on]) => on).map(([knob]) => knob) }),
};

export async function main(argv: string[]): Promise<void> {
  await serve(legacyEntry, argv);
}
