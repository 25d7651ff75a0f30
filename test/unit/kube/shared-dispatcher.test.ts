import { describe, expect, it } from '@jest/globals';
import { HttpMethod, KubeConfig, ServerConfiguration } from '@kubernetes/client-node';
import { DISPATCHER_RENEW_MS, SharedDispatcher } from '../../../src/kube/shared-dispatcher.js';

// A real KubeConfig with a CA: applySecurityAuthentication then sets a new Agent per request,
// which is exactly what SharedDispatcher must replace.
function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: 'https://127.0.0.1:6443', caData: 'Zm9v', skipTLSVerify: false },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function request(kc: KubeConfig) {
  const server = new ServerConfiguration<Record<string, string>>('https://127.0.0.1:6443', {});
  const ctx = server.makeRequestContext('/api', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx;
}

describe('SharedDispatcher', () => {
  it('gives every request the same Agent until it is due for renewal', async () => {
    const kc = kubeConfig();
    let now = 1_000;
    const shared = new SharedDispatcher(() => now);
    const a = await request(kc);
    const b = await request(kc);
    // The premise: client-node builds a fresh Agent for each request.
    expect(a.getDispatcher()).toBeDefined();
    expect(b.getDispatcher()).not.toBe(a.getDispatcher());
    shared.apply(a);
    shared.apply(b);
    expect(b.getDispatcher()).toBe(a.getDispatcher());
    expect(b.getHeaders()['Authorization']).toBe('Bearer t');

    now += DISPATCHER_RENEW_MS;
    const c = await request(kc);
    const fresh = c.getDispatcher();
    shared.apply(c);
    expect(c.getDispatcher()).toBe(fresh);
    expect(c.getDispatcher()).not.toBe(a.getDispatcher());
    const d = await request(kc);
    shared.apply(d);
    expect(d.getDispatcher()).toBe(fresh);
  });

  it('leaves a request without an Agent (plain HTTP) alone', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:8080', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const ctx = await request(kc);
    const before = ctx.getDispatcher();
    new SharedDispatcher().apply(ctx);
    expect(ctx.getDispatcher()).toBe(before);
  });
});
