import type { StepDefinition, WorkflowDefinition } from '../../api/types';

/** Every step key of a definition, its regions' steps included, in the definition's order. */
export function stepKeys(definition: Pick<WorkflowDefinition, 'steps'>): string[] {
  const keys: string[] = [];
  const walk = (steps: Record<string, StepDefinition>) => {
    for (const [key, step] of Object.entries(steps)) {
      keys.push(key);
      for (const region of Object.values(step.regions ?? {})) walk(region.steps);
    }
  };
  walk(definition.steps);
  return keys;
}

/** Old step → new step as the editor starts: each step to the step of the same key, '' where the new version has none. */
export function defaultMapping(from: Pick<WorkflowDefinition, 'steps'>, to: Pick<WorkflowDefinition, 'steps'>): Record<string, string> {
  const target = new Set(stepKeys(to));
  return Object.fromEntries(stepKeys(from).map((key) => [key, target.has(key) ? key : '']));
}

/**
 * What is sent: the steps mapped elsewhere. A step mapped to itself is what the API does
 * anyway, and a step left unmapped ('') is not named: cases waiting there are refused with
 * the reason (the step has no counterpart).
 */
export function mappingRequest(mapping: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).filter(([from, to]) => to !== '' && to !== from));
}
