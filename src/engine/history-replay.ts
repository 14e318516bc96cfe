import { migrateSnapshot, type StepMapping } from './case-migration.js';
import { replayEvent, restore, startCase, type PersistedCaseSnapshot } from './case-transition.js';
import { EngineException, EngineExceptionCode } from './engine.exception.js';
import type { ActEvent, CaseInput, CompiledWorkflow } from './workflow-machine.js';

/**
 * A history row as the engine sees it. Only `started` and `action` rows move the state, and
 * a `definition`/`migrated` row moves the case to another version; other rows (comments,
 * claims, reminders …) are recorded beside them and skipped here.
 */
export interface RecordedEvent {
  eventType: string;
  action?: string | null;
  payload: unknown;
}

export const STATE_CHANGING_EVENTS = new Set(['started', 'action']);

/** The payload of the `definition`/`migrated` history row a migration writes (src/definitions/case-migration.service.ts). */
export interface MigratedPayload {
  from: { definitionId: string; version: number };
  to: { definitionId: string; version: number };
  /** The mapping the migration was planned with (same-key steps need no entry). */
  mapping: StepMapping;
  [detail: string]: unknown;
}

/** The compiled version of a definition id named by a history, when the caller has it. */
export type DefinitionLookup = (definitionId: string) => CompiledWorkflow | undefined;

export function isMigration(event: RecordedEvent): event is RecordedEvent & { payload: MigratedPayload } {
  return event.eventType === 'definition' && event.action === 'migrated';
}

/** The definition ids a history's migrations name, oldest first: what a replay needs besides the case's own version. */
export function migratedDefinitionIds(events: RecordedEvent[]): string[] {
  const ids = events.filter(isMigration).flatMap((event) => [event.payload.from.definitionId, event.payload.to.definitionId]);
  return [...new Set(ids)];
}

/**
 * Rebuilds a case's snapshot from its history alone. Because every event carries its
 * time and parameters, the result must equal the stored snapshot exactly; a difference
 * means the history or the snapshot was altered outside the engine.
 *
 * A migrated case is replayed in segments: on the version it started on up to its first
 * `definition`/`migrated` row, which applies the same migration plan (case-migration.ts) and
 * continues on the version it names, and so on. `lookup` gives those versions; without
 * migrations, `compiled` (the case's version) is the only one needed.
 */
export function replayHistory(compiled: CompiledWorkflow, events: RecordedEvent[], lookup?: DefinitionLookup): PersistedCaseSnapshot {
  const version = (id: string): CompiledWorkflow => {
    const found = lookup?.(id);
    if (!found) throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, `The history names definition ${id}, which is not available to replay it`);
    return found;
  };
  const first = events.find(isMigration);
  let current = first ? version(first.payload.from.definitionId) : compiled;
  let snapshot: PersistedCaseSnapshot | undefined;
  for (const event of events) {
    if (isMigration(event)) {
      if (!snapshot) throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, 'The history has a migration before the case started');
      const next = version(event.payload.to.definitionId);
      const migrated = migrateSnapshot(current, next, snapshot, event.payload.mapping);
      if (typeof migrated === 'string') {
        throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, `The migration to version ${event.payload.to.version} does not replay: ${migrated}`);
      }
      snapshot = migrated;
      current = next;
      continue;
    }
    if (!STATE_CHANGING_EVENTS.has(event.eventType)) continue;
    if (event.eventType === 'started') {
      // A case started by a call step also names the calling step visit (`calledBy`): not engine input.
      const { calledBy: _link, ...input } = event.payload as CaseInput & { calledBy?: unknown };
      snapshot = startCase(current, { ...input, now: new Date(input.now) }).snapshot;
    } else {
      if (!snapshot) {
        throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, 'The history has an action before the case started');
      }
      snapshot = replayEvent(current, restore(current, snapshot), event.payload as ActEvent).snapshot;
    }
  }
  if (!snapshot) throw new EngineException(EngineExceptionCode.REPLAY_MISMATCH, 'The history has no start event');
  return snapshot;
}
