// Webhook calls against a real HTTP server on 127.0.0.1: payload, success and failure semantics,
// timeouts, retries with backoff (the sleep between attempts and the per-attempt timeout are
// injected and driven by a manual clock, never waited for).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Webhook } from '../../../src/api/canary.js';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { buildPayload, type HookSubject } from '../../../src/hooks/payload.js';
import { hooksOfType, runHooks, describeHookFailures } from '../../../src/hooks/run-hooks.js';
import { createUrlPolicy } from '../../../src/outbound/url-policy.js';
import { callWebhook } from '../../../src/hooks/webhook-call.js';
import { clockTimeouts, reply, startReceiver, type Receiver } from './receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const subject: HookSubject = {
  name: 'podinfo',
  namespace: 'test',
  phase: 'Progressing',
  checksum: '5d8c7f',
};
/** The receiver listens on 127.0.0.1: loopback is blocked unless the operator unblocks it. */
const loopback = createUrlPolicy({ unblockedCidrs: ['127.0.0.0/8'] });
const noWait = (delays: number[] = []) => ({
  policy: loopback,
  sleep: (ms: number) => (delays.push(ms), Promise.resolve()),
});

function hook(path: string, extra: Partial<Webhook> = {}): Webhook {
  return { name: path.slice(1), url: receiver.url(path), ...extra };
}

describe('webhook payload', () => {
  it('is Flagger’s {name, namespace, phase, checksum, metadata} plus the hook type', async () => {
    const h = hook('/payload', {
      type: 'pre-rollout',
      metadata: { type: 'cmd', cmd: 'hey -z 1m http://podinfo-canary.test:9898/' },
    });
    const result = await callWebhook(h, buildPayload(subject, 'pre-rollout', h.metadata), noWait());
    expect(result.ok).toBe(true);
    const req = receiver.received.find((r) => r.path === '/payload');
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      checksum: '5d8c7f',
      type: 'pre-rollout',
      metadata: { type: 'cmd', cmd: 'hey -z 1m http://podinfo-canary.test:9898/' },
    });
  });

  it('omits empty metadata and carries the event in metadata for event hooks', () => {
    expect(buildPayload(subject, 'rollout', undefined)).not.toHaveProperty('metadata');
    const payload = buildPayload(
      subject,
      'event',
      { team: 'web' },
      {
        message: 'Advance podinfo.test canary weight 10',
        type: 'Normal',
        timestamp: 1_700_000_000_123,
      },
    );
    expect(payload.metadata).toEqual({
      team: 'web',
      eventMessage: 'Advance podinfo.test canary weight 10',
      eventType: 'Normal',
      timestamp: '1700000000123',
    });
  });
});

