// The room boundaries in eslint.config.mjs, shown to fire: an import across each boundary, linted as
// if it were a file in that room, is refused; the same file importing what it may is not; and the
// tree as it stands passes. Only no-restricted-imports runs (no type information: fast).
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({
  cwd: fileURLToPath(new URL('.', import.meta.url)),
  overrideConfig: { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

/** The no-restricted-imports messages for `source` placed at `filePath`. */
async function refusals(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const refused: [string, string, RegExp][] = [
  ['mock-socks/probe.ts', "import { startServer } from '../mock-code-server/index.ts';", /mock-socks imports no other room/],
  ['mock-socks/faults/probe.ts', "export { startStack } from '../../harness/stack.ts';", /mock-socks imports no other room/],
  ['mock-socks/test/probe.test.ts', "import type { ProxyConfig } from '../../proxy/index.ts';", /mock-socks imports no other room/],
  ['mock-code-server/node/probe.ts', "import { startMockSocks } from '../../mock-socks/index.ts';", /mock-code-server imports no other room/],
  ['mock-code-server/test/probe.test.ts', "import { startStack } from '../../harness/stack.ts';", /mock-code-server imports no other room/],
  ['mock-code-server/common/probe.ts', "import { connect } from 'node:net';", /browser-side code: no Node modules/],
  ['mock-code-server/common/probe.ts', "import { startMockSocks } from '../../mock-socks/index.ts';", /mock-code-server imports no other room/],
  ['harness/page/src/probe.ts', "import { readFileSync } from 'node:fs';", /browser-side code: no Node modules/],
  ['harness/page/src/ui/probe.ts', "import { WebSocket } from 'ws';", /browser-side code: no Node modules/],
  ['proxy/probe.ts', "import { startMockSocks } from '../mock-socks/index.ts';", /imports only its own product files and common/],
  ['proxy/ws/probe.ts', "import { startStack } from '../../harness/stack.ts';", /imports only its own product files and common/],
  ['proxy/probe.ts', "import { legacyParts } from './legacy/index.ts';", /imports only its own product files and common/],
  ['proxy/socks/probe.ts', "import { SocksClient } from 'socks';", /no runtime dependency/],
  ['proxy/ws/probe.test.ts', "import { ProtocolReader } from '../../mock-code-server/common/framing.ts';", /proxy imports no other room/],
  ['proxy/test/probe.ts', "import { startMockSocks } from '../../mock-socks/index.ts';", /proxy imports no other room/],
  ['common/probe.ts', "import { CloseCode } from '../proxy/errors.ts';", /common\/ imports only its own files/],
  ['common/probe.ts', "import { isIP } from 'node:net';", /common\/ imports only its own files/],
  ['common/probe.ts', "import { WebSocket } from 'ws';", /common\/ imports only its own files/],
  ['common/probe.test.ts', "import { startMockSocks } from '../mock-socks/index.ts';", /common\/ imports no other room/],
];

const allowed: [string, string][] = [
  ['mock-socks/probe.ts', "import { splitHostPort } from '../common/host-port.ts';\nimport { parseGreeting } from './codec.ts';"],
  ['mock-code-server/common/probe.ts', "import { CloseCode } from '../../common/close-codes.ts';\nimport { ProtocolReader } from './framing.ts';"],
  ['mock-code-server/node/probe.ts', "import { createServer } from 'node:http';\nimport { ProtocolReader } from '../common/framing.ts';"],
  ['harness/page/src/probe.ts', "import { closeCodeName } from '../../../common/close-codes.ts';\nimport { connectWorkbench } from '../../../mock-code-server/common/index.ts';"],
  ['harness/probe.ts', "import { startMockSocks } from '../mock-socks/index.ts';\nimport { startProxy } from '../proxy/index.ts';\nimport { readFileSync } from 'node:fs';"],
  ['proxy/ws/probe.ts', "import { closeFrame } from '../../common/websocket-frame.ts';\nimport { Opcode } from './validation.ts';"],
  ['common/probe.ts', "import { CloseCode } from './close-codes.ts';"],
  ['common/probe.test.ts', "import { describe } from 'vitest';\nimport { CloseCode } from './close-codes.ts';"],
];

describe('room boundaries (eslint.config.mjs)', () => {
  it.each(refused)('%s: refuses %s', async (filePath, source, message) => {
    const messages = await refusals(filePath, source);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(message);
  });

  it.each(allowed)('%s: allows %s', async (filePath, source) => {
    expect(await refusals(filePath, source)).toEqual([]);
  });

  it('the tree as it stands crosses no boundary', async () => {
    const results = await eslint.lintFiles(['.']);
    expect(results.length).toBeGreaterThan(300);
    const crossings = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(crossings).toEqual([]);
  }, 120_000);
});
