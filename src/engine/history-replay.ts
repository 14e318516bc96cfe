import { replayEvent, restore, startCase, type PersistedCaseSnapshot } from './case-transition.js';
import { EngineException, EngineExceptionCode } from './engine.exception.js';
import type { ActEvent, CaseInput, CompiledWorkflow } from './workflow-machine.js';

/**
 * A history row as the engine sees it. Only `started` and `action` rows move the state;
 * other rows (comments, claims, reminders …) are recorded beside them and skipped here.
 */
export interface RecordedEvent {
  eventType: string;
  payload: unknown;
}

export const STATE_CHANGING_EVENTS = new Set(['started', 'action']);

/**
 * Rebuilds a case's snapshot from its history alone. Because every event carries its
 * time and parameters, the result must equal the stored snapshot exactly; a difference
 * means the history or the snapshot was altered outside the engine.
 */
export function replayHistory(compiled: CompiledWorkflow, events: RecordedEvent[]): PersistedCaseSnapshot {
  let snapshot: PersistedCaseSnapshot | undefined;
  for (const event of events) {
    if (!STATE_CHANGING_EVENTS.has(event.eventType)) continue;
    if (event.eventType === 'started') {
      // A case started by a call step also names the calling step visit (`calledBy`): not engine input.
      const { calledBy: _link, ...input } = event.payload as CaseInput & { calledBy?: unknown };
      snapshot = startCase(compiled, { ...input, now: new Date(input.now) }).snapshot;
    } else {
      if (!snapshot) {
        throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, 'The history has an action before the case started');
      }
      snapshot = replayEvent(compiled, restore(compiled, snapshot), event.payload as ActEvent).snapshot;
    }
  }
  if (!snapshot) throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, 'The history has no start event');
  return snapshot;
}
