// npm run mock-socks -- --listen HOST:PORT … (see main.ts).
import { main } from './main.ts';

await main(process.argv.slice(2));
