/**
 * Actors, case data and a small driver for behaviour tests of the pure engine
 * (src/engine). No database: a case is its persisted snapshot plus the events that made it.
 */
import {
  applyAction,
  startCase,
  type ActionRequest,
  type PersistedCaseSnapshot,
  type TransitionResult,
} from '../../src/engine/case-transition.js';
import type { Effect } from '../../src/engine/effects.js';
import { EngineException, type EngineExceptionCode } from '../../src/engine/engine.exception.js';
import type { RecordedEvent } from '../../src/engine/history-replay.js';
import type { ActEvent, Actor, CaseInput, CompiledWorkflow } from '../../src/engine/workflow-machine.js';

// ---------------------------------------------------------------------------
// Jurisdictions and actors
// ---------------------------------------------------------------------------

/** A village under 台城街道 (440781001), 台山市 (440781), 江门市 (440700). */
export const TAISHAN_VILLAGE = '440781001001';
export const TAISHAN_TOWN = '440781001';
export const TAISHAN_COUNTY = '440781';
export const JIANGMEN_CITY = '440700';
/** A village under 大泽镇 (440705101), 新会区 (440705): not a low-line county. */
export const XINHUI_VILLAGE = '440705101001';
export const XINHUI_TOWN = '440705101';

const user = (id: string, role: Actor['roles'][number], jurisdictionCode: string): Actor => ({
  kind: 'user',
  id,
  roles: [role],
  jurisdictionCode,
});

/** A 台山 town officer: enters data and applies for the households of the town. */
export const officer = user('officer-taicheng', 'officer', TAISHAN_TOWN);
/** The 台山 county reviewer. */
export const reviewer = user('reviewer-taishan', 'reviewer', TAISHAN_COUNTY);
/** The Jiangmen city approver. */
export const approver = user('approver-jiangmen', 'approver', JIANGMEN_CITY);
/** A 开平 town officer: the right role, the wrong county. */
export const kaipingOfficer = user('officer-kaiping', 'officer', '440783100');
/** A 开平 county reviewer: the right role, the wrong county. */
export const kaipingReviewer = user('reviewer-kaiping', 'reviewer', '440783');
/** A 新会 town officer, for cases in 新会. */
export const xinhuiOfficer = user('officer-dazhe', 'officer', XINHUI_TOWN);
/** A deadline or job acting on its own. */
export const system: Actor = { kind: 'system', id: null, roles: [] };

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

export const DAY = 86_400_000;
export const START = new Date('2016-09-01T01:00:00.000Z');

export const plus = (at: Date, ms: number): Date => new Date(at.getTime() + ms);

// ---------------------------------------------------------------------------
// Case data and action inputs
// ---------------------------------------------------------------------------

export const entryStartData = (overrides: Record<string, unknown> = {}) => ({
  householdName: '李大福',
  rural: true,
  memberCount: 3,
  address: '台城街道某村',
  ...overrides,
});

export const eligibleProposal = (overrides: Record<string, unknown> = {}) => ({
  perCapitaIncome: 4800,
  hasLabourAbility: true,
  dibao: true,
  consent: true,
  members: [
    { name: '李大福', relation: '户主', age: 48, labourAbility: true },
    { name: '陈秀英', relation: '配偶', age: 45, labourAbility: true, disability: true },
    { name: '李小明', relation: '子', age: 12, labourAbility: false },
  ],
  ...overrides,
});

export const supportPlan = (overrides: Record<string, unknown> = {}) => ({
  measures: ['industry', 'employment'],
  pairedUnit: '台山市农业局',
  responsiblePerson: '黄志强',
  planSummary: '发展养殖，安排公益性岗位',
  ...overrides,
});

/** A village meeting: `votesFor` of `attendance` in favour. */
export const appraisal = (votesFor: number, attendance = 50, votesAgainst = attendance - votesFor) => ({
  meetingDate: '2016-09-20',
  attendance,
  votesFor,
  votesAgainst,
  minutes: '村民代表会议评议',
});

export const exitStartData = (overrides: Record<string, unknown> = {}) => ({
  householdName: '李大福',
  rural: true,
  memberCount: 3,
  ...overrides,
});

export const exitProposal = (overrides: Record<string, unknown> = {}) => ({
  perCapitaIncome: 9000,
  foodAndClothing: true,
  compulsoryEducation: true,
  basicMedical: true,
  housingSafety: true,
  ...overrides,
});

export const disasterStartData = (overrides: Record<string, unknown> = {}) => ({
  householdName: '李大福',
  disasterType: 'typhoon',
  disasterDate: '2016-08-02',
  lossDescription: '台风"妮妲"毁坏房屋和鱼塘',
  ...overrides,
});

export const DEPARTMENT_STEPS = ['agricultureConfirm', 'meteorologyConfirm', 'civilAffairsConfirm', 'landConfirm'] as const;

// ---------------------------------------------------------------------------
// Expected effects
// ---------------------------------------------------------------------------

const deadlineOf = (workflow: CompiledWorkflow, step: string) => workflow.steps.get(step)!.definition.deadline;

/**
 * The effects of entering a task step: a task for its role and level, and its deadline if it
 * has one — resumed when a return for correction paused it in visit `pausedEntry`.
 */
