import { describe, expect, it } from '@jest/globals';
import { LOCAL_ERROR_CODES, LocalClusterError } from '../../../dev/local/errors.js';
import { freePorts, retryOnPortClash } from '../../../dev/local/ports.js';

const exited = (log: string) =>
  new LocalClusterError(
    LOCAL_ERROR_CODES.PROCESS_EXITED,
    `etcd exited (1); last log lines:\n${log}`,
  );

describe('freePorts', () => {
  it('hands out distinct loopback ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) expect(p).toBeGreaterThan(0);
  });
});

describe('retryOnPortClash', () => {
  it('starts again when the component lost its port to another process', async () => {
    const attempts: number[] = [];
    const result = await retryOnPortClash((attempt) => {
      attempts.push(attempt);
      return attempt < 3
        ? Promise.reject(exited('listen tcp 127.0.0.1:2379: bind: address already in use'))
        : Promise.resolve('up');
    });
    expect({ result, attempts }).toEqual({ result: 'up', attempts: [1, 2, 3] });
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    const err = exited('bind: address already in use');
    await expect(
      retryOnPortClash(() => {
        calls++;
        return Promise.reject(err);
      }, 2),
    ).rejects.toBe(err);
    expect(calls).toBe(2);
  });

  it('does not retry other failures', async () => {
    let calls = 0;
    const err = exited('panic: something else');
    await expect(
      retryOnPortClash(() => {
        calls++;
        return Promise.reject(err);
      }),
    ).rejects.toBe(err);
    expect(calls).toBe(1);
  });
});
