// End-to-end, issue 6 item 6: alerts from the controller process (`weightlifter run
// --notify-config <file>`) to a local HTTP receiver, configured as a generic webhook, a Slack
// webhook and an error-only generic webhook. Real control plane, real Prometheus, the mesh
// emulator; the controller runs as its own identity. One alert per transition, also across a
// SIGKILL and restart of the controller.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  deployInitialized,
  newRevision,
  waitForEnd,
  waitForStepDone,
  waitForWeight,
} from '../e2e/canary-run.js';
import { eventually, startE2E, type E2E } from '../e2e/harness.js';
import { HookServer } from '../e2e/hook-server.js';
import { APP, BEHAVIOUR } from '../e2e/manifests.js';

jest.setTimeout(240_000);

const CLUSTER = 'local-e2e';
const receiver = new HookServer();
let e: E2E;
let dir: string;

/** The generic payload (src/notify/README.md). */
interface GenericAlert {
  canary: string;
  namespace: string;
  phase: string;
  kind: string;
  reason: string;
  message: string;
  severity: string;
  revision: string | null;
  timestamp: string;
  canaryWeight: number | null;
  failedChecks: number | null;
  cluster: string | null;
}

interface SlackAlert {
  username?: string;
  channel?: string;
  text: string;
  attachments: {
    color: string;
    title: string;
    text: string;
    fallback: string;
    footer: string;
    ts: number;
    fields: { title: string; value: string; short: boolean }[];
  }[];
}

const generic = (ns: string, path = '/generic'): GenericAlert[] =>
  receiver
    .callsTo(path)
    .map((c) => c.body as unknown as GenericAlert)
    .filter((a) => a.namespace === ns);

const slack = (ns: string): SlackAlert[] =>
  receiver
    .callsTo('/slack')
    .map((c) => c.body as unknown as SlackAlert)
    .filter((a) => a.text.startsWith(`${ns}/${APP} [${CLUSTER}]: `));

const kinds = (alerts: readonly GenericAlert[]): string[] => alerts.map((a) => a.kind);

/** Waits until the generic receiver has an alert of `kind` for the namespace; returns it. */
const alertOf = (ns: string, kind: string, path = '/generic'): Promise<GenericAlert> =>
  eventually(`${ns}: ${kind} alert at ${path}`, () =>
    generic(ns, path).find((a) => a.kind === kind),
  );

const slackOf = (ns: string, titleEnd: string): Promise<SlackAlert> =>
  eventually(`${ns}: Slack message "${titleEnd}"`, () =>
    slack(ns).find((a) => a.text.endsWith(titleEnd)),
  );

/**
 * Waits for the run to end in `phase` and for the `kind` alert of that end; checks what every
 * such alert carries plus `expected`. Returns the final status and the alert.
 */
async function endAlert(ns: string, phase: string, kind: string, expected: Partial<GenericAlert>) {
  const done = await waitForEnd(e, ns);
  expect(done.phase).toBe(phase);
  const alert = await alertOf(ns, kind);
  expect(alert).toMatchObject({
    canary: APP,
    namespace: ns,
    kind,
    phase,
    revision: done.revision,
    cluster: CLUSTER,
    ...expected,
  });
  return { done, alert };
}

