import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type ExecutableActionObject } from 'xstate';
import { CHILD_DONE_ACTION, childDoneEventType, type ChildOutcome } from './call-step.js';
import type { Effect } from './effects.js';
import { EngineException, EngineExceptionCode } from './engine.exception.js';
import { validateFormInput } from './form-input.js';
import { evaluateGuard } from './guard-expression.js';
import { jurisdictionAt } from './jurisdiction-code.js';
import { actionForm } from './return-to.js';
import { WITHDRAW_ACTION, withdrawEventType, withdrawTargetsOf, type WithdrawTarget } from './withdraw.js';
import type { FreeText } from '../org/resident-id-text.js';
import type { ActionDefinition, FieldDefinition, StepDefinition } from './workflow-definition.js';
import {
  eventType,
  guardScope,
  type ActEvent,
  type Actor,
  type CaseContext,
  type CaseInput,
  type CompiledWorkflow,
} from './workflow-machine.js';

/** The snapshot as stored in the database: plain JSON, restorable with `machine.resolveState`. */
export interface PersistedCaseSnapshot {
  status: 'active' | 'done' | 'error' | 'stopped';
  value: string | Record<string, unknown>;
  context: CaseContext;
  [key: string]: unknown;
}

export interface TransitionResult {
  snapshot: PersistedCaseSnapshot;
  effects: Effect[];
  /** The case status: `active`, a step's `caseStatus`, or the final step's `status`. */
  status: string;
  activeSteps: string[];
}

export interface ActionRequest {
  action: string;
  /** Needed only when the action is offered by more than one active step. */
  step?: string;
  input?: Record<string, unknown>;
  actor: Actor;
  now: Date;
  /** The 办理意见; the shell seals resident IDs in it (src/cases/resident-id-sealing.ts). */
  comment?: FreeText;
  params?: Record<string, unknown>;
}

export interface AvailableAction {
  step: string;
  stepLabel: string;
  action: string;
  label: string;
  labelEn?: string;
  kind: ActionDefinition['kind'];
  fields: Record<string, FieldDefinition>;
}

/** Starts a case: the initial snapshot and the effects of entering the first step. */
export function startCase(compiled: CompiledWorkflow, input: Omit<CaseInput, 'now'> & { now: Date }): TransitionResult {
  const caseInput: CaseInput = { ...input, now: input.now.toISOString() };
  const actions: ExecutableActionObject[] = [];
  const snapshot = compiled.machine.getInitialSnapshot(inertScope(compiled.machine, actions), caseInput) as AnyMachineSnapshot;
  // xstate turns an error thrown while entering the first step (a call step's input that
  // fails) into an error snapshot; a transition throws it. Both refuse the same way.
  if (snapshot.status === 'error') throw snapshot.error;
  return result(compiled, snapshot, actions);
}

/**
 * What xstate's pure `transition()` / `initialTransition()` do — call the machine's own
 * `transition` / `getInitialSnapshot` with an actor scope that records the actions instead
 * of executing them — minus their cost: they build a new actor for every call, and the
 * actor computes the machine's initial snapshot on construction (running the initial
 * step's entry actions, without input). Here the inert actor is built once per machine;
 * only the action recorder is new per call. The engine is synchronous, so calls never
 * interleave.
 */
const inertScopes = new WeakMap<AnyStateMachine, Omit<AnyActorScope, 'actionExecutor'>>();

function inertScope(machine: AnyStateMachine, actions: ExecutableActionObject[]): AnyActorScope {
  let base = inertScopes.get(machine);
  if (!base) {
    // Never started: its (input-less, failing) initial snapshot is computed once and ignored.
    const self = createActor(machine);
    base = { self, id: '', sessionId: '', logger: () => {}, defer: () => {}, emit: () => {}, system: self.system, stopChild: () => {} };
    inertScopes.set(machine, base);
  }
  return { ...base, actionExecutor: (action) => actions.push(action) };
}

/**
 * The pure step function: (definition, snapshot, action, actor, now) → next snapshot and
 * effects. Checks, in order, that the case is running, that an active step offers the
 * action, that the actor may take it, that the input fits the form and that the guard
 * holds — each refusal an EngineException naming the reason.
 */
