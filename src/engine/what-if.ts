/**
 * What-if (pure): would a case's recorded history still run on another definition (a draft
 * before it is published)? Its start and every action it took — with the recorded inputs,
 * actors and times — are taken again on the other definition, with all of the engine's
 * checks (the step offers the action, the actor's role and level, the form, the guard).
 * The first refusal stops the replay and says where and why; otherwise the end state is
 * compared with the case's state now. Nothing is written anywhere.
 */
import { CHILD_DONE_ACTION, type ChildOutcome } from './call-step.js';
import { activeSteps, applyAction, caseStatus, childDone, startCase, withdraw, type PersistedCaseSnapshot, type TransitionResult } from './case-transition.js';
import type { Effect } from './effects.js';
import { EngineException } from './engine.exception.js';
import { validateFormInput } from './form-input.js';
import { STATE_CHANGING_EVENTS, type RecordedEvent } from './history-replay.js';
import { WITHDRAW_ACTION } from './withdraw.js';
import type { ActEvent, CaseInput, CompiledWorkflow } from './workflow-machine.js';

/** A history row with its place in the history. */
export interface NumberedEvent extends RecordedEvent {
  seq: number;
}

/** Where a case stands: its current steps (sorted) and its status. */
export interface CaseState {
  steps: string[];
  status: string;
}

/**
 * The effects of one replayed transition and the time it was taken: what the shell would
 * have written then. The deadline effects among them give the draft's timers, paused and
 * resumed clocks included (src/deadlines/step-clocks.ts).
 */
export interface TimedEffects {
  at: Date;
  effects: Effect[];
}

export type WhatIfReplay =
  | { outcome: 'same'; state: CaseState; snapshot: PersistedCaseSnapshot; timeline: TimedEffects[] }
  | { outcome: 'different'; now: CaseState; draft: CaseState; snapshot: PersistedCaseSnapshot; timeline: TimedEffects[] }
  | { outcome: 'refused'; seq: number; step?: string; action?: string; code: string; reason: string };

export function stateOf(compiled: CompiledWorkflow, snapshot: PersistedCaseSnapshot): CaseState {
  return { steps: activeSteps(compiled, snapshot).sort(), status: caseStatus(compiled, snapshot) };
}

/** Replays a case's history on `draft`; `now` is the case's state as it stands. */
export function replayOnDefinition(draft: CompiledWorkflow, events: NumberedEvent[], now: CaseState): WhatIfReplay {
  let snapshot: PersistedCaseSnapshot | undefined;
  const timeline: TimedEffects[] = [];
  const record = (at: Date, result: TransitionResult): PersistedCaseSnapshot => {
    timeline.push({ at, effects: result.effects });
    return result.snapshot;
  };
  for (const event of events) {
    // Migrations between published versions do not apply: the whole history is replayed on the draft.
    if (!STATE_CHANGING_EVENTS.has(event.eventType)) continue;
    if (event.eventType === 'started') {
      // A case started by a call step also names the calling step visit (`calledBy`): not engine input.
      const { calledBy: _link, ...input } = event.payload as CaseInput & { calledBy?: unknown };
      const issues = validateFormInput(draft.definition.start.fields, input.data, { today: new Date(input.now) });
      if (issues.length > 0) {
        return { outcome: 'refused', seq: event.seq, code: 'INVALID_INPUT', reason: `the start form refuses the case data: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}` };
      }
      const at = new Date(input.now);
      snapshot = record(at, startCase(draft, { ...input, now: at }));
      continue;
    }
    const acted = event.payload as ActEvent;
    if (!snapshot) return { outcome: 'refused', seq: event.seq, code: 'NO_START', reason: 'the history has an action before the case started' };
    try {
      const when = new Date(acted.now);
      snapshot = record(
        when,
        acted.action === WITHDRAW_ACTION
          ? withdraw(draft, snapshot, { from: acted.step, to: String(acted.input.to), actor: acted.actor, now: when, comment: acted.comment })
          : acted.action === CHILD_DONE_ACTION
            ? // The called case's outcome, delivered to the call step visit the case is in under the draft.
              childDone(draft, snapshot, { ...(acted.input as unknown as ChildOutcome), step: acted.step, stepEntry: snapshot.context.entries[acted.step] ?? 0, actor: acted.actor, now: when })
            : applyAction(draft, snapshot, {
                action: acted.action,
                step: acted.step,
                input: acted.input,
                actor: acted.actor,
                now: when,
                ...(acted.comment !== undefined ? { comment: acted.comment } : {}),
                ...(acted.params ? { params: acted.params } : {}),
              }),
      );
    } catch (error) {
      if (!(error instanceof EngineException)) throw error;
      return { outcome: 'refused', seq: event.seq, step: acted.step, action: acted.action, code: error.code, reason: error.message };
    }
  }
  if (!snapshot) return { outcome: 'refused', seq: 0, code: 'NO_START', reason: 'the history has no start event' };
  const state = stateOf(draft, snapshot);
  const same = state.status === now.status && state.steps.join() === now.steps.join();
  return same ? { outcome: 'same', state, snapshot, timeline } : { outcome: 'different', now, draft: state, snapshot, timeline };
}
