#!/usr/bin/env node
// `npm start`: the whole weightlifter story on this machine with one command. See run.ts.
import { USAGE, parseDemoArgs } from './options.js';
import { runDemo } from './run.js';

let parsed;
try {
  parsed = parseDemoArgs(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`weightlifter demo: ${(err as Error).message}`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
await runDemo(parsed.options, { out: process.stdout, err: process.stderr, env: process.env });
