import type { PodBehaviour } from './annotations.js';
import type { MetricRegistry } from './exposition.js';
import {
  ProxyEndpoint,
  inboundLabels,
  outboundLabels,
  type LabelStyle,
  type ResponseSeries,
} from './linkerd-metrics.js';
import { podName } from './pods.js';
import { binomial, type Rng } from './rng.js';
import type { EmulatedWorkload, LoadTarget } from './topology.js';
import { WeightedPicker } from './weights.js';

export interface TrafficEngineOptions {
  readonly registry: MetricRegistry;
  readonly rng: Rng;
  /** Emulated pods per Deployment are capped (series count), the request rate is not. */
  readonly maxPodsPerDeployment: number;
  /** Name of the synthetic client workload in outbound series. */
  readonly loadgen: string;
  /** @default 'linkerd' */
  readonly labels?: LabelStyle;
}

/** Latency samples drawn per (pod, status, tick); larger batches share samples by weight. */
const MAX_SAMPLES = 128;
/** What a proxy with no endpoint to send to answers, and how fast (ms). */
const NO_ENDPOINT_STATUS = 503;
const NO_ENDPOINT_LATENCY_MS = 1;

interface EmulatedPod {
  readonly owner: string;
  readonly name: string;
  workload: EmulatedWorkload;
  readonly inbound: Map<string, ProxyEndpoint>;
}

interface TargetState {
  readonly target: LoadTarget;
  readonly picker: WeightedPicker;
  /** Per backend: its pods (across the Deployments its Service selects). */
  readonly pods: readonly (readonly EmulatedPod[])[];
  readonly rr: number[];
  carry: number;
  readonly observed: Map<string, number>;
}

const keyOf = (namespace: string, service: string): string => `${namespace}/${service}`;

/**
 * Turns load targets into simulated requests, tick by tick: `rate × dt` requests per target (a
 * fractional carry keeps low rates exact over time), weighted-random backends, round-robin pods,
 * binomial failures, sampled latencies recorded in bulk. No request is a real socket and nothing
 * sleeps, so thousands of workloads cost one pass over the targets per tick.
 */
export class TrafficEngine {
  readonly #o: TrafficEngineOptions;
  readonly #targets = new Map<string, TargetState>();
  readonly #byNamespace = new Map<string, Set<string>>();
  readonly #pods = new Map<string, EmulatedPod>();
  readonly #outbound = new Map<string, ProxyEndpoint>();
  readonly #owners = new Map<string, Set<string>>();
  readonly #rates = new Map<string, number>();
  /** Per namespace, per Deployment: requests its pods served, ever (resource usage's input). */
  readonly #served = new Map<string, Map<string, number>>();

  constructor(opts: TrafficEngineOptions) {
    this.#o = opts;
  }