export function entered(workflow: CompiledWorkflow, step: string, entry: number, at: Date, pausedEntry?: number): Effect[] {
  const definition = workflow.steps.get(step)!.definition;
  const deadline = deadlineOf(workflow, step);
  const resume = pausedEntry !== undefined ? { resume: true as const, pausedEntry } : {};
  return [
    { type: 'openTask', step, entry, role: definition.role!, level: definition.level! },
    ...(deadline ? [{ type: 'startDeadline' as const, step, entry, startedAt: at.toISOString(), deadline, ...resume }] : []),
  ];
}

/** The effects of leaving a task step, by one of its own actions or because the case moved on ('cancelled'). */
export function left(workflow: CompiledWorkflow, step: string, entry: number, outcome: string): Effect[] {
  const deadline = deadlineOf(workflow, step);
  // A return for correction pauses the step's clock instead of cancelling it.
  const returning = workflow.steps.get(step)!.definition.actions?.[outcome]?.kind === 'return';
  return [
    ...(deadline
      ? [
          {
            type: 'cancelDeadline' as const,
            step,
            entry,
            reason: outcome === 'cancelled' ? 'step-left' : `action:${outcome}`,
            pause: returning && !deadline.restartOnReturn,
          },
        ]
      : []),
    { type: 'closeTask', step, entry, outcome },
  ];
}

export const returned = (fromStep: string): Effect => ({ type: 'notify', template: 'case-returned', step: fromStep });
export const finished = (step: string, status: string): Effect => ({ type: 'caseFinished', step, status });

// ---------------------------------------------------------------------------
// Driving a case
// ---------------------------------------------------------------------------

export interface ActOptions {
  step?: string;
  now?: Date;
  params?: Record<string, unknown>;
  comment?: string;
}

/**
 * Drives one case: keeps the stored snapshot, the clock and the history rows a cases
 * service would write (`started` with the CaseInput, `action` with each returned event).
 * Unless told otherwise, each action happens one day after the previous one.
 */
export class CaseDriver {
  readonly history: RecordedEvent[] = [];
  /** The result of each history row (start, then each action), in order. */
  readonly results: TransitionResult[] = [];
  /** The snapshot stored after each history row, in order. */
  readonly snapshots: PersistedCaseSnapshot[] = [];
  last: TransitionResult;
  now: Date;

  private constructor(
    readonly workflow: CompiledWorkflow,
    input: CaseInput,
  ) {
    this.now = new Date(input.now);
    this.last = startCase(workflow, { ...input, now: this.now });
    this.history.push({ eventType: 'started', payload: input });
    this.results.push(this.last);
    this.snapshots.push(this.last.snapshot);
  }

  static start(
    workflow: CompiledWorkflow,
    data: Record<string, unknown>,
    options: { jurisdiction?: string; now?: Date; params?: Record<string, unknown> } = {},
  ): CaseDriver {
    const input: CaseInput = {
      data,
      jurisdiction: options.jurisdiction ?? TAISHAN_VILLAGE,
      now: (options.now ?? START).toISOString(),
      ...(options.params ? { params: options.params } : {}),
    };
    return new CaseDriver(workflow, input);
  }

  get snapshot(): PersistedCaseSnapshot {
    return this.last.snapshot;
  }

  /** The request an action would send at the next tick of the clock. */
  request(actor: Actor, action: string, input: Record<string, unknown> = {}, options: ActOptions = {}): ActionRequest {
    return {
      action,
      input,
      actor,
      now: options.now ?? plus(this.now, DAY),
      ...(options.step ? { step: options.step } : {}),
      ...(options.params ? { params: options.params } : {}),
      ...(options.comment !== undefined ? { comment: options.comment } : {}),
    };
  }

  act(actor: Actor, action: string, input: Record<string, unknown> = {}, options: ActOptions = {}): TransitionResult & { event: ActEvent } {
    const request = this.request(actor, action, input, options);
    const result = applyAction(this.workflow, this.snapshot, request);
    this.now = request.now;
    this.last = result;
    this.history.push({ eventType: 'action', payload: result.event });
    this.results.push(result);
    this.snapshots.push(result.snapshot);
    return result;
  }

  /** Like act, but expects a refusal with `code`, and checks the stored snapshot was left as it was. */
  refuse(code: EngineExceptionCode, actor: Actor, action: string, input: Record<string, unknown> = {}, options: ActOptions = {}): EngineException {
    return expectRefusal(this.workflow, this.snapshot, this.request(actor, action, input, options), code);
  }

  /** The number of the current (or last) visit of a step. */
  entry(step: string): number {
    return this.snapshot.context.entries[step] ?? 0;
  }
}

/** Applies a request that must be refused with `code`; the snapshot passed in must not change. */
export function expectRefusal(
  workflow: CompiledWorkflow,
  snapshot: PersistedCaseSnapshot,
  request: ActionRequest,
  code: EngineExceptionCode,
): EngineException {
  const before = structuredClone(snapshot);
  let caught: unknown;
  try {
    applyAction(workflow, snapshot, request);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EngineException);
  const refusal = caught as EngineException;
  expect({ code: refusal.code, message: refusal.message }).toEqual({ code, message: expect.any(String) });
  expect(snapshot).toEqual(before);
  return refusal;
}
