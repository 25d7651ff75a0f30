// Run as a separate process by control-plane.test.ts: starts a control plane without the
// kube-controller-manager, prints its temp dir as one JSON line, then idles until it is killed, so
// the test can check what a SIGKILLed or SIGTERMed parent leaves behind.
import { startControlPlane } from '../../../dev/local/control-plane.js';

const cp = await startControlPlane({ controllerManager: false, crdDirs: [] });
process.stdout.write(`${JSON.stringify({ dir: cp.dir, server: cp.server })}\n`);
setInterval(() => undefined, 1 << 30);
