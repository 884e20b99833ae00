import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectWorkbench } from '../common/workbench.ts';
import { startServer } from '../node/server.ts';
import { COMMIT, openRaw, wsUrl } from './raw-client.ts';

describe('permessage-deflate', () => {
  for (const enabled of [false, true]) {
    it(`${enabled ? 'accepts' : 'declines'} the extension the client offers, and the protocol works either way`, async () => {
      const server = await startServer({ timeScale: 0.05, perMessageDeflate: enabled });
      try {
        const raw = await openRaw(wsUrl(server.url, { reconnectionToken: `deflate-${enabled}` }));
        expect(raw.ws.extensions.startsWith('permessage-deflate')).toBe(enabled);
        raw.ws.terminate();
        const workbench = await connectWorkbench({ baseUrl: server.url, WebSocket, commit: COMMIT, timeScale: 0.05 });
        await workbench.extensionHost!.ready();
        const payload = new TextEncoder().encode('compressible '.repeat(100_000));
        const echo = await new Promise<Uint8Array>((resolve) => {
          workbench.extensionHost!.onMessage(resolve);
          workbench.extensionHost!.send(payload);
        });
        expect(Buffer.from(echo).equals(payload)).toBe(true);
        workbench.close();
      } finally {
        await server.close();
      }
    });
  }
});
