// Every version of a namespace's Canary, from a watch: each status write is one version, so a
// phase that lasts milliseconds (Promoting, Finalising) is still recorded. Objects are kept whole,
// managedFields included, as a GitOps tool reads them from the API server.
import { pino } from 'pino';
import type { CanaryStatus, Condition } from '../../src/api/canary.js';
import { CANARY_REF } from '../../src/api/resources.js';
import { Informer } from '../../src/kube/informer.js';
import { createListerWatcher } from '../../src/kube/lister-watcher.js';
import type { KubeObject } from '../../src/kube/object-key.js';
import type { KubeRawClient } from '../../src/kube/raw-client.js';
import { eventually } from './harness.js';

export type CanaryObject = KubeObject & {
  metadata: { name?: string; generation?: number; deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: CanaryStatus;
};

export class CanaryRecorder {
  readonly versions: CanaryObject[] = [];
  #deleted = false;
  readonly #informer: Informer<CanaryObject>;

  constructor(admin: KubeRawClient, ns: string) {
    this.#informer = new Informer<CanaryObject>({
      name: `e2e-canaries/${ns}`,
      listerWatcher: createListerWatcher<CanaryObject>(admin, CANARY_REF, { namespace: ns }),
      logger: pino({ level: 'silent' }),
      transform: (o) => o,
    });
    this.#informer.onEvent((e) => {
      if (e.type === 'delete') {
        this.#deleted = true;
        return;
      }
      this.versions.push(structuredClone(e.obj));
    });
  }

  async start(): Promise<void> {
    this.#informer.start();
    await this.#informer.waitForSync(30_000);
  }

  /** The first recorded version that satisfies `ok`, waiting for it if need be. */
  first(what: string, ok: (c: CanaryObject) => boolean, timeoutMs = 90_000): Promise<CanaryObject> {
    return eventually(what, () => this.versions.find(ok), timeoutMs, 100).catch((err: unknown) => {
      const last = this.versions[this.versions.length - 1];
      throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`, {
        cause: err,
      });
    });
  }

  latest(): CanaryObject | undefined {
    return this.versions[this.versions.length - 1];
  }

  /** Resolves once the watch has seen the Canary go away. */
  gone(timeoutMs = 60_000): Promise<true> {
    return eventually('Canary deleted', () => (this.#deleted ? true : undefined), timeoutMs, 100);
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }
}

export const condition = (c: CanaryObject, type: string): Condition | undefined =>
  c.status?.conditions?.find((x) => x.type === type);
