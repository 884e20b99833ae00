// The tailnet side of the WebSocket benches, one child process: the echo upstream, reachable only
// through mock-socks as 100.84.184.84:8888. Prints `{"echoPort":…,"socksPort":…}` as its first line.
import { startMockSocks } from '../../mock-socks/index.ts';
import { startEchoUpstream } from '../echo-upstream.ts';

const PEER = '100.84.184.84'; // the tailnet address the proxies are configured with

const echo = await startEchoUpstream();
const socks = await startMockSocks({ peers: [{ address: PEER, ports: { 8888: `127.0.0.1:${echo.port}` } }] });
console.log(JSON.stringify({ echoPort: echo.port, socksPort: socks.port }));
process.on('SIGTERM', () => process.exit(0));
