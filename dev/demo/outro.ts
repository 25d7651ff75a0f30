// What the demo prints once the story is told: how to reach the cluster, what to try next, how to
// stop. Pure, so a unit test pins that every command it suggests is spelled the way it works.
import { paint, type Style } from '../../src/cli/render/style.js';
import { EMULATOR_ANNOTATIONS } from '../local/emulator/annotations.js';
import { APP, CANARY_SPEC, DEMO_NAMESPACE, ROUTE_OBJECT } from './manifests.js';
import type { DemoRouter } from './options.js';

export interface OutroFacts {
  readonly adminKubeconfig: string;
  readonly binDir: string;
  readonly prometheusUrl: string;
  readonly controllerHealthUrl: string;
  readonly dashboardUrl: string;
  readonly logDir: string;
  /** The demo exits after the story (--once) instead of staying up. */
  readonly once: boolean;
  readonly router: DemoRouter;
}

/** A merge patch of the app's pod template annotations: a new revision with that behaviour. */
function annotate(key: string, value: string): string {
  return `kubectl -n ${DEMO_NAMESPACE} patch deployment ${APP} --type merge -p '${JSON.stringify({
    spec: { template: { metadata: { annotations: { [key]: value } } } },
  })}'`;
}

export function outroLines(f: OutroFacts, style: Style): string[] {
  const b = (t: string): string => paint(style, 'bold', t);
  const steps = CANARY_SPEC.stepWeights.join(style.unicode ? ' → ' : ' -> ');
  const cmd = (t: string, why: string): string[] => [
    `  ${paint(style, 'cyan', t)}`,
    `      ${why}`,
  ];
  const lines = [
    '',
    b('Try it yourself') + (f.once ? ' (after `npm start`, which keeps all of this running)' : ''),
    '',
    `  export KUBECONFIG=${f.adminKubeconfig}`,
    `  export PATH=${f.binDir}:$PATH   # kubectl for this cluster`,
    '',
    ...cmd(`kubectl get canaries -n ${DEMO_NAMESPACE}`, 'phase, weight and failed checks'),
    ...cmd(
      `npx tsx src/cli/main.ts status ${APP} -n ${DEMO_NAMESPACE} --watch`,
      'the live view: progress bar, metrics against thresholds, events (Ctrl-C ends it)',
    ),
    ...cmd(
      annotate(EMULATOR_ANNOTATIONS.errorRate, '0'),
      `release v3.1, v3's bug fixed: watch it go ${steps} % and get promoted`,
    ),
    ...cmd(
      annotate(EMULATOR_ANNOTATIONS.latencyMs, '300'),
      'a slow release: the p99 check fails and it is rolled back',
    ),
    ...cmd(
      `kubectl get ${ROUTE_OBJECT[f.router].plural} -n ${DEMO_NAMESPACE} -o yaml`,
      `the ${ROUTE_OBJECT[f.router].api} ${ROUTE_OBJECT[f.router].kind} the controller steers`,
    ),
    '',
    `  dashboard           ${f.dashboardUrl}`,
    `      every Canary live; each run as charts; promote/abort/retry/pause/resume`,
    `  Prometheus          ${f.prometheusUrl}`,
    `      e.g. sum by (deployment, classification) (rate(response_total{direction="inbound"}[1m]))`,
    `  controller metrics  ${f.controllerHealthUrl}/metrics`,
    `  logs                ${f.logDir}/controller.log, world.log`,
    '',
  ];
  if (!f.once) {
    lines.push(
      b('Ctrl-C stops everything') +
        ' (controller, mesh emulator, Prometheus, control plane) and removes the temporary files.',
    );
  }
  return lines;
}
