// `weightlifter status [name]`: where a run stands.
import { Command, Option } from 'commander';
import { parseDuration } from '../../time/duration.js';
import { OUTPUT_FORMATS, isOutputFormat } from '../render/structured.js';
import { styleFor } from '../render/style.js';
import {
  clusterOptions,
  EXIT,
  namespaceOf,
  withClusterOptions,
  writeLines,
  type CliDeps,
} from './context.js';
import { reportFailure } from './failures.js';
import { snapshotLines, structured } from './status-output.js';
import { takeSnapshot } from './status-snapshot.js';
import { watchStatus } from './status-watch.js';

const HELP_AFTER = `
Shows the phase and time in phase, a progress bar of the canary weight against the steps, the last
value of each metric against its threshold, failed checks against the threshold, the last manual
operation and recent events. Without a name, lists every Canary of the namespace.

Examples:
  weightlifter status podinfo -n test
  weightlifter status podinfo -n test --watch
  weightlifter status -A -o json`;

export function statusCommand(deps: CliDeps): Command {
  const cmd = new Command('status')
    .description('show the state of a Canary (or of all Canaries in a namespace)')
    .argument('[name]', 'Canary name; omit to list')
    .option('-w, --watch', 'keep watching: redraws on a terminal, one line per change otherwise')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text'),
    )
    .option('-A, --all-namespaces', 'list Canaries of every namespace')
    .option('--interval <duration>', 'how often --watch polls', '2s')
    .addHelpText('after', HELP_AFTER);
  withClusterOptions(cmd);
  cmd.action(async (name: string | undefined, opts: Record<string, unknown>) => {
    try {
      await runStatus(deps, name, opts);
    } catch (err) {
      reportFailure(deps, err);
    }
  });
  return cmd;
}

async function runStatus(
  deps: CliDeps,
  name: string | undefined,
  opts: Record<string, unknown>,
): Promise<void> {
  const format = isOutputFormat(opts['output']) ? opts['output'] : 'text';
  const intervalMs = parseDuration(String(opts['interval']));
  if (intervalMs === null || intervalMs < 100) {
    deps.stderr.write(
      `weightlifter: --interval "${String(opts['interval'])}" is not a duration of at least 100ms\n`,
    );
    deps.setExitCode(EXIT.failed);
    return;
  }
  const cluster = clusterOptions(opts);
  const clients = deps.connect(cluster);
  const allNamespaces = opts['allNamespaces'] === true && name === undefined;
  const target = { name, namespace: allNamespaces ? undefined : namespaceOf(clients, cluster) };
  const style = styleFor(deps.stdout, deps.env);
  if (opts['watch'] === true) {
    await watchStatus(deps, clients, { target, format, style, intervalMs, allNamespaces });
    return;
  }
  const snap = await takeSnapshot(clients, target, deps.now);
  if (snap.kind === 'missing') {
    deps.stderr.write(`weightlifter: ${snap.message}\n`);
    deps.setExitCode(EXIT.failed);
    return;
  }
  if (format === 'text')
    writeLines(deps.stdout, snapshotLines(snap, style, deps.now(), allNamespaces));
  else deps.stdout.write(structured(snap, format, false));
}
