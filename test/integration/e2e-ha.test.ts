// End-to-end, issue 6 item 5: two controller replicas (child processes, both as the controller's
// ServiceAccount, both with --leader-elect on one Lease) against the local world. Only the Lease
// holder acts; a SIGKILLed leader is replaced once its Lease expires and the run goes on from the
// Canary's status with no step applied twice; a SIGTERMed leader releases the Lease on its way
// out, so the standby takes over at its next retry instead of waiting out the Lease. Issue 12 item
// 14: a leader frozen with SIGSTOP is replaced, and woken with SIGCONT it writes nothing; the API
// server's audit log (every request, with each replica's User-Agent) shows that every write of
// the whole file was made by the replica that held the Lease when the write was received.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { deployInitialized, newRevision, waitForEnd, waitForStepDone } from '../e2e/canary-run.js';
import { WRITE_VERBS, type ControllerProcess } from '../e2e/controller-process.js';
import { eventually, startE2E, type E2E } from '../e2e/harness.js';
import { APP } from '../e2e/manifests.js';
import {
  canaryEvents,
  getDeployment,
  getLease,
  type EventJson,
  type SplitRecorder,
} from '../e2e/observers.js';

jest.setTimeout(240_000);

const LEASE_NS = 'weightlifter-system';
const LEASE = 'weightlifter-controller';
/** Room for a loaded 2-core machine on top of a deadline the design promises. */
const SLACK_MS = 45_000;
const ns = 'e2e-ha';
const STEPS = [10, 20, 30, 40, 50];
const ALL_WEIGHTS = [0, ...STEPS, 0];

let e: E2E;
let a: ControllerProcess;
let b: ControllerProcess;
let split: SplitRecorder;
let auditPath: string;

beforeAll(async () => {
  auditPath = join(await mkdtemp(join(tmpdir(), 'wl-e2e-ha-')), 'audit.log');
  e = await startE2E('ha', {
    world: { controlPlaneOptions: { auditLog: { path: auditPath } } },
    // Shorter than the 15 s default, so the SIGKILL handover takes less test time; the Lease must
    // show the flag's duration.
    controllerArgs: [
      '--leader-elect',
      '--lease-namespace',
      LEASE_NS,
      '--lease-duration',
      '8s',
      '--renew-deadline',
      '5s',
      '--retry-period',
      '1s',
    ],
    startController: false,
  });
  a = e.controller;
  b = e.addController('b');
}, 180_000);

afterAll(async () => {
  await (split as SplitRecorder | undefined)?.stop();
  await (e as E2E | undefined)?.stop();
}, 90_000);

const holder = async (): Promise<string | undefined> =>
  (await getLease(e.admin, LEASE_NS, LEASE))?.spec?.holderIdentity;

/** Polls until the Lease names `identity`; returns the ms since `since` (for the log). */
async function leaseTakenBy(identity: string, since: number, deadlineMs: number): Promise<number> {
  await eventually(
    `Lease held by ${identity}`,
    async () => ((await holder()) === identity ? true : undefined),
    deadlineMs,
    100,
  );
  return Date.now() - since;
}

/** What a replica has done so far, from its own /metrics. */
/** The Lease's duration as its holder wrote it (LeaderElector's default; no flag sets it). */
async function leaseDurationMs(): Promise<number> {
  const seconds = (await getLease(e.admin, LEASE_NS, LEASE))?.spec?.leaseDurationSeconds;
  if (seconds === undefined) throw new Error('the Lease has no leaseDurationSeconds');
  return seconds * 1000;
}

async function activity(
  c: ControllerProcess,
): Promise<{ leader: number; writes: number; reconciles: number }> {
  return {
    leader: await c.metricSum('weightlifter_leader'),
    writes: await c.metricSum('weightlifter_kube_requests_total', WRITE_VERBS),
    reconciles: await c.metricSum('weightlifter_reconcile_duration_seconds_count'),
  };
}

