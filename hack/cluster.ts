/**
 * `npm run cluster`: a local control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok when built) with weightlifter's and the SMI CRDs, until Ctrl-C.
 */
import { pino } from 'pino';
import { startControlPlane } from '../dev/local/control-plane.js';

const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' });
const cp = await startControlPlane({ logger });
const out = process.stdout;
out.write(
  `\nweightlifter local control plane ready in ${(cp.startupMs / 1000).toFixed(1)} s at ${cp.server}\n\n`,
);
out.write(`  export KUBECONFIG=${cp.adminKubeconfig}\n`);
out.write(`  export PATH=${cp.binDir}:$PATH   # kubectl: ${cp.binDir}/kubectl\n\n`);
out.write(`  controller identity: ${cp.controllerKubeconfig}\n`);
out.write(`  pods run by kwok:    ${cp.podsRunByKwok ? 'yes' : 'no'}\n`);
out.write(`  component logs:      ${cp.logDir}\n`);
for (const note of cp.notes) out.write(`  note: ${note}\n`);
out.write('\nCtrl-C stops everything and removes the temporary directory.\n');

// The control plane's own SIGINT/SIGTERM hook would also clean up; stopping here lets us say so.
let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  out.write(`\n${signal}: stopping...\n`);
  void cp.stop().then(
    () => {
      out.write('stopped; temporary directory removed\n');
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Keep the event loop alive: the children are unref'd so a library user is never kept waiting.
setInterval(() => undefined, 1 << 30);
