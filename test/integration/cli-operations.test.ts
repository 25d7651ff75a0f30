// promote/abort/retry/pause/resume against the real API server. No controller runs in this suite,
// so nothing acknowledges a request by itself: the tests check what the CLI writes (the
// annotation, by merge patch, with a fresh token), that an unacknowledged wait ends cleanly at its
// deadline with exit code 2, and — with the test writing status.operation in the controller's
// place — that an acknowledgement is reported as Accepted or Rejected.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Canary, OperationStatus } from '../../src/api/canary.js';
import { ANNOTATIONS, MANUAL_OPERATIONS } from '../../src/api/constants.js';
import { CANARY_REF } from '../../src/cli/commands/context.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { collectionPath, objectPath } from '../../src/kube/resources.js';
import { canaryManifest, runCli } from './cli-harness.js';
import { adminClients, createNamespace, deleteNamespace, eventually } from './kube-fixtures.js';

jest.setTimeout(60_000);

const NS = 'cli-operations';
let raw: KubeRawClient;

const get = (name: string): Promise<Canary> => raw.get<Canary>(objectPath(CANARY_REF, NS, name));
const annotation = async (name: string): Promise<string | undefined> =>
  (await get(name)).metadata.annotations?.[ANNOTATIONS.operation];

async function createCanary(name: string): Promise<Canary> {
  const manifest = canaryManifest(NS, name);
  manifest.metadata.annotations = { 'team.example.com/owner': 'web' };
  return raw.create<Canary>(collectionPath(CANARY_REF, NS), manifest);
}

beforeAll(async () => {
  raw = adminClients().raw;
  await createNamespace(raw, NS);
});

afterAll(async () => {
  await deleteNamespace(raw, NS);
});

describe('operation request (no controller running: nothing acknowledges)', () => {
  it('writes <action>:<token> by merge patch, keeps other annotations and the spec, then reports "not acknowledged" at the deadline (exit 2)', async () => {
    const before = await createCanary('unacked');
    const r = await runCli(['promote', 'unacked', '-n', NS, '--timeout', '1s']);
    expect(r.exitCode).toBe(2);
    const after = await get('unacked');
    const value = after.metadata.annotations?.[ANNOTATIONS.operation] ?? '';
    expect(value).toMatch(/^promote:\d{4}-\d\d-\d\dT[\d:.]+Z-[0-9a-f]{6}$/);
    expect(after.metadata.annotations?.['team.example.com/owner']).toBe('web');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).toEqual(before.spec);
    expect(r.stdout).toBe(`promote requested for ${NS}/unacked (request ${value})\n`);
    expect(r.stderr).toMatch(
      /^weightlifter: not acknowledged within 1s: is the weightlifter controller running/,
    );
  });

  it('uses a fresh token on every call, for every action', async () => {
    await createCanary('tokens');
    const values = new Set<string>();
    for (const action of MANUAL_OPERATIONS) {
      const r = await runCli([action, 'tokens', '-n', NS, '--no-wait']);
      expect(r.exitCode).toBe(0);
      const value = (await annotation('tokens')) ?? '';
      expect(value.startsWith(`${action}:`)).toBe(true);
      values.add(value);
    }
    await runCli(['pause', 'tokens', '-n', NS, '--no-wait']);
    values.add((await annotation('tokens')) ?? '');
    expect(values.size).toBe(MANUAL_OPERATIONS.length + 1);
  });

  it('--no-wait returns right after writing', async () => {
    await createCanary('nowait');
    const r = await runCli(['abort', 'nowait', '-n', NS, '--no-wait']);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toMatch(/^abort requested for cli-operations\/nowait \(request abort:/);
  });

  it('fails with exit code 1 for a missing Canary and writes nothing', async () => {
    const r = await runCli(['retry', 'ghost', '-n', NS, '--timeout', '1s']);
    expect(r).toEqual({
      stdout: '',
      stderr: `weightlifter: Canary ${NS}/ghost not found\n`,
      exitCode: 1,
    });
  });

  it('rejects a bad --timeout', async () => {
    const r = await runCli(['resume', 'nowait', '-n', NS, '--timeout', 'a while']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--timeout "a while" is not a duration/);
  });
});

describe('acknowledgement (the test writes status.operation in the controller’s place)', () => {
  async function acknowledge(
    name: string,
    ack: Omit<OperationStatus, 'request' | 'handledAt'>,
  ): Promise<void> {
    const value = await eventually('the operation annotation', () => annotation(name));
    await raw.patch(objectPath(CANARY_REF, NS, name, 'status'), {
      status: { operation: { request: value, handledAt: new Date().toISOString(), ...ack } },
    });
  }

  it('prints Accepted with the message and exits 0', async () => {
    await createCanary('accepted');
    const [r] = await Promise.all([
      runCli(['pause', 'accepted', '-n', NS, '--timeout', '20s']),
      acknowledge('accepted', { action: 'pause', result: 'Accepted', message: 'paused' }),
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('Accepted: paused');
  });

  it('prints Rejected with the reason and exits 1', async () => {
    await createCanary('rejected');
    const [r] = await Promise.all([
      runCli(['retry', 'rejected', '-n', NS, '--timeout', '20s']),
      acknowledge('rejected', {
        action: 'retry',
        result: 'Rejected',
        message: 'only a Failed canary can be retried (phase Succeeded)',
      }),
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n')[1]).toBe(
      'Rejected: only a Failed canary can be retried (phase Succeeded)',
    );
  });

  it('ignores an acknowledgement of an earlier request', async () => {
    await createCanary('stale-ack');
    await raw.patch(objectPath(CANARY_REF, NS, 'stale-ack', 'status'), {
      status: {
        operation: {
          request: 'promote:old',
          result: 'Accepted',
          handledAt: new Date().toISOString(),
        },
      },
    });
    const r = await runCli(['promote', 'stale-ack', '-n', NS, '--timeout', '1s']);
    expect(r.exitCode).toBe(2);
  });
});
