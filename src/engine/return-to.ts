import type { ActionDefinition, BranchDefinition, FieldDefinition } from './workflow-definition.js';
import type { StepInfo } from './workflow-machine.js';

/**
 * Return to a chosen earlier step (驳回到指定节点): a `return` action with
 * `returnTo: [stepKey, …]` lets the user pick where the case goes back to.
 *
 * The choice is an ordinary form field, `returnStep` (an enum of the listed steps), added
 * to the action's form, and the action compiles to ordinary branches on it, so the xstate
 * machine stays the single source of transitions and a recorded event replays like any
 * other: the chosen step is in its input.
 */
export const RETURN_STEP_FIELD = 'returnStep';

/** The branches a `returnTo` action stands for: one per listed step, taken when it was picked. */
export function returnToBranches(returnTo: readonly string[]): BranchDefinition[] {
  return returnTo.map((target) => ({ when: { '==': [{ var: `input.${RETURN_STEP_FIELD}` }, target] }, target }));
}

/** Where an action goes: its branches, the branches of its `returnTo`, or its one target. */
export function actionBranches(action: ActionDefinition): BranchDefinition[] {
  if (action.returnTo) return returnToBranches(action.returnTo);
  return action.branches ?? [{ target: action.target as string }];
}

/**
 * The form of an action as a user fills it in: its own fields and, for a `returnTo`
 * action, the required `returnStep` choice, with the steps' labels so a user interface
 * can show names rather than keys.
 */
export function actionForm(action: ActionDefinition, steps: ReadonlyMap<string, StepInfo>): Record<string, FieldDefinition> {
  const fields = action.fields ?? {};
  if (!action.returnTo) return fields;
  const optionLabels: Record<string, string> = {};
  const optionLabelsEn: Record<string, string> = {};
  for (const key of action.returnTo) {
    const step = steps.get(key)?.definition;
    optionLabels[key] = step?.label ?? key;
    if (step?.labelEn) optionLabelsEn[key] = step.labelEn;
  }
  const returnStep: FieldDefinition = {
    type: 'enum',
    label: '退回到',
    labelEn: 'Return to',
    required: true,
    options: [...action.returnTo],
    optionLabels,
    ...(Object.keys(optionLabelsEn).length > 0 ? { optionLabelsEn } : {}),
  };
  return { ...fields, [RETURN_STEP_FIELD]: returnStep };
}
