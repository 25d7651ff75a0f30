// The bench's sharded fleet (--shards): which shard each canary is in, the label its Deployment
// and Canary carry, and the selector each replica runs with; and the figures summed over replicas.
import { describe, expect, it, jest } from '@jest/globals';
import {
  fleetMembers,
  shardSelector,
  WEIGHTLIFTER_MANIFESTS,
  type CanaryShape,
} from '../../../bench/fleet.js';
import { sumCounters } from '../../../bench/prometheus-counters.js';
import { UsageWindow, livePids, type ProcSample } from '../../../bench/proc-stats.js';
import { resolveShard } from '../../../src/config/shard.js';
import { matchesLabelSelector, parseLabelSelector } from '../../../src/kube/label-selector.js';

const SHAPE: CanaryShape = { router: 'smi', intervalSeconds: 10, windowSeconds: 10, steps: 5 };
type Labelled = { metadata: { labels?: Record<string, string> } };

describe('fleetMembers over shards', () => {
  it('puts member i in shard s<i mod shards>, and labels nothing when unsharded', () => {
    expect(fleetMembers(5, 2, 2).map((m) => [m.key, m.shard])).toEqual([
      ['wlb-000/app-0000', 's0'],
      ['wlb-000/app-0001', 's1'],
      ['wlb-001/app-0000', 's0'],
      ['wlb-001/app-0001', 's1'],
      ['wlb-002/app-0000', 's0'],
    ]);
    expect(fleetMembers(3, 2).every((m) => m.shard === undefined)).toBe(true);
    const [m] = fleetMembers(1, 1);
    if (m === undefined) throw new Error('no member');
    const canary = WEIGHTLIFTER_MANIFESTS.manifest(m, SHAPE) as Labelled;
    expect(canary.metadata.labels).toEqual({});
  });

  it("replica k's selector is one the controller accepts, and selects exactly shard k's canaries", () => {
    const members = fleetMembers(6, 3, 3);
    for (const k of [0, 1, 2]) {
      const problems: string[] = [];
      const shard = resolveShard(shardSelector(k), '--watch-label-selector', problems);
      expect(problems).toEqual([]);
      expect(shard?.id).toBe(`s${k}`);
      const parsed = parseLabelSelector(shardSelector(k));
      if (!parsed.ok) throw new Error(parsed.error);
      const selected = members.filter((m) => {
        const canary = WEIGHTLIFTER_MANIFESTS.manifest(m, SHAPE) as Labelled;
        return matchesLabelSelector(parsed.requirements, canary.metadata.labels ?? {});
      });
      expect(selected.map((m) => m.shard)).toEqual([`s${k}`, `s${k}`]);
    }
  });
});

describe('figures over several replicas', () => {
  it('sums reconcile counters and queue depths', () => {
    expect(
      sumCounters([
        { reconciles: 10, reconcileSeconds: 1.5, queueDepth: 3 },
        { reconciles: 4, reconcileSeconds: 0.5, queueDepth: 0 },
      ]),
    ).toEqual({ reconciles: 14, reconcileSeconds: 2, queueDepth: 3 });
  });

  it('sums CPU over the replicas and takes the largest RSS, sampled or at the end', async () => {
    const MIB = 1024 * 1024;
    // Per pid, the samples /proc gives in turn: at start, at one tick, at stop.
    const samples: Record<number, ProcSample[]> = {
      11: [
        { cpuSeconds: 10, rssBytes: 100 * MIB, hwmBytes: 0 },
        { cpuSeconds: 11, rssBytes: 140 * MIB, hwmBytes: 0 },
        { cpuSeconds: 13, rssBytes: 90 * MIB, hwmBytes: 0 },
      ],
      22: [
        { cpuSeconds: 5, rssBytes: 80 * MIB, hwmBytes: 0 },
        { cpuSeconds: 6, rssBytes: 120 * MIB, hwmBytes: 0 },
        { cpuSeconds: 6.5, rssBytes: 110 * MIB, hwmBytes: 0 },
      ],
    };
    const read = (pid: number): Promise<ProcSample> => {
      const next = samples[pid]?.shift();
      return next === undefined
        ? Promise.reject(new Error(`no sample of ${pid}`))
        : Promise.resolve(next);
    };
    jest.useFakeTimers();
    try {
      const usage = new UsageWindow([11, 22], 500, read);
      await usage.start();
      await jest.advanceTimersByTimeAsync(500);
      const used = await usage.stop();
      expect(used.cpuSeconds).toBe(4.5);
      expect(used.peakRssMiB).toBe(140);
      expect(used.endRssMiB).toBe(110);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses to measure a controller that has exited', () => {
    expect(livePids([{ pid: 1 }, { pid: 2 }])).toEqual([1, 2]);
    expect(() => livePids([{ pid: 1 }, { pid: undefined }])).toThrow(
      'a measured controller has exited',
    );
  });
});
