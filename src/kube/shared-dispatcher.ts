// client-node's KubeConfig.applySecurityAuthentication builds a new undici Agent for every
// request, so every request opened its own TLS connection: a handshake and a fresh SecureContext
// parsing the CA and the client key. Measured by the bench (issue 7), that was the largest part of
// the controller's CPU and much of the API server's. One Agent per client, reused, keeps
// connections alive. It is renewed every few minutes so rotated client credentials (certificate
// files, exec plugins) are still picked up; the old pool's idle sockets close on undici's
// keep-alive timeout once nothing uses it.
import type { ServerConfiguration } from '@kubernetes/client-node';

export type KubeRequestContext = ReturnType<
  ServerConfiguration<Record<string, string>>['makeRequestContext']
>;
type Dispatcher = NonNullable<ReturnType<KubeRequestContext['getDispatcher']>>;

export const DISPATCHER_RENEW_MS = 5 * 60_000;

export class SharedDispatcher {
  #current: { readonly dispatcher: Dispatcher; readonly since: number } | undefined;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Call after applySecurityAuthentication(ctx): swaps its per-request Agent for the shared one. */
  apply(ctx: KubeRequestContext): void {
    const fresh = ctx.getDispatcher();
    if (fresh === undefined) return; // plain HTTP: nothing to pool here
    const now = this.#now();
    const current = this.#current;
    if (current !== undefined && now - current.since < DISPATCHER_RENEW_MS) {
      // `fresh` never connected: dropping it costs nothing.
      ctx.setDispatcher(current.dispatcher);
      return;
    }
    this.#current = { dispatcher: fresh, since: now };
  }
}
