import type { ActionDefinition, FieldDefinition, HistoryEntry, StepDefinition, WorkflowDefinition } from '../../api/types';

/** The form field a `returnTo` action adds (src/engine/return-to.ts RETURN_STEP_FIELD). */
export const RETURN_STEP_FIELD = 'returnStep';

/** Every step of a definition, the steps of parallel regions included, by key. */
export function allSteps(definition: WorkflowDefinition): Map<string, StepDefinition> {
  const steps = new Map<string, StepDefinition>();
  const visit = (record: Record<string, StepDefinition>) => {
    for (const [key, step] of Object.entries(record)) {
      steps.set(key, step);
      for (const region of Object.values(step.regions ?? {})) visit(region.steps);
    }
  };
  visit(definition.steps);
  return steps;
}

export function actionOf(definition: WorkflowDefinition, step: string, action: string): ActionDefinition | undefined {
  const actions = allSteps(definition).get(step)?.actions;
  return actions && Object.hasOwn(actions, action) ? actions[action] : undefined;
}

/**
 * What the case data's fields are called: the start form's fields and every action's, the
 * first declaration of a name winning (a `reason` means the same thing wherever it is asked),
 * and the step choice of a return to a chosen step.
 */
export function dataFields(definition: WorkflowDefinition): Record<string, FieldDefinition> {
  const fields: Record<string, FieldDefinition> = { ...(definition.start.fields ?? {}) };
  const steps = allSteps(definition);
  for (const step of steps.values()) {
    for (const action of Object.values(step.actions ?? {})) {
      for (const [key, field] of Object.entries(action.fields ?? {})) if (!Object.hasOwn(fields, key)) fields[key] = field;
      if (action.returnTo && !Object.hasOwn(fields, RETURN_STEP_FIELD)) {
        fields[RETURN_STEP_FIELD] = {
          type: 'enum',
          label: '退回到',
          labelEn: 'Return to',
          options: [...action.returnTo],
          optionLabels: Object.fromEntries(action.returnTo.map((key) => [key, steps.get(key)?.label ?? key])),
          optionLabelsEn: Object.fromEntries(action.returnTo.map((key) => [key, steps.get(key)?.labelEn ?? steps.get(key)?.label ?? key])),
        };
      }
    }
  }
  return fields;
}

/**
 * The top-level steps a case passes through, for the progress bar: in the order a case
 * reaches them going forward from the first step (returns and rejections left out), not the
 * end states. The definition arrives from the API in the author's key order, but steps are
 * not always written in the order a case meets them, so the order is taken from the flow itself.
 */
export function progressSteps(definition: WorkflowDefinition): { key: string; step: StepDefinition }[] {
  const depth = new Map<string, number>([[definition.initial, 0]]);
  const queue = [definition.initial];
  while (queue.length > 0) {
    const key = queue.shift()!;
    const step = definition.steps[key];
    if (!step) continue;
    const next = [
      ...Object.values(step.actions ?? {})
        .filter((action) => action.kind !== 'return' && action.kind !== 'reject')
        .flatMap((action) => [action.target, ...(action.branches ?? []).map((branch) => branch.target)]),
      step.onDone,
    ];
    for (const target of next) {
      if (target && Object.hasOwn(definition.steps, target) && !depth.has(target)) {
        depth.set(target, depth.get(key)! + 1);
        queue.push(target);
      }
    }
  }
  return [...depth.entries()]
    .filter(([key]) => definition.steps[key] && definition.steps[key].type !== 'final')
    .sort((a, b) => a[1] - b[1])
    .map(([key]) => ({ key, step: definition.steps[key] }));
}

/**
 * The case data's fields in the order they were entered: the start form first (the
 * household's name leading), then each action's input as the history records it.
 */
export function dataOrder(data: Record<string, unknown>, history: readonly HistoryEntry[], titleField?: string): string[] {
  const order: string[] = titleField && Object.hasOwn(data, titleField) ? [titleField] : [];
  const add = (record: unknown) => {
    if (record && typeof record === 'object' && !Array.isArray(record)) for (const key of Object.keys(record)) if (!order.includes(key)) order.push(key);
  };
  for (const entry of history) add(entry.eventType === 'started' ? entry.payload.data : entry.payload.input);
  return [...order.filter((key) => Object.hasOwn(data, key)), ...Object.keys(data).filter((key) => !order.includes(key))];
}
