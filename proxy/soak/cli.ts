// `npm run soak -- [--seconds 180] [--concurrency 64] [--seed 1] [--round-sessions 2000]`
import { main } from './run.ts';

await main(process.argv.slice(2));
