#!/usr/bin/env node
// The `tailnet-harness` bin: this process is the server it starts, so a signal sent to it
// reaches the server (no npm or shell in between to swallow it).
import { dispatch } from './commands.ts';

await dispatch(process.argv.slice(2));