interface AuditEvent {
  readonly verb: string;
  readonly userAgent?: string;
  readonly requestReceivedTimestamp: string;
  readonly objectRef?: { resource?: string; namespace?: string; name?: string };
  readonly responseStatus?: { code?: number };
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const agentOf = (c: ControllerProcess): string => `weightlifter (${c.identity ?? ''})`;

/** The controllers' writes, in the order the API server received them. */
async function controllerWrites(): Promise<AuditEvent[]> {
  const text = await readFile(auditPath, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((ev) => WRITES.has(ev.verb) && ev.userAgent?.startsWith('weightlifter (') === true)
    .sort((x, y) => x.requestReceivedTimestamp.localeCompare(y.requestReceivedTimestamp));
}

const isLeaseWrite = (ev: AuditEvent): boolean =>
  ev.objectRef?.resource === 'leases' &&
  ev.objectRef.namespace === LEASE_NS &&
  ev.objectRef.name === LEASE;

const succeeded = (ev: AuditEvent): boolean =>
  (ev.responseStatus?.code ?? 0) >= 200 && (ev.responseStatus?.code ?? 0) < 300;

/**
 * Writes (other than the Lease's) received while their replica was not the last one to have
 * written the Lease: a replica that is not the holder acting.
 */
function writesOutOfTerm(writes: AuditEvent[]): AuditEvent[] {
  let holder: string | undefined;
  const out: AuditEvent[] = [];
  for (const ev of writes) {
    if (isLeaseWrite(ev)) {
      if (succeeded(ev)) holder = ev.userAgent;
    } else if (ev.userAgent !== holder) {
      out.push(ev);
    }
  }
  return out;
}

const advancedNotes = (events: EventJson[]): (string | undefined)[] =>
  events.filter((ev) => ev.reason === 'Advanced').map((ev) => ev.note);

describe('two replicas with leader election', () => {
  it('only the Lease holder acts; the standby makes no write and runs no reconcile', async () => {
    await a.start();
    await a.waitForLog((l) => l.msg === 'started leading');
    await b.start();
    expect(b.identity).not.toBe(a.identity);
    expect(await holder()).toBe(a.identity);

    split = await deployInitialized(e, ns, {
      canary: { interval: '3s', threshold: 3, stepWeights: STEPS },
    });
    await newRevision(e, ns, { 'example.com/rev': '2' });
    await waitForStepDone(e, ns, split, 20);

    expect(await holder()).toBe(a.identity);
    const active = await activity(a);
    expect(active.leader).toBe(1);
    expect(active.writes).toBeGreaterThan(0);
    expect(active.reconciles).toBeGreaterThan(0);
    expect(await activity(b)).toEqual({ leader: 0, writes: 0, reconciles: 0 });
    expect(b.logs.some((l) => l.msg === 'workers started' || l.canary !== undefined)).toBe(false);
    // Every Event so far was recorded by the leader.
    const events = await canaryEvents(e.admin, ns);
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((ev) => ev.reportingInstance))).toEqual(new Set([a.identity]));
  });

  it('SIGKILL of the leader mid-run: the standby takes the Lease and finishes the run, no step twice', async () => {
    const killed = a.identity ?? '';
    const leaseMs = await leaseDurationMs();
    expect(leaseMs).toBe(8_000);
    const frozen = await waitForStepDone(e, ns, split, 20);
    const killedAt = Date.now();
    await a.kill();
    const ms = await leaseTakenBy(b.identity ?? '', killedAt, leaseMs + SLACK_MS);
    process.stdout.write(
      `e2e-ha: handover after SIGKILL took ${String(ms)} ms (lease ${String(leaseMs)} ms)\n`,
    );
    await b.waitForLog((l) => l.msg === 'workers started');

    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    expect(done.revision).toBe(frozen.revision);
    expect(done.lastPromotedRevision).toBe(done.revision);
    const primary = await getDeployment(e.admin, ns, `${APP}-primary`);
    expect(primary?.spec?.template?.metadata?.annotations?.['example.com/rev']).toBe('2');
    // Every weight once, ascending, then all traffic back to the primary.
    await split.reached(0);
    expect(split.weights).toEqual(ALL_WEIGHTS);
    const events = await canaryEvents(e.admin, ns, (evs) =>
      evs.some((ev) => ev.reason === 'Succeeded'),
    );
    expect(advancedNotes(events).sort()).toEqual(
      STEPS.map((w) => `canary weight ${String(w)}`).sort(),
    );
    expect(events.filter((ev) => ev.reason === 'NewRevision')).toHaveLength(1);
    const byB = events.filter((ev) => ev.reportingInstance === b.identity);
    expect(byB.some((ev) => ev.reason === 'Succeeded')).toBe(true);
    expect(events.every((ev) => [killed, b.identity].includes(ev.reportingInstance))).toBe(true);
  });

  it('SIGTERM of the leader releases the Lease on the way out; the standby takes over and finishes', async () => {
    await a.start();
    expect(await holder()).toBe(b.identity);
    split.reset();
    await newRevision(e, ns, { 'example.com/rev': '3' });
    const frozen = await waitForStepDone(e, ns, split, 20);
    // The restarted replica is the standby now: no write, no reconcile.
    expect(await activity(a)).toEqual({ leader: 0, writes: 0, reconciles: 0 });

    const leaseMs = await leaseDurationMs();
    const stoppedAt = Date.now();
    expect(await b.stop()).toBe(0);
    // Released before the process exited: no holder, or already the standby.
    const after = await getLease(e.admin, LEASE_NS, LEASE);
    expect([undefined, '', a.identity]).toContain(after?.spec?.holderIdentity);
    // Quicker than waiting out the Lease: the standby sees it free at its next retry.
    const ms = await leaseTakenBy(a.identity ?? '', stoppedAt, leaseMs);
    process.stdout.write(`e2e-ha: handover after SIGTERM took ${String(ms)} ms\n`);

    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    expect(done.revision).toBe(frozen.revision);
    expect(done.lastPromotedRevision).toBe(done.revision);
    await split.reached(0);
    expect(split.weights).toEqual(ALL_WEIGHTS);
    const events = await canaryEvents(e.admin, ns, (evs) =>
      evs.some((ev) => ev.reason === 'Succeeded' && ev.reportingInstance === a.identity),
    );
    expect(
      events.some((ev) => ev.reason === 'Succeeded' && ev.reportingInstance === a.identity),
    ).toBe(true);
  });

  it('SIGSTOP of the leader: the standby takes over, and the old leader woken by SIGCONT writes nothing', async () => {
    await b.start();
    expect(await holder()).toBe(a.identity);
    split.reset();
    await newRevision(e, ns, { 'example.com/rev': '4' });
    await waitForStepDone(e, ns, split, 20);
    const frozen = a.logs.length;
    const pausedAt = new Date().toISOString();
    a.pause();
    await leaseTakenBy(b.identity ?? '', Date.now(), (await leaseDurationMs()) + SLACK_MS);
    await b.waitForLog((l) => l.msg === 'workers started');
    // b acts: it writes before a wakes up.
    await eventually(
      'a write by the new leader',
      async () =>
        (await controllerWrites()).some(
          (ev) =>
            ev.userAgent === agentOf(b) &&
            !isLeaseWrite(ev) &&
            ev.requestReceivedTimestamp > pausedAt,
        ) || undefined,
      SLACK_MS,
      200,
    );
    // Anything a had sent before SIGSTOP reached the API server long before this.
    const resumedAt = new Date().toISOString();
    a.resume();
    await a.waitForLog(
      (l) =>
        l.msg === 'lease not renewed within the renew deadline; stepping down' ||
        l.msg === 'leadership lost',
      SLACK_MS,
      frozen,
    );
    const done = await waitForEnd(e, ns);
    expect(done.phase).toBe('Succeeded');
    expect(await holder()).toBe(b.identity);

    const writes = await controllerWrites();
    // Both replicas wrote in this file (their User-Agents are in the log), ...
    expect(writes.some((ev) => ev.userAgent === agentOf(a) && !isLeaseWrite(ev))).toBe(true);
    expect(writes.some((ev) => ev.userAgent === agentOf(b) && !isLeaseWrite(ev))).toBe(true);
    // ... the woken leader nothing (a Lease write would be a compare-and-swap that b's newer
    // record refuses), ...
    const late = writes.filter(
      (ev) =>
        ev.userAgent === agentOf(a) && !isLeaseWrite(ev) && ev.requestReceivedTimestamp > resumedAt,
    );
    expect(late.map((ev) => `${ev.verb} ${ev.objectRef?.resource ?? ''}`)).toEqual([]);
    // ... and no write of any test here came from a replica that did not hold the Lease.
    expect(writesOutOfTerm(writes)).toEqual([]);
  });
});
