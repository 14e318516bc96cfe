import type { Role, WorkflowDefinition } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';

export interface TaskStepLabel {
  key: string;
  label: string;
  labelEn: string | null;
}

/** A workflow and the steps its tasks can be in, by key and label only (`GET /api/workflows/steps`). */
export interface WorkflowTaskSteps extends TaskStepLabel {
  steps: TaskStepLabel[];
}

/**
 * The task steps (the steps people act on, parallel branches' included) of the workflows a
 * user with `roles` can have tasks in: those with a task step of one of the roles. Every task
 * step of such a workflow is listed, not only the user's own: a colleague may add the user as
 * a signer (加签) on any step of a case in their jurisdiction.
 *
 * `versions` are the versions cases can have open tasks on, grouped by key, newest first
 * within a key. Steps are in the newest version's order (the author's), followed by those only
 * an older version still running has; a step's label is that of the newest version having it.
 */
export function workflowTaskSteps(versions: readonly CompiledWorkflow[], roles: readonly Role[]): WorkflowTaskSteps[] {
  const byKey = new Map<string, { definition: WorkflowDefinition; steps: Map<string, TaskStepLabel>; mine: boolean }>();
  for (const { definition, steps } of versions) {
    const workflow = byKey.get(definition.key) ?? { definition, steps: new Map<string, TaskStepLabel>(), mine: false };
    for (const { key, definition: step } of steps.values()) {
      if ((step.type ?? 'task') !== 'task' || !step.role) continue;
      if (roles.includes(step.role)) workflow.mine = true;
      if (!workflow.steps.has(key)) workflow.steps.set(key, { key, label: step.label, labelEn: step.labelEn ?? null });
    }
    byKey.set(definition.key, workflow);
  }
  return [...byKey.values()]
    .filter((workflow) => workflow.mine)
    .map(({ definition, steps }) => ({ key: definition.key, label: definition.label, labelEn: definition.labelEn ?? null, steps: [...steps.values()] }));
}
