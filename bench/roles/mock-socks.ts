// mock-socks alone, for the SOCKS relay bench: `mock-socks TARGET_PORT` maps 100.84.184.84:80 to
// 127.0.0.1:TARGET_PORT; prints `listening on 127.0.0.1:PORT` as its first line.
import { startMockSocks } from '../../mock-socks/index.ts';

const socks = await startMockSocks({ peers: [{ address: '100.84.184.84', ports: { 80: `127.0.0.1:${process.argv[2]}` } }] });
console.log(`listening on 127.0.0.1:${socks.port}`);
process.on('SIGTERM', () => process.exit(0));
