import { buildPage } from '../harness/page-build.ts';

/** The page is built once, before the workers start their stacks (they only serve the files). */
export default async function globalSetup(): Promise<void> {
  await buildPage();
}
