// `proxy --listen HOST:PORT --socks URL --upstream URL [--terminal URL] …` (`npm run proxy -- …`).
import { main } from './main.ts';

await main(process.argv.slice(2));