/** The sum of the reconcile counter of the running controller process. */
async function reconciles(): Promise<number> {
  const res = await fetch(`${e.controller.healthUrl ?? ''}/metrics`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('weightlifter_reconcile_duration_seconds_count'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

beforeAll(async () => {
  await receiver.start();
  // A receiver that is down: its failures are logged, and nothing else notices.
  receiver.status.set('/broken', 503);
  dir = await mkdtemp(join(tmpdir(), 'wl-e2e-alerts-'));
  // What an operator puts in the ConfigMap mounted at --notify-config.
  const file = join(dir, 'alerts.yaml');
  await writeFile(
    file,
    `cluster: ${CLUSTER}
providers:
  - name: everything
    type: generic
    url: ${receiver.url}/generic
  - name: chat
    type: slack
    url: ${receiver.url}/slack
    channel: '#deploys'
    username: weightlifter
  - name: pager
    type: generic
    url: ${receiver.url}/errors-only
    minSeverity: error
    timeout: 2s
  - name: broken
    type: generic
    url: ${receiver.url}/broken
    minSeverity: error
    retries: 1
`,
  );
  e = await startE2E('alerts', { controllerArgs: ['--notify-config', file] });
}, 180_000);

afterAll(async () => {
  await e.stop();
  await receiver.stop();
  await rm(dir, { recursive: true, force: true });
}, 90_000);

describe('a healthy revision', () => {
  const ns = 'alerts-ok';

  it('alerts RunStarted and Promoted once each, through a controller crash mid-run and after', async () => {
    const split = await deployInitialized(e, ns, { canary: { stepWeights: [20, 40, 60] } });
    try {
      await newRevision(e, ns, { 'example.com/rev': '2' });
      const started = await alertOf(ns, 'RunStarted');
      expect(started).toMatchObject({
        canary: APP,
        namespace: ns,
        kind: 'RunStarted',
        reason: 'NewRevision',
        severity: 'info',
        phase: 'Progressing',
        cluster: CLUSTER,
      });
      expect(started.revision).toMatch(/^[0-9a-f]{12,}$/);
      expect(Number.isNaN(Date.parse(started.timestamp))).toBe(false);

      // SIGKILL between two ticks (the step's effects visible), then a new process resumes.
      await waitForStepDone(e, ns, split, 40);
      await e.controller.kill();
      await e.controller.start();

      const { done } = await endAlert(ns, 'Succeeded', 'Promoted', {
        reason: 'Succeeded',
        severity: 'info',
      });
      expect(started.revision).toBe(done.revision);

      const message = await slackOf(ns, ': promoted');
      expect(message).toMatchObject({
        channel: '#deploys',
        username: 'weightlifter',
        text: `${ns}/${APP} [${CLUSTER}]: promoted`,
      });
      const [attachment] = message.attachments;
      expect(attachment).toMatchObject({ color: '#2eb886', footer: 'weightlifter' });
      expect(attachment?.fields).toEqual(
        expect.arrayContaining([
          { title: 'Canary', value: `${ns}/${APP}`, short: true },
          { title: 'Phase', value: 'Succeeded', short: true },
          { title: 'Cluster', value: CLUSTER, short: true },
        ]),
      );
      await slackOf(ns, ': canary analysis started');
    } finally {
      await split.stop();
    }

    // A restart after the run re-sends nothing: the new process reconciles the settled Canary
    // (the only one so far) and sends no alert.
    await e.controller.kill();
    const from = e.controller.logs.length;
    await e.controller.start();
    await eventually('the new process reconciled the Canary', async () =>
      (await reconciles()) >= 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(e.controller.logs.slice(from).filter((l) => l.msg === 'sending alert')).toEqual([]);
    expect(kinds(generic(ns))).toEqual(['RunStarted', 'Promoted']);
    expect(slack(ns).map((m) => m.text)).toEqual([
      `${ns}/${APP} [${CLUSTER}]: canary analysis started`,
      `${ns}/${APP} [${CLUSTER}]: promoted`,
    ]);
    // minSeverity: error filters both info alerts.
    expect(generic(ns, '/errors-only')).toEqual([]);
  });
});

describe('a revision with a 30 % error rate', () => {
  const ns = 'alerts-errors';

  it('alerts the rollback as an error naming the failing metric, on every provider', async () => {
    // The failed-checks threshold's path: fail-fast off, so it cannot race the second failure.
    const split = await deployInitialized(e, ns, { canary: { failFast: false } });
    try {
      await newRevision(e, ns, BEHAVIOUR.errorRate(0.3));
      const { done, alert: rollback } = await endAlert(ns, 'Failed', 'ThresholdReached', {
        reason: 'FailedChecksThresholdReached',
        severity: 'error',
      });
      expect(rollback.failedChecks).toBe(done.failedChecks);
      expect(rollback.message).toContain('success-rate');
      expect(rollback.canaryWeight).toBe(0);

      const paged = await alertOf(ns, 'ThresholdReached', '/errors-only');
      expect(paged.message).toBe(rollback.message);
      const message = await slackOf(ns, ': rolled back: failed checks threshold reached');
      expect(message.attachments[0]?.color).toBe('#a30200');
      expect(message.attachments[0]?.text).toContain('success-rate');

      const all = kinds(generic(ns));
      expect(all[0]).toBe('RunStarted');
      expect(all.filter((k) => k === 'ThresholdReached')).toHaveLength(1);
      expect(all).not.toContain('Promoted');
      // Failed checks below the threshold are warnings: sent to "everything", not to the pager.
      expect(all.filter((k) => k !== 'RunStarted' && k !== 'ThresholdReached')).toEqual(
        all.filter((k) => k === 'CheckFailed'),
      );
      expect(kinds(generic(ns, '/errors-only'))).toEqual(['ThresholdReached']);

      // The broken provider: tried twice (one retry), then a warning naming it, not its URL.
      const failure = await e.controller.waitForLog(
        (l) =>
          l.msg === 'notification failed' &&
          l['provider'] === 'broken' &&
          l['canary'] === `${ns}/${APP}`,
        30_000,
      );
      expect(failure).toMatchObject({ level: 'warn', type: 'generic', kind: 'ThresholdReached' });
      expect(JSON.stringify(failure)).not.toContain(receiver.url);
      expect(kinds(generic(ns, '/broken'))).toEqual(['ThresholdReached', 'ThresholdReached']);
    } finally {
      await split.stop();
    }
  });
});

describe('a revision caught by fail-fast', () => {
  const ns = 'alerts-fail-fast';

  it('alerts the rollback as an error naming fail-fast and the failing metric', async () => {
    // Steps of 10 s and a threshold of 5: only fail-fast (a scrape apart, within the first step)
    // can end this run early.
    const split = await deployInitialized(e, ns, {
      canary: { interval: '10s', window: '10s', threshold: 5 },
    });
    try {
      await newRevision(e, ns, BEHAVIOUR.errorRate(1));
      const { done, alert } = await endAlert(ns, 'Failed', 'RolledBack', {
        reason: 'FailFast',
        severity: 'error',
      });
      expect(done.failedChecks ?? 0).toBe(0);
      expect(alert.message).toContain('fail-fast');
      expect(alert.message).toContain('success-rate');
      expect(alert.canaryWeight).toBe(0);
      expect(kinds(generic(ns, '/errors-only'))).toEqual(['RolledBack']);
    } finally {
      await split.stop();
    }
  });
});

describe('a manual abort', () => {
  const ns = 'alerts-abort';

  it('alerts Aborted as a warning, which the error-only provider does not get', async () => {
    const split = await deployInitialized(e, ns, {
      canary: { stepWeights: [10, 20, 30, 40, 50] },
    });
    try {
      await newRevision(e, ns, { 'example.com/rev': '2' });
      await waitForWeight(e, ns, 10);
      await e.kubectl([
        '-n',
        ns,
        'annotate',
        'canary',
        APP,
        'weightlifter.io/operation=abort:1',
        '--overwrite',
      ]);
      await endAlert(ns, 'Failed', 'Aborted', { reason: 'Aborted', severity: 'warn' });
      const message = await slackOf(ns, ': aborted by an operator, rolled back');
      expect(message.attachments[0]?.color).toBe('#daa038');
      expect(kinds(generic(ns))).toEqual(['RunStarted', 'Aborted']);
      expect(generic(ns, '/errors-only')).toEqual([]);
    } finally {
      await split.stop();
    }
  });
});