describe('callWebhook', () => {
  it.each([200, 201, 202, 204, 299])('counts HTTP %d as success', async (status) => {
    receiver.on(`/ok-${status}`, reply(status));
    const result = await callWebhook(
      hook(`/ok-${status}`),
      buildPayload(subject, 'rollout', undefined),
      noWait(),
    );
    expect(result).toMatchObject({ ok: true, status, attempts: 1 });
  });

  it('fails on 403 without retrying, with the status and the body in the result', async () => {
    receiver.on('/gate', reply(403, 'Forbidden: gate closed'));
    const result = await callWebhook(
      hook('/gate', { retries: 3 }),
      buildPayload(subject, 'confirm-promotion', undefined),
      noWait(),
    );
    expect(result).toMatchObject({
      ok: false,
      status: 403,
      body: 'Forbidden: gate closed',
      attempts: 1,
    });
    if (!result.ok) {
      expect(result.error.code).toBe('WL_WEBHOOK_FAILED');
      expect(result.error.message).toBe('webhook gate: HTTP 403: Forbidden: gate closed');
    }
  });

  it('retries 5xx with exponential backoff and succeeds when the receiver recovers', async () => {
    receiver.on('/flaky', (_req, res, attempt) => {
      res.statusCode = attempt < 3 ? 503 : 200;
      res.end(attempt < 3 ? 'warming up' : 'ok');
    });
    const delays: number[] = [];
    const result = await callWebhook(
      hook('/flaky', { retries: 4 }),
      buildPayload(subject, 'rollout', undefined),
      {
        ...noWait(delays),
        backoffMs: 100,
      },
    );
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 3 });
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after the retries and reports the last answer', async () => {
    receiver.on('/down', reply(500, 'x'.repeat(5000)));
    const delays: number[] = [];
    const result = await callWebhook(
      hook('/down', { retries: 2 }),
      buildPayload(subject, 'rollout', undefined),
      {
        ...noWait(delays),
        backoffMs: 1_000,
        maxBackoffMs: 1_500,
      },
    );
    expect(result).toMatchObject({ ok: false, status: 500, attempts: 3 });
    expect(delays).toEqual([1_000, 1_500]);
    if (!result.ok) expect(result.body?.length).toBe(512);
  });

  it('times out per attempt with the hook’s own Go-duration timeout', async () => {
    const clock = new ManualClock();
    const timeouts = clockTimeouts(clock);
    const abortedAt199: boolean[] = [];
    // Never answers; once a request is in, time moves on the manual clock: 199 ms is not enough.
    receiver.on('/slow', () => {
      void (async () => {
        await clock.advance(199);
        abortedAt199.push(timeouts.signals.at(-1)?.aborted ?? true);
        await clock.advance(1);
      })();
    });
    const result = await callWebhook(
      hook('/slow', { timeout: '200ms', retries: 1 }),
      buildPayload(subject, 'rollout', undefined),
      { ...noWait(), timeoutSignal: timeouts.timeoutSignal },
    );
    expect(timeouts.asked).toEqual([200, 200]);
    expect(abortedAt199).toEqual([false, false]);
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    if (!result.ok) {
      expect(result.error.failure).toBe('Timeout');
      expect(result.error.message).toBe('webhook slow: no answer within 200ms');
    }
  });

  it('reports a refused connection as a network failure', async () => {
    const gone = await startReceiver();
    const url = gone.url('/x');
    await gone.close();
    const result = await callWebhook(
      { name: 'gone', url },
      buildPayload(subject, 'rollout', undefined),
      noWait(),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.failure).toBe('Network');
      expect(result.error.message).toContain('ECONNREFUSED');
    }
  });

  it('does not follow redirects', async () => {
    receiver.on('/redirect', (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data');
      res.end();
    });
    const before = receiver.received.length;
    const result = await callWebhook(
      hook('/redirect'),
      buildPayload(subject, 'rollout', undefined),
      noWait(),
    );
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1 });
    if (result.ok) return;
    expect(result.error.failure).toBe('Redirect');
    expect(result.error.details).toMatchObject({ rule: 'link-local' });
    expect(result.error.message).toBe(
      `webhook redirect: HTTP 302 redirect to http://169.254.169.254/latest/meta-data not followed ` +
        `(redirects are never followed); the address policy refuses it: address 169.254.169.254 is ` +
        `in the blocked range 169.254.0.0/16 (rule link-local); the operator can unblock it with --unblock-cidrs`,
    );
    expect(receiver.received.length).toBe(before + 1);
  });

  it('refuses a blocked address by default, naming the URL and the rule, without calling it', async () => {
    const before = receiver.received.length;
    const result = await callWebhook(
      hook('/blocked'),
      buildPayload(subject, 'rollout', undefined),
      {
        ...noWait(),
        policy: createUrlPolicy({}),
      },
    );
    expect(result).toMatchObject({ ok: false, attempts: 0 });
    if (result.ok) return;
    expect(result.error.failure).toBe('Blocked');
    expect(result.error.message).toMatch(
      new RegExp(
        `^webhook blocked: ${receiver.url('/blocked')} not allowed by the address policy: .*rule loopback`,
      ),
    );
    expect(receiver.received.length).toBe(before);
  });

  it('refuses at connect time when the name resolves into a blocked range after the check', async () => {
    // The check sees an allowed address, the connection's own lookup the loopback one.
    const answers = ['10.0.0.9'];
    const policy = createUrlPolicy({}, () => Promise.resolve([answers.shift() ?? '127.0.0.1']));
    const before = receiver.received.length;
    const port = new URL(receiver.url('/')).port;
    const result = await callWebhook(
      { name: 'rebind', url: `http://rebind.test:${port}/rebind`, retries: 2 },
      buildPayload(subject, 'rollout', undefined),
      { ...noWait(), policy },
    );
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    if (result.ok) return;
    expect(result.error.failure).toBe('Blocked');
    expect(result.error.message).toMatch(
      /rebind\.test resolves to 127\.0\.0\.1, which is in the blocked range 127\.0\.0\.0\/8 \(rule loopback\)/,
    );
    expect(receiver.received.length).toBe(before);
  });

  it('refuses URLs outside the operator’s policy without calling them', async () => {
    const policy = createUrlPolicy({ allowedHosts: ['loadtester.test'] });
    const before = receiver.received.length;
    const result = await callWebhook(
      hook('/blocked'),
      buildPayload(subject, 'rollout', undefined),
      { ...noWait(), policy },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.failure).toBe('Blocked');
    expect(receiver.received.length).toBe(before);
    const allowed = createUrlPolicy({
      allowedCidrs: ['127.0.0.0/8'],
      unblockedCidrs: ['127.0.0.0/8'],
    });
    expect(
      (
        await callWebhook(hook('/allowed'), buildPayload(subject, 'rollout', undefined), {
          ...noWait(),
          policy: allowed,
        })
      ).ok,
    ).toBe(true);
  });

  it('rejects an invalid timeout before calling', async () => {
    const result = await callWebhook(
      hook('/x', { timeout: 'soon' }),
      buildPayload(subject, 'rollout', undefined),
      noWait(),
    );
    expect(result).toMatchObject({ ok: false, attempts: 0 });
  });
});

