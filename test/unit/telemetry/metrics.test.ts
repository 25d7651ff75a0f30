import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { ControllerMetrics } from '../../../src/telemetry/metrics.js';
import { startHealthServer, type HealthServer } from '../../../src/telemetry/http-server.js';

describe('ControllerMetrics', () => {
  it('keeps one phase series per canary, moving it on a phase change', async () => {
    const m = new ControllerMetrics({ processMetrics: false });
    m.setCanaryPhase('shop', 'web', 'Progressing');
    m.setCanaryPhase('shop', 'web', 'Promoting');
    m.setCanaryPhase('shop', 'api', 'Succeeded');
    const text = await m.registry.metrics();
    expect(text).toContain(
      'weightlifter_canary_phase{namespace="shop",name="web",phase="Promoting"} 1',
    );
    expect(text).not.toContain('phase="Progressing"');
    expect(text).toContain(
      'weightlifter_canary_phase{namespace="shop",name="api",phase="Succeeded"} 1',
    );
  });

  it('exposes weight, analysis results, runs, queue, reconcile and watch health', async () => {
    const m = new ControllerMetrics({ processMetrics: false });
    m.setCanaryWeight('shop', 'web', 25);
    m.observeAnalysisResult('shop', 'web', 'success-rate', 'Successful');
    m.observeAnalysisResult('shop', 'web', 'success-rate', 'Successful');
    m.observeRun('shop', 'succeeded', 420);
    m.setDepth(3);
    m.observeReconcile('error', 0.02);
    m.observeReconcile('done', 0.01);
    m.incRelist('canaries', 'gone');
    m.setSynced('canaries', true);
    m.setLeader(true);
    const text = await m.registry.metrics();
    for (const line of [
      'weightlifter_canary_weight{namespace="shop",name="web"} 25',
      'weightlifter_analysis_results_total{namespace="shop",name="web",metric="success-rate",result="Successful"} 2',
      'weightlifter_run_duration_seconds_count{namespace="shop",result="succeeded"} 1',
      'weightlifter_queue_depth 3',
      'weightlifter_reconcile_errors_total 1',
      'weightlifter_reconcile_duration_seconds_count{result="done"} 1',
      'weightlifter_informer_relists_total{informer="canaries",reason="gone"} 1',
      'weightlifter_informer_synced{informer="canaries"} 1',
      'weightlifter_leader 1',
    ]) {
      expect(text).toContain(line);
    }
  });

  it('forgets every series of a deleted canary', async () => {
    const m = new ControllerMetrics({ processMetrics: false });
    m.setCanaryPhase('shop', 'web', 'Failed');
    m.setCanaryWeight('shop', 'web', 0);
    m.observeAnalysisResult('shop', 'web', 'latency', 'Failed');
    m.forgetCanary('shop', 'web');
    expect(await m.registry.metrics()).not.toContain('name="web"');
  });
});

describe('health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /healthz, /readyz (200 or 503) and /metrics on loopback', async () => {
    const metrics = new ControllerMetrics({ processMetrics: false });
    metrics.setDepth(7);
    let ready = false;
    server = await startHealthServer({
      port: 0,
      registry: metrics.registry,
      logger: pino({ level: 'silent' }),
      readiness: () => ({ ready, checks: { 'informer/canaries': ready } }),
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);

    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, checks: { 'informer/canaries': false } });
    ready = true;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain('weightlifter_queue_depth 7');

    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('fails with a coded error when the port is taken', async () => {
    const registry = new ControllerMetrics({ processMetrics: false }).registry;
    const opts = {
      registry,
      logger: pino({ level: 'silent' }),
      readiness: () => ({ ready: true, checks: {} }),
    };
    server = await startHealthServer({ ...opts, port: 0 });
    await expect(startHealthServer({ ...opts, port: server.port })).rejects.toMatchObject({
      code: 'WL_HTTP_SERVER_FAILED',
    });
  });
});
