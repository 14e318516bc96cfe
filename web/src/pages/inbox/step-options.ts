import type { WorkflowTaskSteps } from '../../api/types';

type Labelled = { label: string; labelEn?: string | null };

/**
 * The step filter's value: workflow and step key together, since a step key (`propose`,
 * `countyReview`) recurs across procedures. Neither key can hold a ':' (workflow keys are
 * `[a-z0-9-]`, step keys `[A-Za-z0-9_]`).
 */
export function stepValue(workflow: string | undefined, step: string | undefined): string | undefined {
  return workflow && step ? `${workflow}:${step}` : undefined;
}

export function parseStepValue(value: string): { workflow: string; step: string } {
  const at = value.indexOf(':');
  return { workflow: value.slice(0, at), step: value.slice(at + 1) };
}

/**
 * The step filter's options from `GET /api/workflows/steps`: every step of the procedures the
 * user can have tasks in, grouped by procedure, in the definitions' order — only the chosen
 * procedure's when the workflow filter is set. `label` picks the language.
 */
export function stepOptions(workflows: readonly WorkflowTaskSteps[], workflow: string | undefined, label: (item: Labelled) => string) {
  return workflows
    .filter((w) => !workflow || w.key === workflow)
    .map((w) => ({
      label: label(w),
      title: label(w),
      options: w.steps.map((s) => ({ value: `${w.key}:${s.key}`, label: label(s) })),
    }));
}
