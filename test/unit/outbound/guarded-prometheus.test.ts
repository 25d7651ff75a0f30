// The Prometheus paths behind the address policy, against a real HTTP server on 127.0.0.1: an
// endpoint a Canary or template chose connects through the policy's lookup (a name that resolves
// into a blocked range is refused at connect time, nothing reaches the server), and neither the
// query executor nor the config reader follows a redirect.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrometheusQueryExecutor } from '../../../src/metrics/prometheus-executor.js';
import { fetchConfigReader } from '../../../src/metrics/scrape-interval.js';
import { createUrlPolicy } from '../../../src/outbound/url-policy.js';
import { startReceiver, type Receiver } from '../hooks/receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

/** `prom.test` resolves to the receiver's loopback address, which the default policy blocks. */
const policy = createUrlPolicy({}, () => Promise.resolve(['127.0.0.1']));

describe('chosen Prometheus addresses', () => {
  it('are refused at connect time when they resolve into a blocked range', async () => {
    const port = new URL(receiver.url('/')).port;
    const address = `http://prom.test:${port}`;
    const endpoint = { address, lookup: policy.lookupFor(address) };
    const before = receiver.received.length;
    await expect(
      new PrometheusQueryExecutor().instant(endpoint, 'vector(1)'),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/rule loopback/) as unknown as string,
    });
    await expect(fetchConfigReader.configYaml(endpoint)).rejects.toMatchObject({
      reason: 'AddressNotAllowed',
      message: expect.stringMatching(
        /refused by the address policy: .*rule loopback/,
      ) as unknown as string,
    });
    expect(receiver.received.length).toBe(before);
  });

  it('never follow a redirect', async () => {
    for (const path of ['/api/v1/query', '/api/v1/status/config']) {
      receiver.on(path, (_req, res) => {
        res.writeHead(302, { location: receiver.url('/followed') }).end();
      });
    }
    const endpoint = { address: receiver.url('').replace(/\/$/, '') };
    const before = receiver.received.length;
    await expect(
      new PrometheusQueryExecutor().instant(endpoint, 'vector(1)'),
    ).rejects.toMatchObject({ name: 'MetricsError' });
    await expect(fetchConfigReader.configYaml(endpoint)).rejects.toMatchObject({
      message: expect.stringMatching(/answered 302/) as unknown as string,
    });
    // Had either followed, the receiver would have seen /followed.
    expect(receiver.received.slice(before).map((r) => r.path)).toEqual([
      '/api/v1/query',
      '/api/v1/status/config',
    ]);
  });
});
