// A SOCKS server whose every CONNECT leads to a code-server stand-in scripted in the SOCKS server's
// own socket: it reads the upgrade request, answers 101 and a "ready" text frame, then hands the
// socket to the test. So a test knows every byte the proxy sent upstream, and when.
import type { Socket } from 'node:net';
import { acceptKey } from '../ws/handshake.ts';
import { reader, startTinySocks, type TinySocks } from './tiny-socks.ts';

export async function startScriptedUpstream(afterReady: (socket: Socket) => void): Promise<TinySocks> {
  return startTinySocks({
    script: (socket: Socket) => {
      void (async () => {
        const read = reader(socket);
        const [, methods = 0] = await read(2);
        await read(methods);
        socket.write(Buffer.from([5, 0]));
        const [, , , atyp] = await read(4);
        await read(atyp === 1 ? 4 : atyp === 4 ? 16 : ((await read(1))[0] ?? 0));
        await read(2);
        socket.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
        let request = '';
        while (!request.endsWith('\r\n\r\n')) request += (await read(1)).toString('latin1');
        const key = /^sec-websocket-key:\s*(\S+)/im.exec(request)?.[1] ?? '';
        socket.removeAllListeners('data');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey(key)}\r\n\r\n`);
        socket.write(Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('ready')]));
        afterReady(socket);
      })();
    },
  });
}
