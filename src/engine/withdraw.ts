import type { WorkflowDefinition } from './workflow-definition.js';

/**
 * Withdrawing (撤回): the person who took a `withdrawable: true` action S → T takes it back
 * while T has not been acted on; the case returns to S, which is entered anew.
 *
 * The way back is an ordinary transition of the compiled machine, on T, for the event type
 * `T.$withdraw.S`, so a withdraw is recorded and replayed like any action. `$` cannot
 * appear in a step or action key (keys are identifiers), so neither the event type nor the
 * action name `$withdraw` can ever collide with one a definition declares.
 *
 * Who took the action and whether anyone acted on T since are the shell's to check; the
 * engine knows only the structure: which actions are withdrawable, and what is active.
 */
export const WITHDRAW_ACTION = '$withdraw';

/** The outcome of the closed task of the step withdrawn from (and the reason its deadline was cancelled). */
export const WITHDRAWN = 'withdrawn';

/** The event that takes a case back from step `from` (T) to step `to` (S). */
export function withdrawEventType(from: string, to: string): string {
  return `${from}.${WITHDRAW_ACTION}.${to}`;
}

/** A withdrawable action seen from the step it leads to: back `from` its target `to` its step. */
export interface WithdrawTarget {
  from: string;
  to: string;
  action: string;
}

/**
 * Every way back a definition opens, in document order. Withdrawable actions are only
 * allowed between top-level task steps with a single `target` (the validator says so), so
 * the top-level steps are all there is to look at.
 */
export function withdrawTargetsOf(definition: WorkflowDefinition): WithdrawTarget[] {
  const targets: WithdrawTarget[] = [];
  for (const [step, { actions }] of Object.entries(definition.steps)) {
    for (const [action, { withdrawable, target }] of Object.entries(actions ?? {})) {
      if (withdrawable === true && target !== undefined) targets.push({ from: target, to: step, action });
    }
  }
  return targets;
}
