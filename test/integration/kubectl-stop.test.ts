// A kubectl still running when the control plane stops is ended with it, not left behind (the
// demo's SIGINT in the middle of `kubectl patch` left one alive after the demo exited).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kubectlFor, stopKubectls } from '../../dev/local/kubectl.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wl-kubectl-stop-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stopKubectls', () => {
  it('kills the kubectls in flight and waits until they have exited', async () => {
    // A stand-in for kubectl that hangs like one talking to a server that went away.
    const binary = join(dir, 'kubectl');
    await writeFile(binary, '#!/bin/sh\nexec sleep 600\n');
    await chmod(binary, 0o755);
    const inFlight = new Set<ChildProcess>();
    const kubectl = kubectlFor(binary, join(dir, 'kubeconfig'), join(dir, 'cache'), inFlight);
    const running = kubectl(['-n', 'demo', 'patch', 'deployment', 'podinfo']);
    expect(inFlight.size).toBe(1);
    const [child] = [...inFlight];
    await stopKubectls(inFlight);
    expect(child?.exitCode === null && child.signalCode === 'SIGKILL').toBe(true);
    expect(() => process.kill(child?.pid ?? 0, 0)).toThrow();
    await expect(running).resolves.toMatchObject({ code: 128 });
    expect(inFlight.size).toBe(0);
  });

  it('with none in flight, returns at once', async () => {
    await expect(stopKubectls(new Set())).resolves.toBeUndefined();
  });
});