describe('runHooks', () => {
  it('runs every hook of the type in order, even after a failure, and aggregates', async () => {
    receiver.on('/a', reply(200));
    receiver.on('/b', reply(500, 'broken'));
    receiver.on('/c', reply(204));
    const hooks: Webhook[] = [
      hook('/a', { type: 'pre-rollout' }),
      hook('/b', { type: 'pre-rollout' }),
      hook('/skip', { type: 'post-rollout' }),
      hook('/c', { type: 'pre-rollout' }),
    ];
    const before = receiver.received.length;
    const outcome = await runHooks('pre-rollout', hooks, subject, noWait());
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual(['/a', '/b', '/c']);
    expect(outcome.results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(outcome).toMatchObject({ allSucceeded: false, anySucceeded: true });
    expect(describeHookFailures(outcome)).toBe('webhook b: HTTP 500: broken');
  });

  it('treats hooks without a type as rollout hooks, and an empty list as nothing objecting', async () => {
    expect(
      hooksOfType([hook('/a'), hook('/b', { type: 'rollback' })], 'rollout').map((h) => h.name),
    ).toEqual(['a']);
    const none = await runHooks('rollback', [], subject, noWait());
    expect(none).toMatchObject({ allSucceeded: true, anySucceeded: false, results: [] });
  });

  it('sends event hooks the event in metadata', async () => {
    const before = receiver.received.length;
    await runHooks('event', [hook('/events', { type: 'event' })], subject, {
      ...noWait(),
      event: { message: 'New revision detected', type: 'Normal', timestamp: 42 },
    });
    const body = JSON.parse(receiver.received[before]?.body ?? '{}') as {
      type: string;
      metadata: Record<string, string>;
    };
    expect(body.type).toBe('event');
    expect(body.metadata).toEqual({
      eventMessage: 'New revision detected',
      eventType: 'Normal',
      timestamp: '42',
    });
  });
});
