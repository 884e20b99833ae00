// `npm run tap -- …` until the package's single bin dispatches to ./tap.ts.
import { main } from './tap.ts';

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`tap: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
