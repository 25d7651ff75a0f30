// The demo's lifecycle: start the stack, tell the story, print what to try next, then either stay
// up until Ctrl-C / SIGTERM (the default) or stop at once (--once). Signals are handled here, not
// by dev/local's hooks, so that the controller stops before the control plane it talks to.
// Ctrl-C is how a user ends the demo, not a failure: the exit code is 0 after a clean stop.
import { performance } from 'node:perf_hooks';
import { humanDuration } from '../../src/cli/render/duration.js';
import { paint, styleFor, type Env, type OutputStream } from '../../src/cli/render/style.js';
import { leaveSignalsToCaller, stopRegistered } from '../local/cleanup.js';
import type { World } from '../local/world.js';
import { isDemoError } from './errors.js';
import type { DemoOptions } from './options.js';
import { outroLines } from './outro.js';
import { watchParent } from './parent-watch.js';
import { startStack, type DemoStack } from './stack.js';
import { tellStory } from './story.js';

export interface DemoIo {
  readonly out: OutputStream;
  readonly err: OutputStream;
  readonly env: Env;
}

/** A stop that takes longer than this is cut short: the 'exit' hook kills what is left. */
const STOP_DEADLINE_MS = 20_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const MESH = {
  smi: 'SMI mesh (TrafficSplit)',
  gatewayapi: 'Gateway API mesh (GAMMA: HTTPRoute)',
} as const satisfies Record<DemoOptions['router'], string>;

export async function runDemo(opts: DemoOptions, io: DemoIo): Promise<never> {
  const style = styleFor(io.out, io.env);
  const write = (line: string): void => {
    io.out.write(`${line}\n`);
  };
  const abort = new AbortController();
  let startup: Promise<DemoStack> | undefined;
  let started: DemoStack | undefined;
  let stopping: Promise<never> | undefined;
  const exit = (code: number, why?: string): Promise<never> =>
    (stopping ??= (async () => {
      abort.abort();
      if (why !== undefined) write(why);
      setTimeout(() => {
        io.err.write(
          `weightlifter demo: still stopping after ${STOP_DEADLINE_MS / 1000} s; killing what is left\n`,
        );
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      let status = code;
      try {
        await stopEverything(startup, started);
      } catch (err) {
        io.err.write(`weightlifter demo: stopping failed: ${describe(err)}\n`);
        status = 1;
      }
      if (why !== undefined) write('stopped; temporary files removed');
      process.exit(status);
    })());

  leaveSignalsToCaller();
  for (const s of SIGNALS) {
    process.on(s, () => {
      // npm forwards the terminal's Ctrl-C too: the second copy must not start a second stop.
      void exit(
        0,
        `\n${s}: stopping the controller, the mesh emulator, Prometheus and the control plane...`,
      );
    });
  }
  // npm forwards SIGTERM and dies without waiting, and a SIGKILLed npm forwards nothing: either
  // way the demo is reparented, and stops as it would on a signal.
  watchParent(() => {
    void exit(
      0,
      '\nparent process gone: stopping the controller, the mesh emulator, Prometheus and the control plane...',
    );
  });

  const t0 = performance.now();
  try {
    write(
      paint(style, 'bold', 'weightlifter demo') +
        `: canary releases on a local Kubernetes control plane, a real Prometheus and an emulated ${MESH[opts.router]}`,
    );
    write('');
    write(
      'Starting the local world (etcd, kube-apiserver, controller manager, scheduler, kwok, Prometheus, mesh emulator)...',
    );
    startup = startStack({
      logLevel: opts.logLevel,
      router: opts.router,
      onWorld: (w: World) => {
        write(
          `  ready in ${(w.startupMs / 1000).toFixed(1)} s: API server ${w.controlPlane.server}, Prometheus ${w.prometheusUrl}`,
        );
        write(
          'Starting the controller (in this process, as system:serviceaccount:weightlifter-system:weightlifter)...',
        );
      },
    });
    const stack = await startup;
    started = stack;
    write(`  ready: health and metrics on ${stack.controller.healthUrl}, logs in ${stack.logDir}`);
    write(`Dashboard: ${stack.dashboard.url}  (weightlifter dashboard, as the cluster admin)`);
    write('');
    const result = await tellStory({
      raw: stack.admin,
      kubectl: stack.kubectl,
      style,
      write,
      signal: abort.signal,
      now: () => Date.now(),
      timeoutMs: opts.releaseTimeoutMs,
      router: opts.router,
    });
    write('');
    write(
      `The story took ${humanDuration(performance.now() - t0)}: v2 promoted in ${humanDuration(result.v2Ms)}, ` +
        `v3 rolled back in ${humanDuration(result.v3Ms)}.`,
    );
    const cp = stack.world.controlPlane;
    for (const line of outroLines(
      {
        adminKubeconfig: cp.adminKubeconfig,
        binDir: cp.binDir,
        prometheusUrl: stack.world.prometheusUrl,
        controllerHealthUrl: stack.controller.healthUrl,
        dashboardUrl: stack.dashboard.url,
        logDir: stack.logDir,
        once: opts.once,
        router: opts.router,
      },
      style,
    )) {
      write(line);
    }
    if (opts.once) return await exit(0);
    // The controller's watches and the emulator's load keep the process alive from here on; this
    // timer makes that explicit rather than an accident of their handles.
    setInterval(() => undefined, 1 << 30);
    return await new Promise<never>(() => undefined);
  } catch (err) {
    // A signal's stop is under way: what failed is the story it interrupted.
    if (stopping !== undefined) return stopping;
    io.err.write(`\nweightlifter demo failed: ${describe(err)}\n`);
    return exit(1);
  }
}

async function stopEverything(
  startup: Promise<DemoStack> | undefined,
  started: DemoStack | undefined,
): Promise<void> {
  if (started !== undefined) return started.stop();
  if (startup === undefined) return;
  // Still starting: stop the local components under it, so that its start fails soon; if it
  // finished all the same, stop what it started.
  await stopRegistered();
  const [outcome] = await Promise.allSettled([startup]);
  if (outcome.status === 'fulfilled') await outcome.value.stop();
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = isDemoError(err) ? ` [${err.code}]` : '';
  const cause = err.cause instanceof Error ? `\n  cause: ${err.cause.message}` : '';
  return `${err.message}${code}${cause}`;
}
