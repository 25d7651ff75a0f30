#!/usr/bin/env node
// The `weightlifter` command: `run` (the controller), `metrics-api` (the SMI TrafficMetrics
// aggregated API server), `smi-adapter` (SMI TrafficSplits as Gateway API HTTPRoutes) and the
// operator commands (status, promote, abort, retry, pause, resume, validate).
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { dashboardCommand } from '../dashboard/command.js';
import { registerMetricsApiCommand } from '../metrics-api/cli.js';
import { registerSmiAdapterCommand } from '../smi-adapter/cli.js';
import { registerOpsCommands } from './commands/index.js';
import { runCommand } from './run-command.js';

// src/cli/main.ts and dist/cli/main.js both sit two levels below the package root.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version?: string;
};

const program = new Command('weightlifter')
  .description(
    'progressive delivery (canary) controller for Kubernetes over SMI TrafficSplit or Gateway API HTTPRoute',
  )
  .version(pkg.version ?? '0.0.0')
  .addCommand(runCommand());
registerOpsCommands(program);
registerMetricsApiCommand(program);
program.addCommand(dashboardCommand());
registerSmiAdapterCommand(program);

await program.parseAsync(process.argv);
