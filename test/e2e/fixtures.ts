// Jest fixtures over the harness: a world per test file and an initialized Canary per describe
// block, started in beforeAll and stopped in afterAll, so test files only say what they check.
import { afterAll, beforeAll } from '@jest/globals';
import { deployInitialized, type DeployOptions } from './canary-run.js';
import { startE2E, type E2E, type E2EOptions } from './harness.js';
import type { SplitRecorder } from './observers.js';

/**
 * The file's world: started in beforeAll, stopped in afterAll. The handle forwards to it, so it
 * can be used (and passed to initializedCanary) before beforeAll has run.
 */
export function useE2E(name: string, opts: E2EOptions = {}): E2E {
  let current: E2E | undefined;
  beforeAll(async () => {
    current = await startE2E(name, opts);
  }, 180_000);
  afterAll(async () => {
    await current?.stop();
  }, 90_000);
  const get = (): E2E => {
    if (current === undefined) throw new Error(`e2e world ${name} is not running`);
    return current;
  };
  return {
    get world() {
      return get().world;
    },
    get admin() {
      return get().admin;
    },
    get controller() {
      return get().controller;
    },
    addController: (replica, extraArgs) => get().addController(replica, extraArgs),
    kubectl: (args, input) => get().kubectl(args, input),
    apply: (manifest) => get().apply(manifest),
    stop: () => get().stop(),
  };
}

/**
 * A describe block's Canary: deployInitialized in beforeAll (options read then, so they may use
 * what an earlier beforeAll started), the split recorder stopped in afterAll.
 */
export function initializedCanary(
  e: E2E,
  ns: string,
  opts: DeployOptions | (() => DeployOptions) = {},
): { readonly split: SplitRecorder } {
  let split: SplitRecorder | undefined;
  beforeAll(async () => {
    split = await deployInitialized(e, ns, typeof opts === 'function' ? opts() : opts);
  });
  afterAll(async () => {
    await split?.stop();
  });
  return {
    get split(): SplitRecorder {
      if (split === undefined) throw new Error(`${ns}: the Canary was not initialized`);
      return split;
    },
  };
}
