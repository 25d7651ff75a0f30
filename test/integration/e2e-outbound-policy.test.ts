// End-to-end, issue 22 item 2: the address policy's defaults against the real controller process.
// The controller unblocks only 127.0.0.2/32 (where this test's webhook receiver listens), so the
// rest of loopback stays blocked, as everything is in a cluster. Webhooks to the cloud metadata
// address, to a loopback port and to the API server's own address are refused before any traffic
// moves (Ready=False WebhookAddressNotAllowed, a Warning Event naming each URL and rule); a
// receiver that redirects into a blocked range is not followed (the gate stays closed, its status
// naming the Location and the rule); the same receiver answering 200 lets the run start.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { CanaryStatus } from '../../src/api/canary.js';
import { newRevision } from '../e2e/canary-run.js';
import { initializedCanary, useE2E } from '../e2e/fixtures.js';
import { waitForStatus } from '../e2e/harness.js';
import { HookServer } from '../e2e/hook-server.js';
import { APP } from '../e2e/manifests.js';
import { canaryEvents } from '../e2e/observers.js';

jest.setTimeout(240_000);

const e = useE2E('outbound', { controllerArgs: ['--unblock-cidrs', '127.0.0.2/32'] });
const hooks = new HookServer();
beforeAll(async () => {
  await hooks.start('127.0.0.2');
});
afterAll(async () => {
  await hooks.stop();
});

const METADATA = 'http://169.254.169.254/latest/meta-data/';
const readyOf = (s: CanaryStatus) => (s.conditions ?? []).find((c) => c.type === 'Ready');

describe('blocked addresses are refused before traffic moves', () => {
  const ns = 'e2e-out-blocked';
  const loopbackPort = 'http://127.0.0.1:9/hook';
  const deployed = initializedCanary(e, ns, () => ({
    canary: {
      webhooks: [
        { name: 'metadata', type: 'pre-rollout', url: METADATA },
        { name: 'loopback', type: 'rollout', url: loopbackPort },
        { name: 'apiserver', type: 'rollout', url: `${e.world.controlPlane.server}/api` },
      ],
    },
  }));

  it('ends Ready=False WebhookAddressNotAllowed naming each URL and rule, with an Event', async () => {
    const apiUrl = `${e.world.controlPlane.server}/api`;
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const refused = await waitForStatus(e, ns, APP, 'Ready=False WebhookAddressNotAllowed', (s) =>
      (s.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.reason === 'WebhookAddressNotAllowed',
      ),
    );
    const ready = readyOf(refused);
    expect(ready?.status).toBe('False');
    const says = [
      `metadata: ${METADATA} not allowed by the address policy: address 169.254.169.254 is in the blocked range 169.254.0.0/16 (rule link-local)`,
      `loopback: ${loopbackPort} not allowed by the address policy: address 127.0.0.1 is in the blocked range 127.0.0.0/8 (rule loopback)`,
      `apiserver: ${apiUrl} not allowed by the address policy: address 127.0.0.1 is the Kubernetes API server`,
    ];
    for (const text of says) expect(ready?.message).toContain(text);
    expect(refused.phase).toBe('Waiting');
    expect(refused.canaryWeight ?? 0).toBe(0);
    const events = await canaryEvents(e.admin, ns, (evs) =>
      evs.some((ev) => ev.reason === 'WebhookAddressNotAllowed'),
    );
    const warning = events.find((ev) => ev.reason === 'WebhookAddressNotAllowed');
    expect(warning?.type).toBe('Warning');
    for (const text of says) expect(warning?.note).toContain(text);
    expect(deployed.split.current()).toEqual({ primaryWeight: 100, canaryWeight: 0 });
  });
});

describe('a redirect into a blocked range is not followed; an unblocked address works', () => {
  const ns = 'e2e-out-redirect';
  const deployed = initializedCanary(e, ns, () => ({
    canary: { webhooks: [{ name: 'gate', type: 'confirm-rollout', url: `${hooks.url}/gate` }] },
  }));

  it('holds the gate naming the Location and the rule, then starts the run once it answers 200', async () => {
    hooks.redirects.set('/gate', METADATA);
    await newRevision(e, ns, { 'example.com/rev': '2' });
    const held = await waitForStatus(e, ns, APP, 'Ready=False ConfirmRolloutPending', (s) =>
      (s.conditions ?? []).some((c) => c.type === 'Ready' && c.reason === 'ConfirmRolloutPending'),
    );
    expect(readyOf(held)?.message).toContain(
      `webhook gate: HTTP 302 redirect to ${METADATA} not followed (redirects are never followed); ` +
        'the address policy refuses it: address 169.254.169.254 is in the blocked range ' +
        '169.254.0.0/16 (rule link-local)',
    );
    expect(hooks.callsTo('/gate').length).toBeGreaterThan(0);
    expect(deployed.split.weights).toEqual([0]);

    hooks.redirects.delete('/gate');
    const started = await waitForStatus(e, ns, APP, 'the run starts', (s) =>
      ['Progressing', 'Promoting', 'Finalising', 'Succeeded'].includes(s.phase ?? ''),
    );
    expect(started.revision).toBe(held.revision);
  });
});
