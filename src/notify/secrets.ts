// Incoming-webhook URLs are credentials: the config may name a Secret key instead. The Secret is
// read at each delivery (a rotated URL is picked up without a restart) from the controller's own
// namespace; the controller's Role must allow `get` on that Secret.
import type { KubeRawClient } from '../kube/raw-client.js';
import { BUILTIN, objectPath } from '../kube/resources.js';
import { NOTIFY_FAILURES, NotifyError } from './errors.js';
import type { SecretKeyRef } from './types.js';

export interface SecretReader {
  /** The decoded value; rejects with a NotifyError (failure Secret) when it cannot be read. */
  read(ref: SecretKeyRef): Promise<string>;
}

export function createSecretReader(raw: KubeRawClient, namespace: string): SecretReader {
  return {
    async read(ref) {
      let secret: { data?: Record<string, string> };
      try {
        secret = await raw.get(objectPath(BUILTIN.secrets, namespace, ref.name));
      } catch (cause) {
        throw new NotifyError(
          NOTIFY_FAILURES.secret,
          `cannot read Secret ${namespace}/${ref.name}`,
          {
            cause,
            details: { namespace, name: ref.name },
          },
        );
      }
      const value = secret.data?.[ref.key];
      if (value === undefined) {
        throw new NotifyError(
          NOTIFY_FAILURES.secret,
          `Secret ${namespace}/${ref.name} has no key ${ref.key}`,
          {
            details: { namespace, name: ref.name, key: ref.key },
          },
        );
      }
      return Buffer.from(value, 'base64').toString('utf8').trim();
    },
  };
}
