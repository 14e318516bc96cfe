import { setup, type AnyStateMachine } from 'xstate';
import type { FreeText } from '../org/resident-id-text.js';
import { CHILD_DONE, CHILD_DONE_ACTION, callInput, childDoneEventType, childScope, type ChildOutcome } from './call-step.js';
import { evaluateGuard } from './guard-expression.js';
import { jurisdictionAt } from './jurisdiction-code.js';
import { actionBranches } from './return-to.js';
import { WITHDRAW_ACTION, WITHDRAWN, withdrawEventType, withdrawTargetsOf } from './withdraw.js';
import type {
  ActionDefinition,
  BranchDefinition,
  DeadlineDefinition,
  Expression,
  Role,
  StepDefinition,
  WorkflowDefinition,
} from './workflow-definition.js';

/** The xstate context of a case. Everything a guard or an effect needs lives here or in the event. */
export interface CaseContext {
  data: Record<string, unknown>;
  /** The code of the case's jurisdiction node (usually the household's village or town). */
  jurisdiction: string;
  /** How many times each step has been entered. */
  entries: Record<string, number>;
  /** When the current visit of each step began (ISO 8601). */
  enteredAt: Record<string, string>;
  /**
   * The time of the latest event (ISO 8601). Steps entered by an internal event (a
   * parallel step's `onDone`) take their entry time from here: that event carries no `now`.
   */
  lastEventAt: string;
  /**
   * The steps whose deadline clock a return for correction (补正) paused, with the visit
   * (entry) it was paused in. Entering such a step again resumes that clock (the
   * `startDeadline` effect says so) and removes the step from here. Absent while no clock
   * is paused, so snapshots of cases never returned look as they always did.
   */
  pausedClocks?: Record<string, number>;
}

export interface Actor {
  kind: 'user' | 'system';
  id: string | null;
  username?: string;
  roles: Role[];
  jurisdictionCode?: string;
  /** The owner of a delegated task (委托) the user acts for. */
  onBehalfOf?: string;
}

/**
 * The only event a case machine receives: an action taken at a step. Its type is
 * `step.action` because the same action key (e.g. `approve`) appears in several steps,
 * and in parallel regions several of them may be active at once. The event carries the
 * time and the parameters in force, so replaying it later gives the same result.
 *
 * A withdraw (withdraw.ts) is the same event with `action: '$withdraw'`, `step` the step
 * withdrawn from, `input: { to }` the step returned to, and the type `step.$withdraw.to`.
 * A child case's outcome (call-step.ts) is `action: '$childDone'`, `step` the call step,
 * `input` the ChildOutcome, and the type `step.$childDone`.
 */
export interface ActEvent {
  type: string;
  step: string;
  action: string;
  input: Record<string, unknown>;
  actor: Actor;
  now: string;
  params?: Record<string, unknown>;
  /** A plain string, or the text with its resident IDs sealed (src/org/resident-id-text.ts). */
  comment?: FreeText;
}

export interface CaseInput {
  data: Record<string, unknown>;
  jurisdiction: string;
  now: string;
  params?: Record<string, unknown>;
}

export interface StepInfo {
  key: string;
  definition: StepDefinition;
  /** The parallel step and region this step belongs to, if any. */
  parallel?: string;
  region?: string;
}

export interface CompiledWorkflow {
  definition: WorkflowDefinition;
  machine: AnyStateMachine;
  steps: ReadonlyMap<string, StepInfo>;
}

export function eventType(step: string, action: string): string {
  return `${step}.${action}`;
}

/** The scope a guard is evaluated in: case data with the action's input laid over it. */
export function guardScope(
  definition: WorkflowDefinition,
  context: CaseContext,
  event: { step?: string; input?: Record<string, unknown>; now: string; params?: Record<string, unknown>; actor?: Actor },
): Record<string, unknown> {
  const input = event.input ?? {};
  const enteredAt = event.step ? context.enteredAt[event.step] : undefined;
  return {
    data: { ...context.data, ...input },
    input,
    params: { ...(definition.params ?? {}), ...(event.params ?? {}) },
    case: {
      jurisdiction: context.jurisdiction,
      county: jurisdictionAt(context.jurisdiction, 'county') ?? null,
      town: jurisdictionAt(context.jurisdiction, 'town') ?? null,
    },
    now: Date.parse(event.now),
    step: {
      enteredAt: enteredAt ? Date.parse(enteredAt) : null,
      entry: event.step ? (context.entries[event.step] ?? 0) : 0,
    },
    actor: event.actor ? { kind: event.actor.kind, roles: [...event.actor.roles] } : null,
  };
}

type AnyEvent = { type: string; input?: CaseInput } & Partial<ActEvent>;

/**
 * The init event carries the start time in its input, an action event carries `now`;
 * internal events (`xstate.done.state.*`) carry no time and fall back to the time of the
 * action being processed, recorded in the context by `mergeInput`.
 */
function eventTime(context: CaseContext, event: AnyEvent): string {
  if (event.type === 'xstate.init') return (event.input as CaseInput).now;
  return event.now ?? context.lastEventAt;
}

