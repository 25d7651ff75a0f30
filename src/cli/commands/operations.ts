// `weightlifter promote|abort|retry|pause|resume <name>`: request a manual operation and, unless
// --no-wait, wait (bounded by --timeout) for the controller to accept or reject it.
import { Command } from 'commander';
import type { ManualOperation } from '../../api/constants.js';
import { parseDuration } from '../../time/duration.js';
import { humanDuration } from '../render/duration.js';
import { clean, paint, styleFor } from '../render/style.js';
import { clusterOptions, EXIT, namespaceOf, withClusterOptions, type CliDeps } from './context.js';
import { isNotFound, notFoundMessage, reportFailure } from './failures.js';
import { operationValue, requestOperation, waitForAck } from '../../api/operation-request.js';

const DESCRIPTIONS: Record<ManualOperation, string> = {
  promote:
    'promote the revision under analysis now (skips the remaining steps); also promotes a Failed run',
  abort: 'roll back the run in progress: all traffic to the primary, phase Failed',
  retry: 'start the analysis of a Failed revision again',
  pause:
    'stop making decisions (drift is still repaired); time paused does not count against deadlines',
  resume: 'continue after pause',
};

const POLL_MS = 500;

export function operationCommand(action: ManualOperation, deps: CliDeps): Command {
  const cmd = new Command(action)
    .description(DESCRIPTIONS[action])
    .argument('<name>', 'Canary name')
    .option('--no-wait', 'return once the request is written, without waiting for the controller')
    .option('--timeout <duration>', 'how long to wait for the controller to acknowledge', '30s')
    .addHelpText(
      'after',
      `
Writes the annotation weightlifter.io/operation=${action}:<fresh token> on the Canary; the
controller handles it once and records Accepted or Rejected in status.operation.
Exit codes: 0 accepted (or written, with --no-wait), 1 rejected or failed, 2 not acknowledged in time.`,
    );
  withClusterOptions(cmd);
  cmd.action(async (name: string, opts: Record<string, unknown>) => {
    try {
      await runOperation(deps, action, name, opts);
    } catch (err) {
      reportFailure(deps, err);
    }
  });
  return cmd;
}

async function runOperation(
  deps: CliDeps,
  action: ManualOperation,
  name: string,
  opts: Record<string, unknown>,
): Promise<void> {
  const timeoutMs = parseDuration(String(opts['timeout']));
  if (timeoutMs === null) {
    deps.stderr.write(`weightlifter: --timeout "${String(opts['timeout'])}" is not a duration\n`);
    deps.setExitCode(EXIT.failed);
    return;
  }
  const cluster = clusterOptions(opts);
  const clients = deps.connect(cluster);
  const namespace = namespaceOf(clients, cluster);
  const style = styleFor(deps.stdout, deps.env);
  const value = operationValue(action, deps.now());
  try {
    await requestOperation(clients.raw, namespace, name, value);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    deps.stderr.write(`weightlifter: ${notFoundMessage('Canary', namespace, name)}\n`);
    deps.setExitCode(EXIT.failed);
    return;
  }
  deps.stdout.write(`${action} requested for ${namespace}/${name} (request ${value})\n`);
  if (opts['wait'] === false) return;
  const outcome = await waitForAck(clients.raw, namespace, name, value, {
    timeoutMs,
    pollMs: POLL_MS,
    now: deps.now,
    sleep: (ms) => deps.sleep(ms),
  });
  if (outcome.kind === 'notAcknowledged') {
    deps.stderr.write(
      `weightlifter: not acknowledged within ${humanDuration(outcome.waitedMs)}: is the weightlifter controller running and watching namespace ${namespace}? ` +
        `The request stays in the annotation and is handled when the controller sees it.\n`,
    );
    deps.setExitCode(EXIT.notAcknowledged);
    return;
  }
  const op = outcome.operation;
  const accepted = op.result === 'Accepted';
  const message = op.message === undefined ? '' : `: ${clean(op.message)}`;
  deps.stdout.write(`${paint(style, accepted ? 'green' : 'red', op.result)}${message}\n`);
  if (!accepted) deps.setExitCode(EXIT.failed);
}
