// One fuzz shard in a child process: its own servers, targets, instrumentation and handle count.
import { runFuzz, type FuzzOptions } from './fuzzer.ts';

process.once('message', (options: FuzzOptions) => {
  void runFuzz(options).then((report) => process.send?.(report, () => process.exit(0)));
});
