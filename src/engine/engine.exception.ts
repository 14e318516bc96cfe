/**
 * Why the engine refused something. The engine is pure and knows nothing of HTTP; the
 * cases service maps the codes to status codes (422 for a refused action, 400 for bad input).
 */
export enum EngineExceptionCode {
  ACTION_NOT_ALLOWED = 'ACTION_NOT_ALLOWED',
  ACTION_NOT_IN_STEP = 'ACTION_NOT_IN_STEP',
  AMBIGUOUS_ACTION = 'AMBIGUOUS_ACTION',
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  JURISDICTION_NOT_ALLOWED = 'JURISDICTION_NOT_ALLOWED',
  SYSTEM_ONLY_ACTION = 'SYSTEM_ONLY_ACTION',
  GUARD_FAILED = 'GUARD_FAILED',
  INVALID_INPUT = 'INVALID_INPUT',
  CASE_FINISHED = 'CASE_FINISHED',
  NO_TRANSITION = 'NO_TRANSITION',
  REPLAY_MISMATCH = 'REPLAY_MISMATCH',
  /** A countersign vote that is neither the approving nor the rejecting action, or more votes than voters. */
  COUNTERSIGN_VOTE_INVALID = 'COUNTERSIGN_VOTE_INVALID',
  /** Nothing to withdraw: the case or the step moved on, or the action is not withdrawable. */
  WITHDRAW_NOT_ALLOWED = 'WITHDRAW_NOT_ALLOWED',
  /** A call step's input expression failed: the child case could not be started. */
  CALL_INPUT_INVALID = 'CALL_INPUT_INVALID',
  /** A child case's outcome for a call step that is not waiting (the case moved on or finished). */
  CALL_NOT_WAITING = 'CALL_NOT_WAITING',
}

export class EngineException extends Error {
  constructor(
    readonly code: EngineExceptionCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EngineException';
  }
}
