// The story `npm start` tells: podinfo v1 behind a Canary, then v2 (healthy) promoted step by step,
// then v3 (30 % errors) rolled back, each checked against what the cluster really holds afterwards
// (the route's weights — TrafficSplit or HTTPRoute — and the primary's pod template), not only the
// Canary's status.
import { setTimeout as sleep } from 'node:timers/promises';
import { getCanary } from '../../src/cli/commands/status-fetch.js';
import { BUILTIN, objectPath } from '../../src/kube/resources.js';
import { paint } from '../../src/cli/render/style.js';
import { humanDuration } from '../../src/cli/render/duration.js';
import { DEMO_ERROR_CODES, DemoError } from './errors.js';
import { follow, type FollowDeps } from './follow.js';
import {
  APP,
  CANARY_SPEC,
  DEMO_NAMESPACE,
  RELEASES,
  RELEASE_ANNOTATION,
  ROUTE_OBJECT,
  appYaml,
  canaryYaml,
  namespaceYaml,
  releasePatch,
  type Release,
} from './manifests.js';
import { frameOf } from './narrator.js';
import type { DemoRouter } from './options.js';
import {
  OUTCOMES,
  describeSplit,
  httpRouteWeights,
  outcomeOf,
  splitWeights,
  type Outcome,
} from './outcome.js';

export interface StoryDeps extends Omit<FollowDeps, 'namespace' | 'name'> {
  /** kubectl as the cluster admin; resolves with stdout, throws on a non-zero exit. */
  readonly kubectl: (args: string[], input?: string) => Promise<string>;
  readonly timeoutMs: number;
  /** The Canary's router (and so the route object the story reads). */
  readonly router: DemoRouter;
}

export interface StoryResult {
  /** Milliseconds from each release's change to its end. */
  readonly v2Ms: number;
  readonly v3Ms: number;
}

const PRIMARY = `${APP}-primary`;

export async function tellStory(d: StoryDeps): Promise<StoryResult> {
  const f: FollowDeps = { ...d, namespace: DEMO_NAMESPACE, name: APP };
  const s = CANARY_SPEC;
  d.write(paint(d.style, 'bold', `Deploying ${APP} ${RELEASES.v1.name} with a Canary`));
  d.write(
    `  namespace ${DEMO_NAMESPACE}: Deployment ${APP} (2 replicas, ${RELEASES.v1.image}) and a Canary: ` +
      `every ${s.interval} one step of ${s.stepWeights.join(' / ')} %, success rate >= ${s.minSuccessRate} %, ` +
      `p99 <= ${s.maxP99Ms} ms, rollback after ${s.threshold} failed checks`,
  );
  await d.kubectl(['apply', '-f', '-'], namespaceYaml() + '---\n' + appYaml(RELEASES.v1));
  await d.kubectl(['apply', '-f', '-'], canaryYaml(d.router));
  const startedAt = d.now();
  await follow(f, {
    what: `the Canary's initialization`,
    timeoutMs: d.timeoutMs,
    startedAt,
    done: (c) => (c.status?.phase === 'Initialized' ? true : undefined),
  });
  d.write(`  ${PRIMARY} takes 100 % of the traffic; ${APP} itself is scaled to 0 until a release`);
  const v2Ms = await release(d, f, RELEASES.v2, RELEASES.v1, OUTCOMES.promoted);
  const v3Ms = await release(d, f, RELEASES.v3, RELEASES.v2, OUTCOMES.rolledBack);
  return { v2Ms, v3Ms };
}

async function release(
  d: StoryDeps,
  f: FollowDeps,
  r: Release,
  previous: Release,
  expected: Outcome,
): Promise<number> {
  const before = await getCanary(f.raw, DEMO_NAMESPACE, APP);
  d.write('');
  d.write(paint(d.style, 'bold', `Release ${r.name}: ${r.image} (${r.description})`));
  const startedAt = d.now();
  await d.kubectl([
    '-n',
    DEMO_NAMESPACE,
    'patch',
    'deployment',
    APP,
    '--type',
    'strategic',
    '-p',
    releasePatch(r, previous),
  ]);
  const { result } = await follow(f, {
    what: `the end of ${r.name}'s run`,
    timeoutMs: d.timeoutMs,
    from: frameOf(before),
    startedAt,
    done: (c) => outcomeOf(c, before.status?.revision),
  });
  const ms = d.now() - startedAt;
  if (result !== expected) {
    throw new DemoError(
      DEMO_ERROR_CODES.UNEXPECTED_OUTCOME,
      `${r.name} ended ${result}, expected ${expected}: see the controller log`,
    );
  }
  const split = await settledSplit(d);
  const route = `${ROUTE_OBJECT[d.router].kind} ${APP}`;
  const running = await primaryRelease(d);
  const took = humanDuration(ms);
  if (result === OUTCOMES.promoted) {
    d.write(
      paint(
        d.style,
        'green',
        `  ${d.style.unicode ? '✔' : '=>'} ${r.name} promoted after ${took}`,
      ) + `: ${PRIMARY} now runs ${running}; ${route}: ${split}`,
    );
  } else {
    d.write(
      paint(
        d.style,
        'red',
        `  ${d.style.unicode ? '✘' : '=>'} ${r.name} rolled back after ${took}`,
      ) + `: ${route}: ${split}; ${PRIMARY} still runs ${running}`,
    );
  }
  return ms;
}

/** The route once all traffic is back on the primary (routing follows the status write). */
async function settledSplit(d: StoryDeps): Promise<string> {
  const deadline = d.now() + 30_000;
  for (;;) {
    const json = await d.kubectl([
      '-n',
      DEMO_NAMESPACE,
      'get',
      ROUTE_OBJECT[d.router].resource,
      APP,
      '-o',
      'json',
    ]);
    const weights =
      d.router === 'smi'
        ? splitWeights(JSON.parse(json) as Parameters<typeof splitWeights>[0])
        : httpRouteWeights(JSON.parse(json) as Parameters<typeof httpRouteWeights>[0], PRIMARY);
    if (weights.get(PRIMARY) === 100 || d.now() > deadline) return describeSplit(weights);
    await sleep(250, undefined, { signal: d.signal });
  }
}

async function primaryRelease(d: StoryDeps): Promise<string> {
  const dep = await d.raw.get<{
    spec?: {
      template?: {
        metadata?: { annotations?: Record<string, string> };
        spec?: { containers?: { image?: string }[] };
      };
    };
  }>(objectPath(BUILTIN.deployments, DEMO_NAMESPACE, PRIMARY));
  const t = dep.spec?.template;
  const name = t?.metadata?.annotations?.[RELEASE_ANNOTATION] ?? '?';
  return `${name} (${t?.spec?.containers?.[0]?.image ?? 'no image'})`;
}
