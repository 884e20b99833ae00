// The mock-code-server command: main.ts does the work.
import { main } from './main.ts';

await main(process.argv.slice(2));
