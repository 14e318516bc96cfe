/**
 * The seed procedures in `workflows/`, loaded and compiled for tests.
 *
 * Loading goes through the definition validator (`loadDefinition`), and any error it
 * reports fails the load: a test never runs against a definition the application would
 * refuse to publish. Warnings are allowed (and available through `seedWorkflowIssues`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIssue, loadDefinition, type DefinitionIssue } from '../../src/engine/definition-validator.js';
import type { WorkflowDefinition } from '../../src/engine/workflow-definition.js';
import { compileWorkflow, type CompiledWorkflow } from '../../src/engine/workflow-machine.js';

export const SEED_WORKFLOW_KEYS = ['poverty-entry', 'poverty-exit', 'disaster-reentry'] as const;
export type SeedWorkflowKey = (typeof SEED_WORKFLOW_KEYS)[number];

const root = fileURLToPath(new URL('../../', import.meta.url));

const loaded = new Map<SeedWorkflowKey, { definition: WorkflowDefinition; issues: DefinitionIssue[] }>();
const compiled = new Map<SeedWorkflowKey, CompiledWorkflow>();

/** The YAML text of a seed workflow. */
export function seedWorkflowSource(key: SeedWorkflowKey): string {
  return readFileSync(`${root}workflows/${key}.yaml`, 'utf8');
}

function load(key: SeedWorkflowKey) {
  let entry = loaded.get(key);
  if (!entry) {
    const file = `workflows/${key}.yaml`;
    const { definition, issues } = loadDefinition(seedWorkflowSource(key), file, 'yaml');
    const errors = issues.filter((issue) => issue.severity === 'error');
    if (errors.length > 0 || !definition) {
      throw new Error(`${file} is not a valid workflow definition:\n${errors.map(formatIssue).join('\n')}`);
    }
    if (definition.key !== key) throw new Error(`${file} declares key '${definition.key}', expected '${key}'`);
    entry = { definition, issues };
    loaded.set(key, entry);
  }
  return entry;
}

/** The validated definition of a seed workflow: a fresh deep copy on each call, so a test may change it. */
export function loadSeedDefinition(key: SeedWorkflowKey): WorkflowDefinition {
  return structuredClone(load(key).definition);
}

/** The validator's warnings (never errors: those fail the load) for a seed workflow. */
export function seedWorkflowIssues(key: SeedWorkflowKey): DefinitionIssue[] {
  return [...load(key).issues];
}

/** The compiled seed workflow, compiled once per test file (a compiled workflow is never changed). */
export function loadSeedWorkflow(key: SeedWorkflowKey): CompiledWorkflow {
  let workflow = compiled.get(key);
  if (!workflow) {
    workflow = compileWorkflow(loadSeedDefinition(key));
    compiled.set(key, workflow);
  }
  return workflow;
}
