// Catalog rows whose fault clears: the tailnet peer goes away while the workbench is open, stays
// away ten times the workbench's handshake wait, and comes back. What is judged is the recovery:
// no 1006, nothing lost, and how long after the peer's return the workbench is back (the probe
// reports it with the attempts in between; the recovery spec judges it per phase of return).
import { timing } from './timing.ts';
import type { Scenario } from './types.ts';

const outageMs = 10 * timing.handshakeWaitMs;

export const outageScenarios: Scenario[] = [
  {
    id: 'peer-outage',
    needs: 'any-proxy',
    title: 'the tailnet peer refuses for 10× the handshake wait mid-session, then comes back',
    wrong: 'the peer is gone for 100 s while the workbench is open: its tunnels end and every CONNECT gets 05 01 at once',
    tailnet: {},
    outage: { peerState: 'refusing', forMs: outageMs },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: "1006 on the drop and on every attempt; back on the workbench's own schedule", closeCodes: [1006], workbench: 'recovers' },
      fixed: {
        says: "close frames only; the connections kept open through the outage and closed once the peer answers, so each is back at its first attempt, within a pause of the proxy's retries; nothing lost",
        closeCodes: [1014],
        reason: 'upstream\\.(ended_without_close|reset)',
        workbench: 'recovers',
      },
    },
  },
  {
    id: 'peer-outage-down',
    needs: 'any-proxy',
    title: 'the tailnet peer is down for 10× the handshake wait mid-session, then comes back',
    wrong: "the peer is gone for 100 s while the workbench is open: its tunnels end and every CONNECT waits out tailscaled's dial budget",
    tailnet: {},
    outage: { peerState: 'down', forMs: outageMs },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: "1006 on the drop and on every attempt; back on the workbench's own schedule", closeCodes: [1006], workbench: 'recovers' },
      fixed: {
        says: "close frames only; the connections kept open through the outage and closed once a dial started after the peer's return lands, so each is back at its first attempt; nothing lost",
        closeCodes: [1014],
        reason: 'upstream\\.(ended_without_close|reset)',
        workbench: 'recovers',
      },
    },
  },
];
