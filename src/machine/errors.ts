// Failures of a step's side of the world: writing the status, applying an effect, an actor the
// composition root forgot to provide, or any of those outliving its time bound. Decisions never
// fail this way — webhook and check failures are values the decision takes into account.
// The codes are meant for src/telemetry's ERROR_CATALOGUE (requested from its owner).

export const ENGINE_ERROR_CODES = {
  actorNotProvided: 'WL_ENGINE_ACTOR_NOT_PROVIDED',
  statusWriteFailed: 'WL_ENGINE_STATUS_WRITE_FAILED',
  effectFailed: 'WL_ENGINE_EFFECT_FAILED',
  timeout: 'WL_ENGINE_TIMEOUT',
  /** decide() chose a phase change the lifecycle machine (lifecycle.ts) does not take: a bug. */
  transitionNotAllowed: 'WL_ENGINE_TRANSITION_NOT_ALLOWED',
} as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[keyof typeof ENGINE_ERROR_CODES];

/** One step could not be completed; the reconcile loop retries it with backoff. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: EngineErrorCode;
  /** The actor (effect type, `persistStatus`, `runChecks`, ...) involved. */
  readonly actor: string;
  readonly retryable: boolean;

  constructor(
    code: EngineErrorCode,
    actor: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.actor = actor;
    // A wiring bug or a decision bug happens again on every retry.
    this.retryable =
      code !== ENGINE_ERROR_CODES.actorNotProvided &&
      code !== ENGINE_ERROR_CODES.transitionNotAllowed;
  }
}
