// notify() against a real HTTP receiver on 127.0.0.1: each provider's body, the severity filter,
// retries, timeouts, refused connections and Secret-sourced URLs. Waits between attempts are
// injected (recorded, not slept); per-attempt timeouts run on a manual clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../../src/time/manual-clock.js';
import { createNotifier } from '../../../src/notify/notifier.js';
import { NotifyError } from '../../../src/notify/errors.js';
import type { SecretReader } from '../../../src/notify/secrets.js';
import type { NotifyConfig, ProviderConfig } from '../../../src/notify/types.js';
import { clockTimeouts, reply, startReceiver, type Receiver } from '../hooks/receiver.js';
import { checkFailed, noWait, rollback, silent, started } from './fixtures.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

function provider(path: string, extra: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    name: path.slice(1),
    type: 'generic',
    url: receiver.url(path),
    minSeverity: 'info',
    timeoutMs: 2000,
    retries: 2,
    ...extra,
  };
}

const bodiesAt = (path: string): unknown[] =>
  receiver.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as unknown);

describe('payloads as each service expects them', () => {
  it('Slack: text plus a coloured attachment with fields; channel and username when set', async () => {
    const n = createNotifier(
      { providers: [provider('/slack', { type: 'slack', channel: '#deploys', username: 'wl' })] },
      { logger: silent, ...noWait() },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'sent', status: 200, attempts: 1 });
    const [body] = bodiesAt('/slack');
    expect(body).toEqual({
      channel: '#deploys',
      username: 'wl',
      text: 'test/podinfo: rolled back: failed checks threshold reached',
      attachments: [
        {
          color: '#a30200',
          fallback: `test/podinfo: rolled back: failed checks threshold reached: ${rollback.message}`,
          title: 'test/podinfo: rolled back: failed checks threshold reached',
          text: rollback.message,
          fields: expect.arrayContaining([
            { title: 'Phase', value: 'Failed', short: true },
            { title: 'Revision', value: '5d8c7f012345', short: true },
            { title: 'Failed checks', value: '5', short: true },
          ]) as unknown,
          footer: 'weightlifter',
          ts: Date.parse(rollback.timestamp) / 1000,
        },
      ],
    });
    expect(receiver.received.find((x) => x.path === '/slack')?.headers['content-type']).toBe(
      'application/json',
    );
  });

  it('Teams: an Adaptive Card in a message envelope, colour by severity', async () => {
    const n = createNotifier(
      { providers: [provider('/teams', { type: 'msteams' })] },
      { logger: silent, ...noWait() },
    );
    await n.notify(checkFailed);
    const [body] = bodiesAt('/teams') as [Record<string, unknown>];
    expect(body['type']).toBe('message');
    const [attachment] = body['attachments'] as [Record<string, unknown>];
    expect(attachment['contentType']).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment['content'] as Record<string, unknown>;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    const [heading, text, factSet] = card['body'] as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(heading).toMatchObject({
      type: 'TextBlock',
      text: 'test/podinfo: check failed',
      color: 'Warning',
    });
    expect(text).toMatchObject({ type: 'TextBlock', text: 'latency-p99 612 > 500' });
    expect(factSet['type']).toBe('FactSet');
    expect(factSet['facts']).toContainEqual({ title: 'Canary weight', value: '10%' });
  });

  it('Discord: content plus an embed with an integer colour, clipped to Discord limits', async () => {
    const long = { ...started, message: 'x'.repeat(5000) };
    const n = createNotifier(
      { providers: [provider('/discord', { type: 'discord', username: 'wl' })] },
      { logger: silent, ...noWait() },
    );
    await n.notify(long);
    const [body] = bodiesAt('/discord') as [Record<string, unknown>];
    expect(body['username']).toBe('wl');
    expect(body['content']).toBe('test/podinfo: canary analysis started');
    const [embed] = body['embeds'] as [Record<string, unknown>];
    expect(embed['color']).toBe(0x2eb886);
    expect(embed['timestamp']).toBe(started.timestamp);
    expect((embed['description'] as string).length).toBe(4096);
    expect(embed['fields']).toContainEqual({ name: 'Phase', value: 'Progressing', inline: true });
  });

  it('generic: a flat JSON document with the event fields', async () => {
    const n = createNotifier(
      { providers: [provider('/generic')] },
      { logger: silent, ...noWait() },
    );
    await n.notify({ ...rollback, cluster: 'prod-eu' });
    expect(bodiesAt('/generic')).toEqual([
      {
        canary: 'podinfo',
        namespace: 'test',
        phase: 'Failed',
        kind: 'ThresholdReached',
        reason: 'FailedChecksThresholdReached',
        message: rollback.message,
        severity: 'error',
        revision: '5d8c7f0123456789',
        timestamp: '2026-11-24T12:00:00.000Z',
        canaryWeight: 0,
        failedChecks: 5,
        cluster: 'prod-eu',
      },
    ]);
  });
});

