import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StepDefinition, WorkflowDefinition } from '../engine/workflow-definition.js';

export interface WorkflowLabelSet {
  workflow: string;
  /** The label of a step, parallel branches' steps included; undefined for an unknown key. */
  step(key: string): string | undefined;
}

/**
 * Chinese labels of workflows and steps for notifications and alerts, read from the
 * published definition a case is pinned to. A published version never changes, so the
 * labels are cached per definition id for the life of the process. Kept apart from the
 * DefinitionsService so that the worker can label mail without loading and publishing
 * workflows/ itself.
 */
@Injectable()
export class WorkflowLabels {
  private readonly cache = new Map<string, WorkflowLabelSet>();

  async forDefinition(manager: EntityManager, definitionId: string): Promise<WorkflowLabelSet> {
    const cached = this.cache.get(definitionId);
    if (cached) return cached;
    const [row] = await manager.query(`SELECT definition FROM workflow_definitions WHERE id = $1`, [definitionId]);
    const definition = row?.definition as WorkflowDefinition | undefined;
    const steps = new Map<string, string>();
    if (definition) collectSteps(definition.steps, steps);
    const labels: WorkflowLabelSet = { workflow: definition?.label ?? '', step: (key) => steps.get(key) };
    if (definition) this.cache.set(definitionId, labels);
    return labels;
  }
}

function collectSteps(steps: Record<string, StepDefinition> | undefined, into: Map<string, string>): void {
  for (const [key, step] of Object.entries(steps ?? {})) {
    if (!into.has(key)) into.set(key, step.label);
    for (const region of Object.values(step.regions ?? {})) collectSteps(region.steps, into);
  }
}
