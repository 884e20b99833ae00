// Catalog rows of the platform's own limits and code-server's lifecycle: Cloud Run counting an open
// WebSocket as a request and throttling the CPU between requests (its documentation), and
// code-server forgetting its sessions when it restarts.
import { timing } from './timing.ts';
import type { Scenario } from './types.ts';

export const platformScenarios: Scenario[] = [
  {
    id: 'session-lost',
    needs: 'any-proxy',
    title: 'code-server restarts mid-session and forgets its reconnection tokens: the workbench gives up until a reload',
    wrong: 'code-server restarts (or the reconnection grace expired): every socket ends, and the reconnection is answered "Unknown reconnection token"',
    evidence: ['coder/code-server#6982', 'coder/code-server#4591', 'microsoft/vscode#196058'],
    remedy: 'reload the window (a session code-server no longer knows cannot be resumed); keep code-server from restarting under the workbench',
    tailnet: { serverFaults: [{ type: 'restart', attributes: { afterMessages: 40 }, which: { first: 1 } }] },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    expect: {
      legacy: { says: '1006, then "Unknown reconnection token": the workbench gives up', closeCodes: [1006], workbenchSaw: 'Unknown reconnection token' },
      fixed: {
        says: 'the end is a close frame naming it (1014, code-server ended the connection), and the page shows the permanent failure in words: "Unknown reconnection token … Please reload the window"',
        closeCodes: [1014],
        reason: 'ended_without_close|ended|without a close',
        workbenchSaw: 'Unknown reconnection token',
      },
    },
  },
  {
    id: 'cloud-run-concurrency',
    needs: 'any-proxy',
    faultSits: 'in-front',
    title: "Cloud Run's maximum concurrent requests: each open WebSocket holds one; the next upgrade waits, then 429",
    wrong: `every instance is at its maximum concurrent requests (1 here, 80 by default) and no other may start: the next upgrade waits in the request queue (${timing.requestQueueMs} ms; 10 s real), then gets 429`,
    evidence: ['cloud.google.com/run/docs/about-concurrency', 'cloud.google.com/run/docs/about-instance-autoscaling ("Exceeding maximum instances")', 'cloud.google.com/run/docs/triggering/websockets'],
    remedy: 'gcloud run deploy --concurrency (up to 1000; each workbench window holds 2 WebSockets, a terminal 1) and --max-instances; the proxy holds ~14 KiB per session',
    tailnet: {},
    front: [{ type: 'max-websockets', attributes: { limit: 1, queueMs: timing.requestQueueMs } }],
    legacyKnobs: [],
    probe: 'workbench',
    expect: {
      legacy: { says: 'the extension host upgrade waits in the queue, then 429: 1006', closeCodes: [1006], closeAfterMs: timing.requestQueueMs * 0.9 },
      fixed: {
        says: 'reproduce and name the cause: "every instance is at its maximum concurrent requests … waited in the request queue, then 429"',
        closeCodes: [1006],
        closeAfterMs: timing.requestQueueMs * 0.9,
        namesCause: 'maximum concurrent requests.*request queue',
      },
    },
  },
  {
    id: 'cloud-run-cpu-throttled',
    needs: 'any-proxy',
    title: "tailscaled in the container is throttled between requests: the first dial after idle stalls and fails",
    wrong: 'with CPU only during requests (the default), tailscaled misses its keepalives, rekeys and map polls while no request is open; the first CONNECT after idle waits, then fails (05 01)',
    evidence: ['cloud.google.com/run/docs/configuring/billing-settings', 'cloud.google.com/run/docs/tips/general'],
    remedy: 'gcloud run deploy --no-cpu-throttling (instance-based billing), --min-instances 1, /readyz as the startup probe',
    // Idle longer than idleMs before the first connection (quietMs), so its CONNECT finds tailscaled
    // behind; the workbench's retry a second later comes sooner than idleMs after, and lands.
    tailnet: { socksFaults: [{ type: 'throttled-between-requests', attributes: { stallMs: 400, idleMs: 1500, failConnects: 1 } }] },
    legacyKnobs: ['passThroughUpgrade'],
    probe: 'workbench',
    quietMs: 1800,
    expect: {
      legacy: { says: 'the stalled, failed CONNECT passes through as 1006', closeCodes: [1006], socksLog: 'context deadline exceeded' },
      fixed: {
        says: "close frame naming the failed CONNECT (1014), then the workbench's retry lands once tailscaled caught up; never 1006",
        closeCodes: [1014],
        reason: 'general.failure|unreachable',
        socksLog: 'context deadline exceeded',
        workbench: 'connects',
      },
    },
  },
];