describe('severity filter', () => {
  it('sends each event only to providers whose minimum it reaches', async () => {
    const config: NotifyConfig = {
      providers: [
        provider('/sev-info', { minSeverity: 'info' }),
        provider('/sev-warn', { minSeverity: 'warn' }),
        provider('/sev-error', { minSeverity: 'error' }),
      ],
    };
    const n = createNotifier(config, { logger: silent, ...noWait() });
    const info = await n.notify(started);
    const warn = await n.notify(checkFailed);
    const error = await n.notify(rollback);
    expect(info.map((r) => r.outcome)).toEqual(['sent', 'filtered', 'filtered']);
    expect(warn.map((r) => r.outcome)).toEqual(['sent', 'sent', 'filtered']);
    expect(error.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(info[1]).toMatchObject({ reason: 'severity info is below warn' });
    const kinds = (path: string): unknown[] =>
      bodiesAt(path).map((b) => (b as { kind: string }).kind);
    expect(kinds('/sev-info')).toEqual(['RunStarted', 'CheckFailed', 'ThresholdReached']);
    expect(kinds('/sev-warn')).toEqual(['CheckFailed', 'ThresholdReached']);
    expect(kinds('/sev-error')).toEqual(['ThresholdReached']);
  });
});

describe('failure handling (results are values, never rejections)', () => {
  it('retries a 5xx with exponential backoff and succeeds', async () => {
    receiver.on('/flaky', (_r, res, attempt) => {
      res.statusCode = attempt < 3 ? 503 : 200;
      res.end();
    });
    const delays: number[] = [];
    const n = createNotifier(
      { providers: [provider('/flaky')] },
      { logger: silent, ...noWait(delays), backoffMs: 100 },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'sent', attempts: 3 });
    expect(delays).toEqual([100, 200]);
  });

  it('honours Retry-After on 429, capped by the maximum backoff', async () => {
    receiver.on('/limited', (_r, res, attempt) => {
      res.statusCode = attempt === 1 ? 429 : 204;
      if (attempt === 1) res.setHeader('retry-after', '2');
      res.end();
    });
    const delays: number[] = [];
    const n = createNotifier(
      { providers: [provider('/limited')] },
      { logger: silent, ...noWait(delays), maxBackoffMs: 60_000 },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'sent', status: 204, attempts: 2 });
    expect(delays).toEqual([2000]);
  });

  it('does not retry a 4xx and reports the status and body', async () => {
    receiver.on('/bad', reply(400, 'invalid_payload'));
    const n = createNotifier(
      { providers: [provider('/bad', { type: 'slack' })] },
      { logger: silent, ...noWait() },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'failed', status: 400, attempts: 1 });
    if (r?.outcome !== 'failed') throw new Error('expected a failure');
    expect(r.error).toBeInstanceOf(NotifyError);
    expect(r.error).toMatchObject({
      code: 'WL_WEBHOOK_FAILED',
      failure: 'HttpStatus',
      message: 'HTTP 400: invalid_payload',
    });
    expect(receiver.received.filter((x) => x.path === '/bad')).toHaveLength(1);
  });

  it('gives up after the retries when the receiver never answers (per-attempt timeout)', async () => {
    const clock = new ManualClock();
    const timeouts = clockTimeouts(clock);
    const abortedAt149: boolean[] = [];
    // Holds every request open; once a request is in, time moves on the manual clock.
    receiver.on('/silent', () => {
      void (async () => {
        await clock.advance(149);
        abortedAt149.push(timeouts.signals.at(-1)?.aborted ?? true);
        await clock.advance(1);
      })();
    });
    const n = createNotifier(
      { providers: [provider('/silent', { timeoutMs: 150, retries: 1 })] },
      { logger: silent, ...noWait(), timeoutSignal: timeouts.timeoutSignal },
    );
    const [r] = await n.notify(rollback);
    expect(timeouts.asked).toEqual([150, 150]);
    expect(abortedAt149).toEqual([false, false]);
    expect(r).toMatchObject({ outcome: 'failed', attempts: 2, error: { failure: 'Timeout' } });
  });

  it('reports a refused connection as a network failure after the retries', async () => {
    const port = await closedPort();
    const n = createNotifier(
      { providers: [{ ...provider('/x'), url: `http://127.0.0.1:${port}/hook`, retries: 1 }] },
      { logger: silent, ...noWait() },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'failed', attempts: 2, error: { failure: 'Network' } });
    if (r?.outcome !== 'failed') throw new Error('expected a failure');
    expect(r.error.message).toMatch(/ECONNREFUSED/);
  });

  it('does not follow redirects', async () => {
    receiver.on('/moved', (_r, res) => {
      res.statusCode = 302;
      res.setHeader('location', receiver.url('/generic'));
      res.end();
    });
    const n = createNotifier({ providers: [provider('/moved')] }, { logger: silent, ...noWait() });
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'failed', status: 302, attempts: 1 });
  });

  it('one failing provider does not stop the others', async () => {
    receiver.on('/down', reply(500));
    const n = createNotifier(
      { providers: [provider('/down', { retries: 0 }), provider('/up')] },
      { logger: silent, ...noWait() },
    );
    const results = await n.notify(rollback);
    expect(results.map((r) => [r.provider, r.outcome])).toEqual([
      ['down', 'failed'],
      ['up', 'sent'],
    ]);
  });
});

