// The seed notes' original choices, each reproducing one failure of the scenario catalog, so the
// harness can show each failure next to its fix. Nothing here is part of the deployed service.

export interface LegacyKnobs {
  /** Dial the SOCKS host as one address (the first the resolver gives), never every address. Scenario `ipv6-only-bind`. */
  singleAddress: boolean;
  /** Every SOCKS and upgrade deadline at the longest the product allows. Scenarios `blackhole`, `slow-handshake`. */
  noTimeouts: boolean;
  /** Pass the upgrade through as bytes: any failure reaches the browser as 1006. Scenarios `peer-down`, `upstream-drops`, `tunnel-idle`. */
  passThroughUpgrade: boolean;
  /** Drop the WebSocket query string (the reconnectionToken). Scenario `query-dropped`. */
  dropQuery: boolean;
  /** Rewrite Host to the upstream's address but keep the browser's Origin. Scenario `origin-mismatch`. */
  hostRewrite: boolean;
  /** Forward the vsda requests (404 upstream) instead of answering empty 200s. Scenario `vsda-404`. */
  noVsdaStubs: boolean;
  /** Take the first read after each SOCKS request as the whole reply (the seeds' `sock.recv`): a reply in pieces is misparsed. Scenario `truncated-reply-split`. */
  singleReadReplies: boolean;
}

export type Profile = 'fixed' | 'legacy';

const knobNames: (keyof LegacyKnobs)[] = ['singleAddress', 'noTimeouts', 'passThroughUpgrade', 'dropQuery', 'hostRewrite', 'noVsdaStubs', 'singleReadReplies'];

/** The knobs a profile turns on: all of them for `legacy`, none for `fixed`. */
export function legacyKnobsFor(profile: Profile): LegacyKnobs {
  return Object.fromEntries(knobNames.map((name) => [name, profile === 'legacy'])) as unknown as LegacyKnobs;
}
