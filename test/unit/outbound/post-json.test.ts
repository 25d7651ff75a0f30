// postJson against a real HTTP server on 127.0.0.1 (the webhook tests' receiver): what is sent, how
// an answer, a Retry-After, a long body, an abort and a refused connection come back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { innermostMessage, postJson } from '../../../src/outbound/post-json.js';
import { reply, startReceiver, type Receiver, type Script } from '../hooks/receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const post = (path: string, opts: { maxBodyBytes?: number; signal?: AbortSignal } = {}) =>
  postJson(receiver.url(path), '{}', {
    signal: opts.signal ?? new AbortController().signal,
    maxBodyBytes: opts.maxBodyBytes ?? 1024,
  });

const withRetryAfter =
  (value: string): Script =>
  (_req, res) => {
    res.writeHead(429, { 'retry-after': value }).end('slow down');
  };

describe('postJson', () => {
  it('POSTs the body verbatim as JSON, with the caller’s headers, and returns the answer', async () => {
    const body = JSON.stringify({ phase: 'Progressing', weight: 10, name: 'café' });
    const a = await postJson(receiver.url('/sent'), body, {
      signal: new AbortController().signal,
      headers: { authorization: 'Bearer t', 'content-type': 'text/plain' },
      maxBodyBytes: 1024,
    });
    expect(a).toEqual({ kind: 'answer', status: 200, body: 'ok', retryAfterMs: null });
    const [got] = receiver.received.filter((r) => r.path === '/sent');
    expect(got?.method).toBe('POST');
    expect(got?.body).toBe(body);
    // The caller's headers go along, but cannot turn the body into something else.
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers.authorization).toBe('Bearer t');
  });

  it('reports a non-2xx status as an answer with its body, not as a failure', async () => {
    receiver.on('/down', reply(503, 'maintenance'));
    expect(await post('/down')).toEqual({
      kind: 'answer',
      status: 503,
      body: 'maintenance',
      retryAfterMs: null,
    });
  });

  it('does not follow a redirect: the 302 is the answer', async () => {
    receiver.on('/moved', (_req, res) => {
      res.writeHead(302, { location: receiver.url('/elsewhere') }).end();
    });
    const a = await post('/moved');
    expect(a).toMatchObject({ kind: 'answer', status: 302 });
    expect(receiver.received.some((r) => r.path === '/elsewhere')).toBe(false);
  });

  it.each<[string, number | null]>([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1_500],
    ['soon', null],
  ])('reads Retry-After %j (delta-seconds) as %p ms', async (value, ms) => {
    const path = `/retry-${encodeURIComponent(value)}`;
    receiver.on(path, withRetryAfter(value));
    expect(await post(path)).toEqual({
      kind: 'answer',
      status: 429,
      body: 'slow down',
      retryAfterMs: ms,
    });
  });

  it('reads an HTTP-date Retry-After as the time from now until then', async () => {
    // postJson reads Date.now() itself (no clock to inject), so the answer is bracketed by the
    // clock before and after the call: no sleep, and a date read as seconds or as null fails.
    const at = (Math.floor(Date.now() / 1000) + 120) * 1000; // whole seconds: HTTP dates have no ms
    receiver.on('/retry-date', withRetryAfter(new Date(at).toUTCString()));
    const before = Date.now();
    const a = await post('/retry-date');
    const after = Date.now();
    if (a.kind !== 'answer') throw new Error(`expected an answer, got ${a.kind}`);
    expect(a.retryAfterMs).toBeGreaterThanOrEqual(at - after);
    expect(a.retryAfterMs).toBeLessThanOrEqual(at - before);
    expect(a.retryAfterMs).toBeGreaterThan(100_000);
  });

  it('reads an HTTP-date in the past as 0', async () => {
    receiver.on('/retry-past', withRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'));
    expect(await post('/retry-past')).toMatchObject({ kind: 'answer', retryAfterMs: 0 });
  });

  it('caps the body in bytes, not characters', async () => {
    // '€' is 3 bytes in UTF-8: 30 bytes, 10 characters.
    receiver.on('/euros', reply(200, '€'.repeat(10)));
    expect(await post('/euros', { maxBodyBytes: 9 })).toMatchObject({ body: '€€€' });
    // A cut inside a character decodes its first byte as U+FFFD.
    expect(await post('/euros', { maxBodyBytes: 10 })).toMatchObject({ body: '€€€\uFFFD' });
    expect(await post('/euros', { maxBodyBytes: 1024 })).toMatchObject({ body: '€'.repeat(10) });
  });

  it('stops reading at the cap: an answer that never ends still returns, and is hung up on', async () => {
    let hungUp!: () => void;
    const closed = new Promise<void>((resolve) => (hungUp = resolve));
    receiver.on('/endless', (_req, res) => {
      res.on('close', hungUp);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html>'.padEnd(64 * 1024, '.')); // and never res.end()
    });
    const a = await post('/endless', { maxBodyBytes: 16 });
    expect(a).toMatchObject({ kind: 'answer', status: 200, body: '<html>..........' });
    await closed;
  });

  it('is a timeout when the signal aborts before the answer', async () => {
    const controller = new AbortController();
    receiver.on('/silent', () => {
      controller.abort(new DOMException('no answer within 5000 ms', 'TimeoutError'));
    });
    const a = await post('/silent', { signal: controller.signal });
    expect(a.kind).toBe('timeout');
    expect(a.kind === 'timeout' && innermostMessage(a.cause)).toBe('no answer within 5000 ms');
  });

  it('is a timeout when the signal aborts while the body is still coming', async () => {
    const controller = new AbortController();
    receiver.on('/trickle', (_req, res) => {
      res.writeHead(200);
      res.write('first part', () => {
        controller.abort(new DOMException('no answer within 5000 ms', 'TimeoutError'));
      });
    });
    expect(await post('/trickle', { signal: controller.signal })).toMatchObject({
      kind: 'timeout',
    });
  });

  it('is a network failure when nothing listens, and says why', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => {
          resolve(port);
        });
      });
    });
    const a = await postJson(`http://127.0.0.1:${closedPort}/`, '{}', {
      signal: new AbortController().signal,
      maxBodyBytes: 16,
    });
    expect(a.kind).toBe('network');
    expect(a.kind === 'network' && innermostMessage(a.cause)).toMatch(/ECONNREFUSED/);
  });
});

describe('innermostMessage', () => {
  it('follows causes to the last message, and stringifies what is not an error', () => {
    const err = new Error('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    expect(innermostMessage(err)).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(innermostMessage(new Error('plain'))).toBe('plain');
    expect(innermostMessage('a string')).toBe('a string');
  });
});