/**
 * Compiles a validated definition into an xstate machine. Steps become states with their
 * key as id (keys are unique across the definition), actions become `step.action`
 * transitions, and everything the outside world must do becomes a named action whose
 * resolved params are the effect. Deadlines are effects, never `after` delays: xstate does
 * not restore delayed events from a persisted snapshot, and the database owns the timers.
 */
export function compileWorkflow(definition: WorkflowDefinition): CompiledWorkflow {
  const steps = new Map<string, StepInfo>();

  const machineSetup = setup({
    types: {} as { context: CaseContext; events: ActEvent; input: CaseInput },
    actions: {
      // Effects: recorded, never executed by the engine. The no-op bodies exist only
      // because xstate wants an implementation for every named action.
      openTask: () => undefined,
      closeTask: () => undefined,
      startDeadline: () => undefined,
      cancelDeadline: () => undefined,
      caseFinished: () => undefined,
      startChildCase: () => undefined,
    },
    guards: {
      expression: ({ context, event }, params: { expression: Expression }) => {
        const result = evaluateGuard(params.expression, guardScope(definition, context, event as ActEvent));
        return result.ok && result.value;
      },
      // A call step's outcome: the calling case's scope (its data, not the event's input)
      // and the child case's status and data.
      childOutcome: ({ context, event }, params: { expression: Expression }) => {
        const { step, now, params: eventParams, input } = event as ActEvent;
        const scope = { ...guardScope(definition, context, { step, now, params: eventParams }), ...childScope(input as unknown as ChildOutcome) };
        const result = evaluateGuard(params.expression, scope);
        return result.ok && result.value;
      },
    },
  });

  const enterStep = (key: string) =>
    machineSetup.assign(({ context, event }) => ({
      entries: { ...context.entries, [key]: (context.entries[key] ?? 0) + 1 },
      enteredAt: { ...context.enteredAt, [key]: eventTime(context, event as AnyEvent) },
    }));

  /**
   * Returned for correction (补正): the clock of the step being left stops and keeps the
   * time left for when the case comes back, unless the step restarts its clock.
   */
  const pausesClock = (key: string, step: StepDefinition, event: AnyEvent): boolean =>
    event.step === key && step.actions?.[event.action as string]?.kind === 'return' && !step.deadline?.restartOnReturn;

  /** Records a paused clock in the context, so that coming back resumes it without a lookup. */
  const rememberPausedClock = (key: string, step: StepDefinition) =>
    machineSetup.assign(({ context, event }) =>
      pausesClock(key, step, event as AnyEvent) ? { pausedClocks: { ...context.pausedClocks, [key]: context.entries[key] } } : {},
    );

  /** Entering the step resumed its paused clock (see startDeadline): it is paused no more. */
  const forgetPausedClock = (key: string) =>
    machineSetup.assign(({ context }) => {
      if (context.pausedClocks?.[key] === undefined) return {};
      const { [key]: _resumed, ...rest } = context.pausedClocks;
      // Dropped when empty: the persisted snapshot then has no `pausedClocks` at all.
      return { pausedClocks: Object.keys(rest).length > 0 ? rest : undefined };
    });

  const mergeInput = machineSetup.assign(({ context, event }) => ({
    data: { ...context.data, ...((event as ActEvent).input ?? {}) },
    lastEventAt: (event as ActEvent).now,
  }));

  /** A withdraw's input says where the case goes back to; it is not case data. */
  const noteTime = machineSetup.assign(({ event }) => ({ lastEventAt: (event as ActEvent).now }));

  /** How a step's visit ended: by one of its actions, by a withdraw, or because the case moved on elsewhere. */
  const leftBy = (key: string, event: AnyEvent): { outcome: string; reason: string } => {
    if (event.step !== key) return { outcome: 'cancelled', reason: 'step-left' };
    if (event.action === WITHDRAW_ACTION) return { outcome: WITHDRAWN, reason: WITHDRAWN };
    if (event.action === CHILD_DONE_ACTION) return { outcome: CHILD_DONE, reason: CHILD_DONE };
    return { outcome: event.action as string, reason: `action:${event.action}` };
  };

  // The ways back opened by withdrawable actions, per step withdrawn from (T → its S's).
  const withdrawals = new Map<string, Set<string>>();
  for (const { from, to } of withdrawTargetsOf(definition)) withdrawals.set(from, (withdrawals.get(from) ?? new Set()).add(to));

  function transitionsFor(action: ActionDefinition) {
    return actionBranches(action).map((branch) => {
      const conditions = [action.guard, branch.when].filter((c): c is Expression => c !== undefined);
      const guard =
        conditions.length === 0
          ? undefined
          : { type: 'expression' as const, params: { expression: conditions.length === 1 ? conditions[0] : { and: conditions } } };
      return { target: `#${branch.target}`, guard, actions: [mergeInput] };
    });
  }

  function stateFor(key: string, step: StepDefinition, topLevel: boolean): Record<string, unknown> {
    const type = step.type ?? 'task';
    if (type === 'final') {
      return {
        id: key,
        type: 'final',
        entry: [
          enterStep(key),
          ...(topLevel ? [{ type: 'caseFinished' as const, params: { step: key, status: step.status ?? key } }] : []),
        ],
      };
    }
    if (type === 'parallel') {
      const regions: Record<string, unknown> = {};
      for (const [regionKey, region] of Object.entries(step.regions ?? {})) {
        const states: Record<string, unknown> = {};
        for (const [childKey, child] of Object.entries(region.steps)) {
          steps.set(childKey, { key: childKey, definition: child, parallel: key, region: regionKey });
          states[childKey] = stateFor(childKey, child, false);
        }
        regions[regionKey] = { initial: region.initial, states };
      }
      return { id: key, type: 'parallel', entry: [enterStep(key)], states: regions, onDone: { target: `#${step.onDone}` } };
    }
    if (type === 'call') return callStateFor(key, step);
    const on: Record<string, unknown> = {};
    for (const [actionKey, action] of Object.entries(step.actions ?? {})) {
      on[eventType(key, actionKey)] = transitionsFor(action);
    }
    for (const to of withdrawals.get(key) ?? []) {
      on[withdrawEventType(key, to)] = { target: `#${to}`, actions: [noteTime] };
    }
    return {
      id: key,
      entry: [
        enterStep(key),
        {
          type: 'openTask',
          params: ({ context }: { context: CaseContext }) => ({
            step: key,
            entry: context.entries[key],
            role: step.role,
            level: step.level,
          }),
        },
        ...deadlineEntry(key, step.deadline),
      ],
      exit: [
        ...deadlineExit(key, step),
        {
          type: 'closeTask',
          params: ({ context, event }: { context: CaseContext; event: AnyEvent }) => ({
            step: key,
            entry: context.entries[key],
            outcome: leftBy(key, event).outcome,
          }),
        },
      ],
      on,
    };
  }

  /**
   * A call step (call-step.ts): entering it starts the child case (an effect), its deadline
   * runs like a task's, and only the child's outcome (`step.$childDone`) leaves it, to the
   * first outcome whose condition holds.
   */
  function callStateFor(key: string, step: StepDefinition): Record<string, unknown> {
    const call = step.call!;
    return {
      id: key,
      entry: [
        enterStep(key),
        {
          type: 'startChildCase',
          params: ({ context, event }: { context: CaseContext; event: AnyEvent }) => {
            // The calling case's scope at entry: its data (the action's input already merged), not the event's input.
            const params = event.type === 'xstate.init' ? (event.input as CaseInput).params : event.params;
            const scope = guardScope(definition, context, { step: key, now: eventTime(context, event), params });
            return { workflow: call.workflow, input: callInput(key, call, scope), step: key, stepEntry: context.entries[key] };
          },
        },
        ...deadlineEntry(key, step.deadline),
      ],
      exit: deadlineExit(key, step),
      on: { [childDoneEventType(key)]: (step.outcomes ?? []).map((outcome) => outcomeTransition(outcome)) },
    };
  }

  function outcomeTransition(outcome: BranchDefinition) {
    const guard = outcome.when === undefined ? undefined : { type: 'childOutcome' as const, params: { expression: outcome.when } };
    return { target: `#${outcome.target}`, guard, actions: [noteTime] };
  }

  /** A step's clock starts (or resumes after a return for correction) when the step is entered. */
  function deadlineEntry(key: string, deadline: DeadlineDefinition | undefined): unknown[] {
    if (!deadline) return [];
    return [
      {
        type: 'startDeadline',
        params: ({ context }: { context: CaseContext }) => {
          const pausedEntry = context.pausedClocks?.[key];
          return {
            step: key,
            entry: context.entries[key],
            startedAt: context.enteredAt[key],
            deadline,
            // Back after a return for correction: the shell resumes the paused clock.
            ...(pausedEntry !== undefined ? { resume: true as const, pausedEntry } : {}),
          };
        },
      },
      forgetPausedClock(key),
    ];
  }

  /** Leaving the step cancels its clock, or pauses it on a return for correction. */
  function deadlineExit(key: string, step: StepDefinition): unknown[] {
    if (!step.deadline) return [];
    return [
      {
        type: 'cancelDeadline',
        params: ({ context, event }: { context: CaseContext; event: AnyEvent }) => ({
          step: key,
          entry: context.entries[key],
          reason: leftBy(key, event).reason,
          pause: pausesClock(key, step, event),
        }),
      },
      rememberPausedClock(key, step),
    ];
  }

  const states: Record<string, unknown> = {};
  for (const [key, step] of Object.entries(definition.steps)) {
    steps.set(key, { key, definition: step });
    states[key] = stateFor(key, step, true);
  }

  const machine = machineSetup.createMachine({
    id: `${definition.key}@${definition.version}`,
    context: ({ input }) => ({
      data: { ...input.data },
      jurisdiction: input.jurisdiction,
      entries: {},
      enteredAt: {},
      lastEventAt: input.now,
    }),
    initial: definition.initial,
    // The config is built from data, so its literal types can't be checked statically.
    states: states as never,
  });

  // The machine's static types were erased by building the config from data.
  return { definition, machine: machine as unknown as AnyStateMachine, steps };
}
