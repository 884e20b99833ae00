// The mock tailnet's fixed names: one peer, "devbox", serving code-server on 8888 and the
// terminal on 7681, as in the seed notes. Its ports map to wherever mock-code-server listens.
import type { PeerSpec, PeerState } from '../mock-socks/index.ts';

export const devbox = {
  address: '100.84.184.84',
  names: ['devbox', 'devbox.tail1234.ts.net'],
  codePort: 8888,
  terminalPort: 7681,
} as const;

/** devbox as mock-socks serves it (and the stack reports it): code-server's port and the terminal's, mapped to local `HOST:PORT`s. */
export function devboxPeer(codeTarget: string, terminalTarget: string, state: PeerState): Required<PeerSpec> {
  return { address: devbox.address, names: [...devbox.names], ports: { [devbox.codePort]: codeTarget, [devbox.terminalPort]: terminalTarget }, state };
}

export const upstreamUrl = `http://${devbox.address}:${devbox.codePort}`;
/** mock-code-server serves the terminal at /terminal; the peer's 7681 is the same server. */
export const terminalUrl = `ws://${devbox.address}:${devbox.terminalPort}/terminal`;

/** SOCKS5_PROXY for a variant: `{port}` in the scenario's template is the mock's port. */
export function socksUrlFor(template: string | undefined, fallback: string, port: number): string {
  return (template ?? fallback).replace('{port}', String(port));
}