export function applyAction(
  compiled: CompiledWorkflow,
  persisted: PersistedCaseSnapshot,
  request: ActionRequest,
): TransitionResult & { event: ActEvent } {
  const snapshot = restore(compiled, persisted);
  if (snapshot.status !== 'active') {
    throw new EngineException(EngineExceptionCode.CASE_FINISHED, 'The case has finished; no action can be taken on it');
  }
  const step = resolveStep(compiled, snapshot, request);
  const stepDefinition = compiled.steps.get(step)!.definition;
  const action = stepDefinition.actions![request.action];
  authorize(compiled, snapshot.context as CaseContext, step, stepDefinition, action, request.actor);

  const input = request.input ?? {};
  const inputIssues = validateFormInput(actionForm(action, compiled.steps), input, { today: request.now });
  if (inputIssues.length > 0) {
    throw new EngineException(
      EngineExceptionCode.INVALID_INPUT,
      `The input of action '${request.action}' is not valid: ${inputIssues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      { issues: inputIssues },
    );
  }

  const event: ActEvent = {
    type: eventType(step, request.action),
    step,
    action: request.action,
    input,
    actor: request.actor,
    now: request.now.toISOString(),
    ...(request.params ? { params: request.params } : {}),
    ...(request.comment !== undefined ? { comment: request.comment } : {}),
  };

  if (action.guard !== undefined) {
    const verdict = evaluateGuard(action.guard, guardScope(compiled.definition, snapshot.context as CaseContext, event));
    if (!verdict.ok || !verdict.value) {
      throw new EngineException(
        EngineExceptionCode.GUARD_FAILED,
        action.guardMessage ?? `The condition of action '${request.action}' does not hold`,
        { step, action: request.action, ...(verdict.ok ? {} : { error: verdict.error }) },
      );
    }
  }

  return { ...replayEvent(compiled, snapshot, event, action), event };
}

export interface WithdrawRequest {
  /** The step withdrawn from: the target T of the withdrawable action, active now. */
  from: string;
  /** The step returned to: the step S the action was taken in. */
  to: string;
  actor: Actor;
  now: Date;
  comment?: FreeText;
}

/**
 * Withdraws (撤回) a withdrawable action S → T: T's task closes with the outcome
 * `withdrawn`, its deadline is cancelled, and S is entered anew (a new visit, a new task, its
 * clock per its deadline settings). The event is an ordinary ActEvent (`action: '$withdraw'`,
 * `step: T`, `input: { to: S }`): stored as an `action` history row, it replays.
 *
 * Structural checks only — the case runs, T is active, a withdrawable action leads from S to
 * T; that the actor took that action and that nobody acted on T since is the shell's to check.
 */
export function withdraw(
  compiled: CompiledWorkflow,
  persisted: PersistedCaseSnapshot,
  request: WithdrawRequest,
): TransitionResult & { event: ActEvent } {
  const { from, to } = request;
  const snapshot = restore(compiled, persisted);
  const refuse = (message: string) => new EngineException(EngineExceptionCode.WITHDRAW_NOT_ALLOWED, message, { from, to });
  if (snapshot.status !== 'active') throw refuse('The case has finished; nothing can be withdrawn');
  if (!activeSteps(compiled, snapshot as unknown as PersistedCaseSnapshot).includes(from)) {
    throw refuse(`Step '${from}' is not active: the case has moved on, there is nothing to withdraw from it`);
  }
  if (!withdrawTargetsOf(compiled.definition).some((target) => target.from === from && target.to === to)) {
    throw refuse(`No withdrawable action leads from step '${to}' to step '${from}'`);
  }
  const event: ActEvent = {
    type: withdrawEventType(from, to),
    step: from,
    action: WITHDRAW_ACTION,
    input: { to },
    actor: request.actor,
    now: request.now.toISOString(),
    ...(request.comment !== undefined ? { comment: request.comment } : {}),
  };
  return { ...replayEvent(compiled, snapshot, event), event };
}

export interface ChildDoneRequest extends ChildOutcome {
  /** The call step waiting for the child, and the visit of it that started the child. */
  step: string;
  stepEntry: number;
  actor: Actor;
  now: Date;
}

/**
 * A child case has finished (call-step.ts): the call step that started it is left for the
 * first of its outcomes whose condition holds over `child.status` / `child.data.*`. Refused
 * (`CALL_NOT_WAITING`) when the case no longer waits for this child — finished, the step
 * left, or a later visit of it waiting for another child; the shell records that and skips.
 */
export function childDone(
  compiled: CompiledWorkflow,
  persisted: PersistedCaseSnapshot,
  request: ChildDoneRequest,
): TransitionResult & { event: ActEvent } {
  const { step, stepEntry, childCaseId, status, data } = request;
  const waiting =
    persisted.status === 'active' &&
    compiled.steps.get(step)?.definition.type === 'call' &&
    activeSteps(compiled, persisted).includes(step) &&
    persisted.context.entries[step] === stepEntry;
  if (!waiting) {
    throw new EngineException(
      EngineExceptionCode.CALL_NOT_WAITING,
      `The case no longer waits at step '${step}' (visit ${stepEntry}) for case ${childCaseId}`,
      { step, stepEntry, childCaseId },
    );
  }
  const event: ActEvent = {
    type: childDoneEventType(step),
    step,
    action: CHILD_DONE_ACTION,
    input: { childCaseId, status, data },
    actor: request.actor,
    now: request.now.toISOString(),
  };
  return { ...replayEvent(compiled, restore(compiled, persisted), event), event };
}

/**
 * What could be withdrawn now, structurally: for each active step, the withdrawable
 * actions that lead into it. Whether this user may is the shell's to decide (who took the
 * action, whether anyone acted since).
 */
export function withdrawTargets(compiled: CompiledWorkflow, persisted: PersistedCaseSnapshot): WithdrawTarget[] {
  if (persisted.status !== 'active') return [];
  const active = new Set(activeSteps(compiled, persisted));
  return withdrawTargetsOf(compiled.definition).filter((target) => active.has(target.from));
}

/**
 * Applies an already accepted event without the checks of applyAction. Used to replay a
 * case's history: what was allowed when it happened stays allowed.
 */
export function replayEvent(
  compiled: CompiledWorkflow,
  snapshot: AnyMachineSnapshot,
  event: ActEvent,
  action?: ActionDefinition,
): TransitionResult {
  const actions: ExecutableActionObject[] = [];
  const next = compiled.machine.transition(snapshot, event, inertScope(compiled.machine, actions)) as AnyMachineSnapshot;
  if (next === snapshot || actions.length === 0) {
    // Every transition enters a step that opens a task, starts a child case or ends the
    // case, so a real transition always has effects.
    throw new EngineException(
      EngineExceptionCode.NO_TRANSITION,
      `No transition for action '${event.action}' in step '${event.step}'`,
      { step: event.step, action: event.action },
    );
  }
  const outcome = result(compiled, next, actions);
  if ((action ?? actionOf(compiled, event.step, event.action))?.kind === 'return') {
    outcome.effects.push({ type: 'notify', template: 'case-returned', step: event.step });
  }
  return outcome;
}

export function restore(compiled: CompiledWorkflow, persisted: PersistedCaseSnapshot): AnyMachineSnapshot {
  return compiled.machine.resolveState({ value: persisted.value, context: persisted.context } as never);
}

/** The task steps the case is in now (leaves of the state value). */
export function activeSteps(compiled: CompiledWorkflow, persisted: Pick<PersistedCaseSnapshot, 'value'>): string[] {
  const leaves: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') leaves.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(persisted.value);
  return leaves.filter((key) => compiled.steps.has(key));
}

/** What this actor may do now, step by step — what a user interface offers as buttons. */
export function availableActions(
  compiled: CompiledWorkflow,
  persisted: PersistedCaseSnapshot,
  actor: Actor,
): AvailableAction[] {
  if (persisted.status !== 'active') return [];
  const offered: AvailableAction[] = [];
  for (const step of activeSteps(compiled, persisted)) {
    const definition = compiled.steps.get(step)!.definition;
    for (const [key, action] of Object.entries(definition.actions ?? {})) {
      if (denial(compiled, persisted.context, definition, action, actor)) continue;
      offered.push({
        step,
        stepLabel: definition.label,
        action: key,
        label: action.label,
        ...(action.labelEn ? { labelEn: action.labelEn } : {}),
        kind: action.kind,
        fields: actionForm(action, compiled.steps),
      });
    }
  }
  return offered;
}

/**
 * The one active step that offers `action` (and is `step`, when named), or undefined when
 * none or several do — the cases applyAction refuses with a reason. For the shell, which
 * must know the step (its task, its form) before the engine runs.
 */
export function offeringStep(compiled: CompiledWorkflow, persisted: Pick<PersistedCaseSnapshot, 'value'>, command: { action: string; step?: string }): string | undefined {
  const candidates = activeSteps(compiled, persisted).filter(
    (key) => (command.step === undefined || key === command.step) && actionOf(compiled, key, command.action) !== undefined,
  );
  return candidates.length === 1 ? candidates[0] : undefined;
}

function actionOf(compiled: CompiledWorkflow, step: string, action: string): ActionDefinition | undefined {
  // Own keys only: an action named like an Object.prototype member ('toString', '__proto__')
  // must not resolve to the inherited function.
  const actions = compiled.steps.get(step)?.definition.actions;
  return actions && Object.hasOwn(actions, action) ? actions[action] : undefined;
}

function resolveStep(compiled: CompiledWorkflow, snapshot: AnyMachineSnapshot, request: ActionRequest): string {
  const active = activeSteps(compiled, snapshot as unknown as PersistedCaseSnapshot);
  const candidates = active.filter(
    (step) => (request.step === undefined || step === request.step) && actionOf(compiled, step, request.action),
  );
  if (candidates.length === 0) {
    const labels = active.map((step) => `${step} (${compiled.steps.get(step)!.definition.label})`).join(', ');
    throw new EngineException(
      EngineExceptionCode.ACTION_NOT_IN_STEP,
      `Action '${request.action}'${request.step ? ` of step '${request.step}'` : ''} is not allowed in the current step: ${labels}`,
      { activeSteps: active },
    );
  }
  if (candidates.length > 1) {
    throw new EngineException(
      EngineExceptionCode.AMBIGUOUS_ACTION,
      `Action '${request.action}' is offered by several steps (${candidates.join(', ')}); say which step`,
      { steps: candidates },
    );
  }
  return candidates[0];
}

function authorize(
  compiled: CompiledWorkflow,
  context: CaseContext,
  step: string,
  definition: StepDefinition,
  action: ActionDefinition,
  actor: Actor,
): void {
  const reason = denial(compiled, context, definition, action, actor);
  if (reason) throw new EngineException(reason.code, reason.message, { step });
}

/** Why the actor may not take the action, or undefined when they may. */
function denial(
  _compiled: CompiledWorkflow,
  context: CaseContext,
  step: StepDefinition,
  action: ActionDefinition,
  actor: Actor,
): { code: EngineExceptionCode; message: string } | undefined {
  if (actor.kind === 'system') {
    return action.system || action.allowSystem
      ? undefined
      : { code: EngineExceptionCode.ACTION_NOT_ALLOWED, message: `Action '${action.label}' is taken by people, not by the system` };
  }
  if (action.system) {
    return { code: EngineExceptionCode.SYSTEM_ONLY_ACTION, message: `Action '${action.label}' is taken by the system only` };
  }
  if (!step.role || !actor.roles.includes(step.role)) {
    return {
      code: EngineExceptionCode.ROLE_NOT_ALLOWED,
      message: `Step '${step.label}' is acted on by the ${step.level} ${step.role}; you do not hold that role`,
    };
  }
  const responsible = step.level ? jurisdictionAt(context.jurisdiction, step.level) : undefined;
  if (!responsible || actor.jurisdictionCode !== responsible) {
    return {
      code: EngineExceptionCode.JURISDICTION_NOT_ALLOWED,
      message: `Step '${step.label}' is acted on at ${step.level} level by jurisdiction ${responsible ?? 'unknown'}`,
    };
  }
  return undefined;
}

function result(compiled: CompiledWorkflow, snapshot: AnyMachineSnapshot, actions: { type: string; params?: unknown }[]): TransitionResult {
  const persisted = JSON.parse(JSON.stringify(compiled.machine.getPersistedSnapshot(snapshot))) as PersistedCaseSnapshot;
  const effects = actions
    .filter((a) => EFFECT_TYPES.has(a.type))
    .map((a) => ({ type: a.type, ...(a.params as object) }) as Effect);
  return { snapshot: persisted, effects, status: caseStatus(compiled, persisted), activeSteps: activeSteps(compiled, persisted) };
}

const EFFECT_TYPES = new Set(['openTask', 'closeTask', 'startDeadline', 'cancelDeadline', 'caseFinished', 'startChildCase']);

export function caseStatus(compiled: CompiledWorkflow, persisted: PersistedCaseSnapshot): string {
  const steps = activeSteps(compiled, persisted).map((key) => compiled.steps.get(key)!);
  if (persisted.status === 'done') {
    const final = steps.find((s) => !s.parallel);
    return final?.definition.status ?? final?.key ?? 'done';
  }
  // A parallel step's status comes from the parallel step itself.
  const topLevel = steps.map((s) => (s.parallel ? compiled.steps.get(s.parallel)! : s));
  return topLevel.find((s) => s.definition.caseStatus)?.definition.caseStatus ?? 'active';
}
