// `tsx proxy/legacy/cli.ts [the proxy's options] [--profile legacy] [--legacy-… knobs]`
import { main } from './main.ts';

await main(process.argv.slice(2));
