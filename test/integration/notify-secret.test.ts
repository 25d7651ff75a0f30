// Alert URLs from Secrets on the real API server: the notifier reads the key at delivery time
// (a rotated URL is used without a restart) and turns a missing Secret or key into a failed
// result, never an exception. Deliveries go to a real HTTP receiver on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { BUILTIN, collectionPath, objectPath } from '../../src/kube/resources.js';
import { createNotifier } from '../../src/notify/notifier.js';
import { createSecretReader } from '../../src/notify/secrets.js';
import type { NotifyEvent, ProviderConfig } from '../../src/notify/types.js';
import { startReceiver, type Receiver } from '../unit/hooks/receiver.js';
import { adminClients, createNamespace, deleteNamespace } from './kube-fixtures.js';

jest.setTimeout(30_000);

const NS = 'notify-secret';
let raw: KubeRawClient;
let receiver: Receiver;

const event: NotifyEvent = {
  kind: 'PromotionFailed',
  severity: 'error',
  canary: 'podinfo',
  namespace: 'test',
  phase: 'Failed',
  reason: 'PromotionFailed',
  message: 'promotion of abc failed: primary not updated in time; all traffic kept on the canary',
  revision: 'abc',
  timestamp: '2026-11-24T12:00:00.000Z',
  canaryWeight: 100,
  failedChecks: 0,
  cluster: null,
};

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function provider(name: string, key: string): ProviderConfig {
  return {
    name,
    type: 'generic',
    urlFrom: { secretKeyRef: { name, key } },
    minSeverity: 'info',
    timeoutMs: 2000,
    retries: 0,
  };
}

beforeAll(async () => {
  raw = adminClients().raw;
  receiver = await startReceiver();
  await createNamespace(raw, NS);
  await raw.create(collectionPath(BUILTIN.secrets, NS), {
    metadata: { name: 'alerts', namespace: NS },
    data: { hook: b64(`${receiver.url('/first')}\n`) },
  });
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
  await receiver.close();
});

describe('notify with urlFrom (real API server)', () => {
  it('reads the URL from the Secret at each delivery, picking up a rotation', async () => {
    const notifier = createNotifier(
      { providers: [provider('alerts', 'hook')] },
      { logger: pino({ level: 'silent' }), secrets: createSecretReader(raw, NS) },
    );
    expect(await notifier.notify(event)).toEqual([
      { provider: 'alerts', type: 'generic', outcome: 'sent', status: 200, attempts: 1 },
    ]);
    await raw.patch(objectPath(BUILTIN.secrets, NS, 'alerts'), {
      data: { hook: b64(receiver.url('/rotated')) },
    });
    await notifier.notify(event);
    expect(receiver.received.map((r) => r.path)).toEqual(['/first', '/rotated']);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({
      kind: 'PromotionFailed',
      severity: 'error',
    });
  });

  it('reports a missing key and a missing Secret as failed results', async () => {
    const notifier = createNotifier(
      { providers: [provider('alerts', 'slack'), provider('absent', 'hook')] },
      { logger: pino({ level: 'silent' }), secrets: createSecretReader(raw, NS) },
    );
    const [noKey, noSecret] = await notifier.notify(event);
    expect(noKey).toMatchObject({
      outcome: 'failed',
      error: { failure: 'Secret', message: `Secret ${NS}/alerts has no key slack` },
    });
    expect(noSecret).toMatchObject({
      outcome: 'failed',
      error: { failure: 'Secret', message: `cannot read Secret ${NS}/absent` },
    });
    if (noSecret?.outcome !== 'failed') throw new Error('expected a failure');
    expect(noSecret.error.cause).toMatchObject({ status: 404 });
  });
});
