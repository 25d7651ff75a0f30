// The operator-facing subcommands (everything but `run`). main.ts calls registerOpsCommands once;
// tests call it with their own CliDeps to run commands in-process.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MANUAL_OPERATIONS } from '../../api/constants.js';
import { connectDefault, type CliDeps } from './context.js';
import { operationCommand } from './operations.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';

export type { CliDeps } from './context.js';

async function readInput(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Ends `--watch` on Ctrl-C / SIGTERM; a second Ctrl-C falls through to the default (exit). */
function signalWatch(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

export function processDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    connect: connectDefault,
    now: () => Date.now(),
    sleep,
    watchSignal: signalWatch,
    setExitCode: (code) => {
      process.exitCode = code;
    },
    readFile: readInput,
  };
}

export function registerOpsCommands(program: Command, deps: CliDeps = processDeps()): Command {
  program.addCommand(statusCommand(deps));
  for (const action of MANUAL_OPERATIONS) program.addCommand(operationCommand(action, deps));
  program.addCommand(validateCommand(deps));
  return program;
}