  /** Replaces a namespace's targets; counters and carries of surviving targets continue. */
  replaceNamespace(namespace: string, targets: readonly LoadTarget[]): void {
    const keys = new Set(targets.map((t) => keyOf(namespace, t.service)));
    for (const key of this.#byNamespace.get(namespace) ?? []) {
      if (!keys.has(key)) this.#targets.delete(key);
    }
    const active = new Set<string>();
    for (const t of targets) {
      const key = keyOf(namespace, t.service);
      const old = this.#targets.get(key);
      const pods = t.backends.map((b) => b.workloads.flatMap((w) => this.#podsOf(w, active)));
      for (const b of t.backends) {
        for (const w of b.workloads) active.add(this.#outboundOwner(t, b.service, w.deployment));
        active.add(this.#outboundOwner(t, b.service, ''));
      }
      this.#targets.set(key, {
        target: t,
        picker: new WeightedPicker(t.backends.map((b) => b.weight)),
        pods,
        rr: t.backends.map((_, i) => old?.rr[i] ?? 0),
        carry: old?.carry ?? 0,
        observed: old?.observed ?? new Map<string, number>(),
      });
    }
    this.#byNamespace.set(namespace, keys);
    if (keys.size === 0) this.#byNamespace.delete(namespace);
    this.#keepServed(namespace, targets);
    this.#dropInactiveOwners(namespace, active);
  }

  /** Advances time by `dtSeconds`: issues and records the requests of that interval. */
  tick(dtSeconds: number): void {
    for (const [key, s] of this.#targets) {
      const rps = this.#rates.get(key) ?? s.target.rps;
      const expected = rps * dtSeconds + s.carry;
      const n = Math.floor(expected);
      s.carry = expected - n;
      if (n <= 0) continue;
      const counts = s.picker.distribute(n, this.#o.rng);
      counts.forEach((k, i) => {
        if (k > 0) this.#send(s, i, k);
      });
    }
  }

  setRate(namespace: string, service: string, rps: number | undefined): void {
    if (rps === undefined) this.#rates.delete(keyOf(namespace, service));
    else if (Number.isFinite(rps) && rps >= 0) this.#rates.set(keyOf(namespace, service), rps);
    else throw new RangeError(`rps must be a finite number >= 0, got ${rps}`);
  }

  /** Requests per backend Service since the last reset (only requests routed by this emulator). */
  observedSplit(namespace: string, service: string): Record<string, number> {
    return Object.fromEntries(this.#targets.get(keyOf(namespace, service))?.observed ?? []);
  }

  resetObserved(namespace?: string, service?: string): void {
    for (const [key, s] of this.#targets) {
      if (namespace !== undefined && s.target.namespace !== namespace) continue;
      if (service !== undefined && key !== keyOf(s.target.namespace, service)) continue;
      s.observed.clear();
    }
  }

  /**
   * Requests each Deployment's pods served so far, by `namespace/deployment`: counted from when a
   * target first routes to the Deployment, forgotten when none does any more.
   */
  servedRequests(): Map<string, number> {
    const all = new Map<string, number>();
    for (const [namespace, served] of this.#served) {
      for (const [deployment, n] of served) all.set(`${namespace}/${deployment}`, n);
    }
    return all;
  }

  targets(): { target: LoadTarget; rps: number }[] {
    return [...this.#targets].map(([key, s]) => ({
      target: s.target,
      rps: this.#rates.get(key) ?? s.target.rps,
    }));
  }

  #send(s: TargetState, backend: number, k: number): void {
    const b = s.target.backends[backend];
    if (b === undefined) return;
    s.observed.set(b.service, (s.observed.get(b.service) ?? 0) + k);
    const pods = s.pods[backend] ?? [];
    if (pods.length === 0) {
      const out = this.#outboundEndpoint(s.target, b.service, '');
      out.requests.inc(k);
      const r = out.status(NO_ENDPOINT_STATUS);
      r.total.inc(k);
      r.latency?.observe(NO_ENDPOINT_LATENCY_MS, k);
      return;
    }
    const total = s.target.backends.reduce((sum, x) => sum + x.weight, 0);
    const share = total > 0 ? (b.weight / total) * 100 : 0;
    // Round robin from a rotating start: each pod gets k/P requests, the remainder moves on.
    const base = Math.floor(k / pods.length);
    let extra = k % pods.length;
    let start = s.rr[backend] ?? 0;
    for (let j = 0; j < pods.length; j++) {
      const pod = pods[(start + j) % pods.length];
      const c = base + (extra > 0 ? 1 : 0);
      if (extra > 0) extra--;
      if (pod !== undefined && c > 0) this.#serve(s.target, b.service, pod, c, share);
    }
    start = (start + (k % pods.length)) % pods.length;
    s.rr[backend] = start;
  }

  /** `share`: the backend's percentage of its route's weight (errorRateFromWeight). */
  #serve(t: LoadTarget, backendService: string, pod: EmulatedPod, c: number, share: number): void {
    const w = pod.workload;
    // The lean style has no authority label: one inbound endpoint serves every apex.
    const key = this.#o.labels === 'lean' ? '' : t.authority;
    let inbound = pod.inbound.get(key);
    if (inbound === undefined) {
      const labels = inboundLabels(
        {
          namespace: w.namespace,
          deployment: w.deployment,
          pod: pod.name,
          podTemplateHash: w.templateHash,
          authority: t.authority,
        },
        this.#o.labels,
      );
      inbound = new ProxyEndpoint(this.#o.registry, pod.owner, labels, this.#o.labels);
      pod.inbound.set(key, inbound);
    }
    const outbound = this.#outboundEndpoint(t, backendService, w.deployment);
    const served = this.#served.get(w.namespace);
    served?.set(w.deployment, (served.get(w.deployment) ?? 0) + c);
    inbound.requests.inc(c);
    outbound.requests.inc(c);
    const { errorRate, errorRateFromWeight } = w.behaviour;
    const failed = binomial(c, share >= errorRateFromWeight ? errorRate : 0, this.#o.rng);
    this.#record(inbound.status(200), outbound.status(200), c - failed, w.behaviour);
    const code = w.behaviour.errorStatus;
    this.#record(inbound.status(code), outbound.status(code), failed, w.behaviour);
  }

  #record(a: ResponseSeries, b: ResponseSeries, count: number, behaviour: PodBehaviour): void {
    if (count <= 0) return;
    a.total.inc(count);
    b.total.inc(count);
    const samples = Math.min(count, MAX_SAMPLES);
    const weight = Math.floor(count / samples);
    const heavier = count % samples;
    const { latencyMs, latencyJitter } = behaviour;
    for (let i = 0; i < samples; i++) {
      const v = Math.max(0, latencyMs * (1 + latencyJitter * (2 * this.#o.rng.next() - 1)));
      const wgt = weight + (i < heavier ? 1 : 0);
      a.latency?.observe(v, wgt);
      b.latency?.observe(v, wgt);
    }
  }

  /** Counters of the namespace's Deployments that a target still routes to; the others go. */
  #keepServed(namespace: string, targets: readonly LoadTarget[]): void {
    const old = this.#served.get(namespace);
    const served = new Map<string, number>();
    for (const t of targets) {
      for (const b of t.backends) {
        for (const w of b.workloads) served.set(w.deployment, old?.get(w.deployment) ?? 0);
      }
    }
    if (served.size === 0) this.#served.delete(namespace);
    else this.#served.set(namespace, served);
  }

  #podsOf(w: EmulatedWorkload, active: Set<string>): EmulatedPod[] {
    const n = Math.min(w.readyPods, this.#o.maxPodsPerDeployment);
    const pods: EmulatedPod[] = [];
    for (let i = 0; i < n; i++) {
      // Keyed without hashing: podName() costs a sha256, paid once per pod.
      const owner = `${w.namespace}/pod/${w.deployment}/${w.templateHash}/${i}`;
      active.add(owner);
      let pod = this.#pods.get(owner);
      if (pod === undefined) {
        const name = podName(w.deployment, w.templateHash, i);
        pod = { owner, name, workload: w, inbound: new Map() };
        this.#pods.set(owner, pod);
        this.#own(w.namespace, owner);
      }
      pod.workload = w;
      pods.push(pod);
    }
    return pods;
  }

  #outboundOwner(t: LoadTarget, backendService: string, deployment: string): string {
    return `${t.namespace}/out/${t.service}/${backendService}/${deployment}`;
  }

  #outboundEndpoint(t: LoadTarget, backendService: string, deployment: string): ProxyEndpoint {
    const owner = this.#outboundOwner(t, backendService, deployment);
    let ep = this.#outbound.get(owner);
    if (ep === undefined) {
      const labels = outboundLabels(
        {
          namespace: t.namespace,
          deployment: this.#o.loadgen,
          pod: `${this.#o.loadgen}-0`,
          authority: t.authority,
          dstNamespace: t.namespace,
          dstService: backendService,
          ...(deployment === '' ? {} : { dstDeployment: deployment }),
        },
        this.#o.labels,
      );
      const lean = this.#o.labels === 'lean';
      ep = new ProxyEndpoint(this.#o.registry, owner, labels, this.#o.labels, !lean);
      this.#outbound.set(owner, ep);
      this.#own(t.namespace, owner);
    }
    return ep;
  }

  #own(namespace: string, owner: string): void {
    let set = this.#owners.get(namespace);
    if (set === undefined) {
      set = new Set();
      this.#owners.set(namespace, set);
    }
    set.add(owner);
  }

  #dropInactiveOwners(namespace: string, active: ReadonlySet<string>): void {
    const owned = this.#owners.get(namespace);
    if (owned === undefined) return;
    for (const owner of owned) {
      if (active.has(owner)) continue;
      this.#o.registry.removeOwner(owner);
      this.#pods.delete(owner);
      this.#outbound.delete(owner);
      owned.delete(owner);
    }
    if (owned.size === 0) this.#owners.delete(namespace);
  }
}
