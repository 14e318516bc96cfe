import { EngineException, EngineExceptionCode } from './engine.exception.js';
import { evaluateExpression } from './guard-expression.js';
import type { CallDefinition, StepDefinition, WorkflowDefinition } from './workflow-definition.js';

/**
 * Call steps (调用子流程): a step that starts a case of another workflow and waits for it.
 *
 * Entering the step emits `startChildCase { workflow, input, step, stepEntry }`; the shell
 * starts the child case in the same transaction. The step is left only by the event
 * `step.$childDone` (action `$childDone`, input `{ childCaseId, status, data }`), which the
 * shell delivers when the child case finishes: the step's `outcomes` pick the target, the
 * first whose `when` holds over `child.status` / `child.data.*`. The event is recorded as an
 * ordinary `action` history row of the calling case, so it replays like any action. `$`
 * cannot appear in a step or action key, so neither the event type nor the action name can
 * collide with a definition's own.
 */
export const CHILD_DONE_ACTION = '$childDone';

/** How a call step's visit ends (its deadline's cancel reason). */
export const CHILD_DONE = 'child-done';

/** The event that tells call step `step` its child case has finished. */
export function childDoneEventType(step: string): string {
  return `${step}.${CHILD_DONE_ACTION}`;
}

/** What a `$childDone` event carries: the child case, its final status and its data. */
export interface ChildOutcome {
  childCaseId: string;
  status: string;
  data: Record<string, unknown>;
}

/** The outcomes' extra scope: `child.caseId`, `child.status`, `child.data.*`. */
export function childScope(outcome: ChildOutcome): { child: { caseId: string; status: string; data: Record<string, unknown> } } {
  return { child: { caseId: outcome.childCaseId, status: outcome.status, data: outcome.data } };
}

/**
 * The child's start form: each input expression evaluated over the calling case's scope.
 * A field whose expression yields null (e.g. an optional field the case never got) is left
 * out, so the child's form check sees it as not given. An expression that fails is a
 * refusal: the action that entered the step is not taken.
 */
export function callInput(step: string, call: CallDefinition, scope: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, expression] of Object.entries(call.input ?? {})) {
    let value: unknown;
    try {
      value = evaluateExpression(expression, scope);
    } catch (error) {
      throw new EngineException(
        EngineExceptionCode.CALL_INPUT_INVALID,
        `Step '${step}' cannot start '${call.workflow}': its input '${field}' failed (${error instanceof Error ? error.message : String(error)})`,
        { step, workflow: call.workflow, field },
      );
    }
    if (value !== null && value !== undefined) input[field] = value;
  }
  return input;
}

/** A call step, wherever it sits (top level or a parallel region), with its path. */
export interface CallSite {
  step: string;
  workflow: string;
  path: (string | number)[];
}

/** Every call step of a definition, in document order. */
export function callSites(definition: Pick<WorkflowDefinition, 'steps'>): CallSite[] {
  const sites: CallSite[] = [];
  const walk = (steps: Record<string, StepDefinition>, path: (string | number)[]) => {
    for (const [key, step] of Object.entries(steps)) {
      if (step.type === 'call' && step.call) sites.push({ step: key, workflow: step.call.workflow, path: [...path, key] });
      for (const [region, { steps: inner }] of Object.entries(step.regions ?? {})) walk(inner, [...path, key, 'regions', region, 'steps']);
    }
  };
  walk(definition.steps, ['steps']);
  return sites;
}

/**
 * A chain of calls from `from` that leads back to `to`, over the given definitions (keys
 * first met are followed once), e.g. ['b', 'c', 'a'] for b → c → a; undefined when none does.
 */
export function callChainBack(from: string, to: string, definitions: ReadonlyMap<string, Pick<WorkflowDefinition, 'steps'>>): string[] | undefined {
  const seen = new Set<string>();
  const stack: string[][] = [[from]];
  while (stack.length > 0) {
    const chain = stack.pop()!;
    const key = chain[chain.length - 1];
    if (key === to) return chain;
    if (seen.has(key)) continue;
    seen.add(key);
    const definition = definitions.get(key);
    if (!definition) continue;
    for (const site of callSites(definition).reverse()) stack.push([...chain, site.workflow]);
  }
  return undefined;
}

