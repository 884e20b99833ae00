// `npm run doctor -- …` until the package's single bin dispatches to ./doctor.ts.
import { main } from './doctor.ts';

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`doctor: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