describe('URLs from Secrets', () => {
  const ref = { secretKeyRef: { name: 'alerts', key: 'hook' } };
  const noUrl = (): Omit<ProviderConfig, 'url'> => {
    const p = provider('/from-secret');
    return {
      name: p.name,
      type: p.type,
      minSeverity: p.minSeverity,
      timeoutMs: p.timeoutMs,
      retries: p.retries,
    };
  };

  it('reads the URL through the SecretReader at delivery time', async () => {
    const reads: string[] = [];
    const secrets: SecretReader = {
      read: (r) => {
        reads.push(`${r.name}/${r.key}`);
        return Promise.resolve(receiver.url('/from-secret'));
      },
    };
    const n = createNotifier(
      { providers: [{ ...noUrl(), urlFrom: ref }] },
      { logger: silent, secrets, ...noWait() },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'sent' });
    expect(reads).toEqual(['alerts/hook']);
    expect(bodiesAt('/from-secret')).toHaveLength(1);
  });

  it('turns an unreadable Secret into a failed result', async () => {
    const secrets: SecretReader = {
      read: () => Promise.reject(new NotifyError('Secret', 'Secret ops/alerts has no key hook')),
    };
    const n = createNotifier(
      { providers: [{ ...noUrl(), urlFrom: ref }] },
      { logger: silent, secrets, ...noWait() },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({ outcome: 'failed', attempts: 0, error: { failure: 'Secret' } });
  });

  it('turns a reader that throws something unexpected into an Internal failure', async () => {
    const secrets: SecretReader = { read: () => Promise.reject(new TypeError('boom')) };
    const n = createNotifier(
      { providers: [{ ...noUrl(), urlFrom: ref }] },
      { logger: silent, secrets, ...noWait() },
    );
    const [r] = await n.notify(rollback);
    expect(r).toMatchObject({
      outcome: 'failed',
      error: { failure: 'Internal', message: 'provider from-secret: boom' },
    });
  });
});

describe('idle()', () => {
  it('waits for deliveries started without awaiting them', async () => {
    // The receiver holds the request until the test answers it: no timer decides the order.
    const arrived = new Promise<() => void>((resolve) => {
      receiver.on('/slow', (_r, res) => {
        resolve(() => res.end('ok'));
      });
    });
    const n = createNotifier({ providers: [provider('/slow')] }, { logger: silent, ...noWait() });
    const before = receiver.received.filter((r) => r.path === '/slow').length;
    const pending = n.notify(rollback);
    let idle = false;
    const idled = n.idle().then(() => {
      idle = true;
    });
    const answer = await arrived;
    expect(idle).toBe(false);
    answer();
    await idled;
    await expect(pending).resolves.toEqual([expect.objectContaining({ outcome: 'sent' })]);
    expect(receiver.received.filter((r) => r.path === '/slow').length).toBe(before + 1);
  });
});

/** A port nothing listens on: bind, note it, close. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}
