import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { preparedQuery } from '../database/prepared-query.js';
import { DeadlinesService } from '../deadlines/deadlines.service.js';
import { exportSource } from '../definitions/definition-formats.js';
import { DefinitionsService, type PublishedDefinition } from '../definitions/definitions.service.js';
import { CHILD_DONE_ACTION } from '../engine/call-step.js';
import {
  activeSteps,
  applyAction,
  availableActions,
  childDone,
  offeringStep,
  startCase,
  withdraw,
  withdrawTargets,
  type PersistedCaseSnapshot,
  type TransitionResult,
} from '../engine/case-transition.js';
import { EngineException, EngineExceptionCode } from '../engine/engine.exception.js';
import { validateFormInput } from '../engine/form-input.js';
import { replayHistory } from '../engine/history-replay.js';
import { isWithin, jurisdictionAt, levelOf } from '../engine/jurisdiction-code.js';
import type { Effect } from '../engine/effects.js';
import type { ActEvent, Actor } from '../engine/workflow-machine.js';
import { AuditService } from '../audit/audit.service.js';
import { countersignOutcome } from '../engine/countersign.js';
import { WITHDRAW_ACTION } from '../engine/withdraw.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { shownText, type FreeText } from '../org/resident-id-text.js';
import { RulesService } from '../rules/rules.service.js';
import { TaskException, TaskExceptionCode } from '../tasks/task.exception.js';
import { caseAccess, type CaseAccess } from './case-access.js';
import { placementLevel, startRefusal } from './case-start-rule.js';
import { caseNotFound, CaseException, CaseExceptionCode, fromEngine, readOnlyAccess, versionConflict } from './case.exception.js';
import { canonicalJson, GENESIS_HASH, hashEvent, verifyChain, type StoredChainRow } from './history-chain.js';
import { actionFields, presentResidentIds, sealFreeText, sealResidentIds, sealText } from './resident-id-sealing.js';
import { RequestHasher } from './request-hash.js';
import { gateAction, openTaskOfStep, type GatedTask, type PendingAction } from './task-gate.js';
import {
  ACT_WRITE_SQL,
  actWriteParams,
  START_WRITE_SQL,
  startWriteParams,
  type CallLink,
  type HistoryRowParams,
  type OpenTaskRow,
  type WriteResult,
} from './transition-writes.js';

export interface StartCaseCommand {
  workflow: string;
  data: Record<string, unknown>;
  jurisdiction?: string;
}

export interface CaseActionCommand {
  action: string;
  step?: string;
  data?: Record<string, unknown>;
  /** The 办理意见: a string from a request; sealed (resident IDs) before it is stored. */
  comment?: FreeText;
  expectedVersion: number;
}

export interface CaseView {
  id: string;
  workflow: { key: string; version: number; label: string; labelEn?: string };
  title: string | null;
  status: string;
  finished: boolean;
  jurisdictionCode: string;
  /** The household file the case is about, when it was started from one (its attachments live there). */
  householdId: string | null;
  data: Record<string, unknown>;
  currentSteps: { key: string; label: string; labelEn?: string; entry: number; enteredAt: string }[];
  openTasks: { id: string; step: string; role: string; level: string; jurisdictionCode: string; assigneeId: string | null; openedAt: Date; dueAt: Date | null }[];
  availableActions: ReturnType<typeof availableActions>;
  /** The case whose call step started this one and waits for its outcome; null otherwise. */
  parent: { id: string; workflow: string; step: string; stepEntry: number } | null;
  /** The cases this one's call steps started, oldest first. */
  children: CaseChild[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A case started by a call step, as its calling case lists it. */
export interface CaseChild {
  id: string;
  workflow: string;
  status: string;
  finished: boolean;
  step: string;
  stepEntry: number;
  createdAt: string | Date;
}

/** What a route does with a case, as the denied-access audit row records it. */
export type CaseOperation = 'read' | 'act' | 'history' | 'verify' | 'reveal' | 'withdraw' | 'assign' | 'comment';
const WRITE_OPERATIONS: ReadonlySet<CaseOperation> = new Set(['act', 'withdraw', 'assign', 'comment']);

export interface CaseRow {
  id: string;
  definition_id: string;
  status: string;
  snapshot: PersistedCaseSnapshot;
  data: Record<string, unknown>;
  title: string | null;
  jurisdiction_code: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  last_seq: number | null;
  last_hash: string | null;
  /** Set on a case started by a call step (src/engine/call-step.ts). */
  parent_case_id: string | null;
  /** The household file the case is about (src/households), when it was started from one. */
  household_id: string | null;
  parent_workflow: string | null;
  parent_step: string | null;
  parent_step_entry: number | null;
  children: CaseChild[];
}

/**
 * The locked read of the action path (and the plain read of `get`), with the history chain's
 * head. Not `cases.data`: it is written equal to the snapshot's `context.data`, taken from there.
 */
// The history head lives on the case row itself, so that a read locked FOR UPDATE (which
// re-checks only the locked row after waiting) still sees the head that the holder of the
// lock moved.
// The call links come along: the parent's workflow and the children are read through the
// primary key and the partial index on parent_case_id, and neither row is locked (FOR UPDATE
// locks only the rows of the outer query).
const CASE_READ_SQL = `SELECT c.id, c.definition_id, c.status, c.snapshot, c.title, c.jurisdiction_code, c.version,
        c.created_at, c.updated_at, nullif(c.history_seq, 0) AS last_seq, c.history_hash AS last_hash,
        c.parent_case_id, c.parent_step, c.parent_step_entry, c.household_id,
        (SELECT p.workflow_key FROM cases p WHERE p.id = c.parent_case_id) AS parent_workflow,
        (SELECT coalesce(json_agg(json_build_object('id', k.id, 'workflow', k.workflow_key, 'status', k.status,
                                                    'finished', k.snapshot->>'status' = 'done', 'step', k.parent_step,
                                                    'stepEntry', k.parent_step_entry, 'createdAt', k.created_at)
                                  ORDER BY k.created_at, k.id), '[]'::json)
           FROM cases k WHERE k.parent_case_id = c.id) AS children
   FROM cases c
  WHERE c.id = $1`;

/**
 * How deep a start may nest call steps that are entered at once (a workflow whose first
 * step calls another whose first step calls another …): a cycle the validator could not see
 * (a newer version of a called workflow) fails here instead of looping.
 */
const MAX_START_NESTING = 8;

/** A case start computed before anything is written: the engine's result and the child cases its first steps start. */
interface PreparedStart {
  published: PublishedDefinition;
  data: Record<string, unknown>;
  jurisdiction: string;
  actor: Actor;
  now: Date;
  result: TransitionResult;
  children: PreparedChild[];
}

/** A child case a transition's call step starts: the effect and the child's own prepared start. */
interface PreparedChild {
  effect: Extract<Effect, { type: 'startChildCase' }>;
  start: PreparedStart;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Cases and their actions. Each action is one transaction: the locked read, then ONE write
 * statement (src/cases/transition-writes.ts) with the conditional version update, the
 * chained history row, and the task, deadline and outbox rows the engine's effects ask
 * for — all of it or none of it. The engine itself is pure; this is the shell.
 */
@Injectable()
export class CasesService {
  /** Keys the request hash kept with an Idempotency-Key (src/cases/request-hash.ts). */
  private readonly requestHasher: RequestHasher;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly residentIds: ResidentIdCipher,
    private readonly rules: RulesService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.requestHasher = new RequestHasher(config.idempotencySecret);
  }

  /** `manager`: a caller's transaction (a household file starting its case and linking it). */
  async start(user: AuthUser, command: StartCaseCommand, manager: EntityManager = this.dataSource.manager): Promise<CaseView> {
    const published = await this.definitions.latest(command.workflow);
    const { definition } = published.compiled;
    const jurisdiction = command.jurisdiction ?? user.jurisdictionCode;
    const refusal = startRefusal(published.compiled, user, jurisdiction);
    if (refusal) {
      const status = refusal.code === CaseExceptionCode.START_NOT_ALLOWED ? HttpStatus.FORBIDDEN : HttpStatus.UNPROCESSABLE_ENTITY;
      throw new CaseException(refusal.message, refusal.code, status, { placementLevel: placementLevel(published.compiled) });
    }
    // The rule above reads the code's shape; a code of the right shape may still name no
    // division, or a retired one, and its tasks would then be offered to nobody.
    if (command.jurisdiction !== undefined && command.jurisdiction !== user.jurisdictionCode) {
      const [current] = await manager.query(`SELECT 1 FROM jurisdictions WHERE code = $1 AND retired_at IS NULL`, [jurisdiction]);
      if (!current) {
        throw new CaseException(
          `Jurisdiction ${jurisdiction} is not a current division (unknown, or retired)`,
          CaseExceptionCode.INVALID_JURISDICTION,
          HttpStatus.UNPROCESSABLE_ENTITY,
          { placementLevel: placementLevel(published.compiled) },
        );
      }
    }
    command = { ...command, data: sealResidentIds(definition.start.fields, command.data, this.residentIds) }; // plain IDs never go further
    const issues = validateFormInput(definition.start.fields, command.data);
    if (issues.length > 0) {
      throw fromEngine(
        new EngineException(EngineExceptionCode.INVALID_INPUT, `The case data is not valid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, { issues }),
      );
    }

    // One statement writes the case and everything its first step asks for, so it needs no
    // explicit transaction: a statement is atomic on its own — unless the first step is a
    // call step, whose child case is more statements.
    const now = this.clock.now();
    let prepared: PreparedStart;
    try {
      prepared = await this.prepareStart(manager, published, command.data, jurisdiction, toActor(user), now, 0);
    } catch (error) {
      if (error instanceof EngineException) throw fromEngine(error);
      throw error;
    }
    // A caller's manager is already its transaction; otherwise a child case needs one.
    const { row, openTasks } =
      prepared.children.length === 0 || manager !== this.dataSource.manager
        ? await this.writeStart(manager, prepared)
        : await this.dataSource.transaction((inTransaction) => this.writeStart(inTransaction, prepared));
    return this.view(manager, published, row, user, openTasks);
  }

  /**
   * Opens a case on behalf of the system (an escalation opening an accountability
   * interview), inside the caller's transaction. The start form is still checked: a
   * definition that the system feeds wrongly fails loudly instead of storing bad data.
   */
  async startAsSystem(manager: EntityManager, workflow: string, data: Record<string, unknown>, jurisdiction: string, now: Date): Promise<string> {
    const published = await this.definitions.latest(workflow, manager);
    // System starts copy text people typed elsewhere (a disaster's description, a household file): sealed too.
    data = sealResidentIds(published.compiled.definition.start.fields, data, this.residentIds);
    const issues = validateFormInput(published.compiled.definition.start.fields, data);
    if (issues.length > 0) {
      throw new EngineException(EngineExceptionCode.INVALID_INPUT, `System start of ${workflow}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, { issues });
    }
    const prepared = await this.prepareStart(manager, published, data, jurisdiction, SYSTEM_ACTOR, now, 0);
    return (await this.writeStart(manager, prepared)).row.id;
  }

  /**
   * Computes a case start without writing anything: the engine's first step and, for each
   * call step it enters at once, the child case's own start (recursively). Every refusal —
   * a child's start form the call's input does not fill — is thrown here, before any write.
   */
  private async prepareStart(
    manager: EntityManager,
    published: PublishedDefinition,
    data: Record<string, unknown>,
    jurisdiction: string,
    actor: Actor,
    now: Date,
    depth: number,
  ): Promise<PreparedStart> {
    const result = startCase(published.compiled, { data, jurisdiction, now });
    const children = await this.prepareChildren(manager, result.effects, jurisdiction, now, depth + 1);
    return { published, data, jurisdiction, actor, now, result, children };
  }

  /**
   * The child cases a transition's call steps start (`startChildCase` effects), prepared:
   * the called workflow's newest version, its start form filled by the call's input — a
   * form that input does not fit refuses the transition (CALL_INPUT_INVALID), so nothing is
   * written — and the child's own first step. The child works in the caller's jurisdiction.
   */
  private async prepareChildren(manager: EntityManager, effects: Effect[], jurisdiction: string, now: Date, depth: number): Promise<PreparedChild[]> {
    const children: PreparedChild[] = [];
    for (const effect of effects) {
      if (effect.type !== 'startChildCase') continue;
      const refuse = (message: string, details: Record<string, unknown> = {}) =>
        new EngineException(EngineExceptionCode.CALL_INPUT_INVALID, `Step '${effect.step}' cannot start '${effect.workflow}': ${message}`, { step: effect.step, workflow: effect.workflow, ...details });
      if (depth > MAX_START_NESTING) throw refuse(`call steps entered at once nest more than ${MAX_START_NESTING} cases deep (a cycle of calls?)`);
      const published = await this.definitions.latest(effect.workflow, manager);
      // The calling case's values arrive sealed already; text of a case older than sealing gets sealed here.
      const input = sealResidentIds(published.compiled.definition.start.fields, effect.input, this.residentIds);
      const issues = validateFormInput(published.compiled.definition.start.fields, input);
      if (issues.length > 0) throw refuse(`its start form is not filled: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, { issues });
      children.push({ effect, start: await this.prepareStart(manager, published, input, jurisdiction, SYSTEM_ACTOR, now, depth) });
    }
    return children;
  }

  /**
   * Writes a prepared start in one statement (START_WRITE_SQL): the case row, its first
   * history row, tasks, timers, outbox — then the child cases of its first steps, each
   * linked to it and recorded in its history (`call` / `started`).
   */
  private async writeStart(manager: EntityManager, prepared: PreparedStart, calledBy?: CallLink): Promise<{ row: CaseRow; openTasks: OpenTaskRow[] }> {
    const { published, data, jurisdiction, actor, now, result } = prepared;
    const { definition } = published.compiled;
    const id = randomUUID();
    // The title is a column every list and notice reads: the shown text, never a sealed value.
    const title = definition.titleField ? String(shownText(data[definition.titleField]) ?? '') || null : null;
    const row: CaseRow = {
      id,
      definition_id: published.id,
      status: result.status,
      snapshot: result.snapshot,
      data: result.snapshot.context.data,
      title,
      jurisdiction_code: jurisdiction,
      version: 0,
      created_at: now,
      updated_at: now,
      last_seq: null,
      last_hash: null,
      parent_case_id: calledBy?.caseId ?? null,
      // A household file links its case after the start, in the same transaction (src/households/household-cases.service.ts).
      household_id: null,
      parent_workflow: null,
      parent_step: calledBy?.step ?? null,
      parent_step_entry: calledBy?.entry ?? null,
      children: [],
    };
    // A child's start event names its calling step visit, so the link is in the hash chain too.
    const started = { data, jurisdiction, now: now.toISOString(), ...(calledBy ? { calledBy } : {}) };
    const history = this.historyRow(row, 'started', null, actor, started, now);
    const deadlines = await this.deadlines.plan(manager, id, result.effects, now);
    const written = await this.write(
      manager,
      'case-start',
      START_WRITE_SQL,
      startWriteParams({
        caseId: id,
        jurisdiction,
        workflowKey: published.key,
        workflowVersion: published.version,
        definitionId: published.id,
        title,
        snapshot: result.snapshot,
        data: result.snapshot.context.data,
        status: result.status,
        effects: result.effects,
        deadlines,
        actorId: actor.id,
        history,
        now,
        calledBy,
      }),
    );
    if (written.affected !== 1) throw new Error(`Case ${id} was not inserted`);
    Object.assign(row, { last_seq: history.seq, last_hash: history.hash });
    for (const effect of deadlines.resumes) await this.deadlines.resume(manager, id, effect, now);
    await this.startChildren(manager, row, prepared.children, now);
    return { row, openTasks: await this.afterResumes(manager, id, deadlines.resumes.length, written.open_tasks) };
  }

  /**
   * Writes the prepared child cases of `row`'s call steps, in the caller's transaction, and
   * records each on `row` (locked by the caller, or new): a `call` / `started` history event
   * with the child's id, and the child among `row.children` for the view.
   */
  private async startChildren(manager: EntityManager, row: CaseRow, children: PreparedChild[], now: Date): Promise<void> {
    for (const { effect, start } of children) {
      const link = { caseId: row.id, step: effect.step, entry: effect.stepEntry };
      const child = (await this.writeStart(manager, start, link)).row;
      await this.appendEvent(manager, row, 'call', 'started', SYSTEM_ACTOR, { step: effect.step, entry: effect.stepEntry, workflow: effect.workflow, childCaseId: child.id }, now);
      row.children.push({ id: child.id, workflow: effect.workflow, status: child.status, finished: child.snapshot.status === 'done', step: effect.step, stepEntry: effect.stepEntry, createdAt: now });
    }
  }

  /**
   * A child case finished: its outcome goes to the call step of the calling case that waits
   * for it, in the same transaction as the child's final action. Lock order: the child's row
   * (held by the caller) first, then the parent's. Safe because nothing ever locks a case and
   * then one of its children — a parent's own transitions only insert children (rows nobody
   * else can see yet) and never touch running ones — so the locks are always taken from a
   * child up its chain of callers, and two children of one parent simply queue on it.
   *
   * When the parent no longer waits at that step visit (it moved on, or finished), the
   * outcome is recorded on the parent (`call` / `outcome-skipped`) and changes nothing; when
   * the parent's definition refuses it (no outcome holds, the next call step's input does not
   * fit), that is recorded (`call` / `outcome-refused`) and the parent stays at the step —
   * the child's action is never refused for its parent's sake. The engine refuses before
   * anything is written (prepareChildren runs before the write), so nothing half-done stays.
   */
  private async deliverOutcome(manager: EntityManager, child: CaseRow, status: string, now: Date): Promise<void> {
    const parent = await this.loadRow(manager, child.parent_case_id!, true);
    const published = await this.definitions.byId(parent.definition_id);
    const link = { step: child.parent_step!, stepEntry: child.parent_step_entry! };
    try {
      const result = childDone(published.compiled, parent.snapshot, { ...link, childCaseId: child.id, status, data: child.data, actor: SYSTEM_ACTOR, now });
      await this.commitTransition(manager, parent, SYSTEM_ACTOR, CHILD_DONE_ACTION, result, parent.version, now);
    } catch (error) {
      if (!(error instanceof EngineException)) throw error;
      const skipped = error.code === EngineExceptionCode.CALL_NOT_WAITING;
      await this.appendEvent(manager, parent, 'call', skipped ? 'outcome-skipped' : 'outcome-refused', SYSTEM_ACTOR, { ...link, childCaseId: child.id, status, reason: error.message }, now);
    }
  }

  async get(user: AuthUser, id: string): Promise<CaseView> {
    const row = await this.readable(this.dataSource.manager, user, id, 'read');
    return this.view(this.dataSource.manager, await this.definitions.byId(row.definition_id), row, user);
  }

  /**
   * Takes an action. With an Idempotency-Key the first result is stored with the action
   * in the same transaction; a repeat (even a concurrent one, which waits on the key's
   * row) returns that result and changes nothing.
   */
  async act(user: AuthUser, id: string, command: CaseActionCommand, idempotencyKey?: string): Promise<CaseView> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new CaseException('Idempotency-Key must be 1 to 200 visible ASCII characters', CaseExceptionCode.INVALID_IDEMPOTENCY_KEY, HttpStatus.BAD_REQUEST);
    }
    const requestHash = this.requestHasher.hash({ id, ...command });
    return this.dataSource.transaction(async (manager) => {
      if (idempotencyKey !== undefined) {
        const earlier = await this.claimIdempotencyKey(manager, user, id, idempotencyKey, requestHash);
        if (earlier) return earlier;
      }
      // The row lock serialises actions, deadline firings and history appends on one case.
      const row = await this.readable(manager, user, id, 'act', true);
      if (row.version !== command.expectedVersion) throw versionConflict(command.expectedVersion, row.version);
      const published = await this.definitions.byId(row.definition_id);
      let openTasks: OpenTaskRow[] | undefined;
      try {
        openTasks = await this.actOnTask(manager, row, published, user, command);
      } catch (error) {
        if (error instanceof EngineException) throw fromEngine(error);
        throw error;
      }

      // The write statement returned the open tasks (when the case moved): no query of its own.
      const view = await this.view(manager, published, row, user, openTasks);
      if (idempotencyKey !== undefined) {
        await manager.query(`UPDATE idempotency_keys SET status_code = 200, response = $3 WHERE user_id = $1 AND key = $2`, [
          user.id,
          idempotencyKey,
          JSON.stringify(view),
        ]);
      }
      return view;
    });
  }

  /**
   * Withdraws (撤回) the caller's last action: the case goes back to the step they took it in.
   * Allowed when that action is `withdrawable` in the definition, it is the case's latest
   * action, and the step it led to has not been taken up yet — its task unclaimed, without
   * signers or votes. The withdrawal is an action event of its own in the history.
   */
  async withdraw(user: AuthUser, id: string, command: { expectedVersion: number; reason?: string }): Promise<CaseView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.readable(manager, user, id, 'withdraw', true);
      if (row.version !== command.expectedVersion) throw versionConflict(command.expectedVersion, row.version);
      const published = await this.definitions.byId(row.definition_id);
      const refuse = (message: string) => new TaskException(message, TaskExceptionCode.WITHDRAW_NOT_ALLOWED, { caseId: id });
      const [last] = await manager.query(
        `SELECT actor_id, payload FROM case_history WHERE case_id = $1 AND event_type = 'action' ORDER BY seq DESC LIMIT 1`,
        [id],
      );
      const event = last?.payload as ActEvent | undefined;
      const target = event && withdrawTargets(published.compiled, row.snapshot).find((t) => t.to === event.step && t.action === event.action);
      if (!event || !target) throw refuse('The last action on this case cannot be withdrawn');
      if (last.actor_id !== user.id) throw refuse('Only the person who took the last action can withdraw it');
      const next = await openTaskOfStep(manager, id, target.from);
      if (next && (next.assignee_id !== null || next.signers.length > 0 || next.pending_action !== null)) {
        throw refuse('The next step has already taken the case up; ask them to return it instead');
      }
      const now = this.clock.now();
      const actor = toActor(user);
      let written: OpenTaskRow[];
      try {
        const comment = command.reason === undefined ? undefined : this.sealText(command.reason);
        const result = withdraw(published.compiled, row.snapshot, { from: target.from, to: target.to, actor, now, comment });
        written = (await this.commitTransition(manager, row, actor, WITHDRAW_ACTION, result, command.expectedVersion, now)).openTasks;
      } catch (error) {
        if (error instanceof EngineException) throw fromEngine(error);
        throw error;
      }
      return this.view(manager, published, row, user, written);
    });
  }

  /**
   * A person's action, through the task it acts on (src/cases/task-gate.ts): taken at once,
   * held until the signers added after the assignee have signed, or counted as a vote.
   * Returns the open tasks when the case moved, undefined when it did not.
   */
  private async actOnTask(
    manager: EntityManager,
    row: CaseRow,
    published: PublishedDefinition,
    user: AuthUser,
    command: CaseActionCommand,
  ): Promise<OpenTaskRow[] | undefined> {
    const now = this.clock.now();
    const actor = toActor(user);
    // Sealed here already: a held action and a vote store their input before perform() runs.
    command = { ...command, ...this.sealCommand(published, row, command) };
    const stepKey = offeringStep(published.compiled, row.snapshot, command);
    if (stepKey === undefined) return (await this.perform(manager, row, published, actor, command, now)).openTasks; // the engine says why not
    const step = published.compiled.steps.get(stepKey)!.definition;
    if (!step.countersign) {
      // The common case in one statement: the write's gate also checks that the task is free
      // for this actor (TASK_GATE). Only when it is not is the task read, to say why.
      try {
        return (await this.perform(manager, row, published, actor, command, now, stepKey)).openTasks;
      } catch (error) {
        if (!(error instanceof TaskGateClosed)) throw error;
      }
    }
    const task = await openTaskOfStep(manager, row.id, stepKey);
    const gate = gateAction(task, step, user);
    if (gate.kind === 'proceed') {
      const onBehalfOf = 'onBehalfOf' in gate ? gate.onBehalfOf : undefined;
      return (await this.perform(manager, row, published, onBehalfOf ? { ...actor, onBehalfOf } : actor, command, now)).openTasks;
    }
    if (gate.kind === 'defer') {
      // Checked as if taken now (role, form, guard) so that nothing unacceptable is held.
      applyAction(published.compiled, row.snapshot, { action: command.action, step: stepKey, input: command.data ?? {}, actor, now, comment: command.comment, params: await this.rules.guardParams(manager, published.compiled, row, command) });
      const pending: PendingAction = { action: command.action, step: stepKey, data: command.data ?? {}, actorId: user.id, ...(command.comment !== undefined ? { comment: command.comment } : {}) };
      await manager.query(`UPDATE tasks SET pending_action = $2, assignee_id = coalesce(assignee_id, $3) WHERE id = $1`, [task!.id, JSON.stringify(pending), user.id]);
      await this.appendEvent(manager, row, 'task.action-held', null, actor, { taskId: task!.id, ...pending }, now);
      return undefined;
    }
    return this.vote(manager, row, published, user, task!, command, now);
  }

  /**
   * A vote on a countersign step (会签 / 或签 / 票签). The voters are every active user
   * eligible for the task when the first vote comes in; each votes once, checked by the
   * engine as if their action decided now. The step's `approve` action is a yes; any other
   * of its actions (`return`, `reject` …) is a no. When the votes decide, the deciding vote
   * is always one of the winning side, so its action is taken, with its input.
   */
  private async vote(
    manager: EntityManager,
    row: CaseRow,
    published: PublishedDefinition,
    user: AuthUser,
    task: GatedTask,
    command: CaseActionCommand,
    now: Date,
  ): Promise<OpenTaskRow[] | undefined> {
    const countersign = published.compiled.steps.get(task.step)!.definition.countersign!;
    const actor = toActor(user);
    const request = { action: command.action, step: task.step, input: command.data ?? {}, actor, now, comment: command.comment, params: await this.rules.guardParams(manager, published.compiled, row, command) };
    applyAction(published.compiled, row.snapshot, request);
    // task_signers.comment is read as it is: the shown text (the sealed one is in the history).
    const vote = [task.id, user.id, command.action, command.comment === undefined ? null : shownText(command.comment), now];
    let ballots: { user_id: string; status: string; decision: string | null }[] = task.signers.filter((s) => s.kind === 'countersign');
    if (ballots.length === 0) {
      // The first vote: every eligible user becomes a voter, this one having voted.
      ballots = await manager.query(
        `WITH voters AS (
           INSERT INTO task_signers (task_id, user_id, kind, status, added_at, decision, comment, signed_at)
           SELECT $1, u.id, 'countersign', CASE WHEN u.id = $2 THEN 'signed' ELSE 'pending' END, $5,
                  CASE WHEN u.id = $2 THEN $3 END, CASE WHEN u.id = $2 THEN $4 END, CASE WHEN u.id = $2 THEN $5::timestamptz END
             FROM users u WHERE u.active AND $6 = ANY (u.roles) AND u.jurisdiction_code = $7
           RETURNING user_id, status, decision)
         SELECT * FROM voters`,
        [...vote, task.role, task.jurisdiction_code],
      );
      // The engine let the actor vote by the roles of the token; the users table is the truth.
      if (!ballots.some((b) => b.user_id === user.id)) {
        throw new TaskException('You are not one of the voters of this task', TaskExceptionCode.NOT_ELIGIBLE, { taskId: task.id });
      }
    } else {
      const mine = ballots.find((b) => b.user_id === user.id);
      if (mine?.status === 'signed') throw new TaskException('You have already voted on this task', TaskExceptionCode.ALREADY_VOTED, { taskId: task.id });
      // A user who became eligible after the voting began votes too.
      await manager.query(
        `INSERT INTO task_signers (task_id, user_id, kind, status, added_at, decision, comment, signed_at)
         VALUES ($1, $2, 'countersign', 'signed', $5, $3, $4, $5)
         ON CONFLICT (task_id, user_id) DO UPDATE SET status = 'signed', decision = $3, comment = $4, signed_at = $5`,
        vote,
      );
      ballots = [...ballots.filter((b) => b.user_id !== user.id), { user_id: user.id, status: 'signed', decision: command.action }];
    }
    const outcome = countersignOutcome(
      countersign,
      ballots.length,
      ballots.filter((b) => b.status === 'signed').map((b) => (b.decision === countersign.approve ? countersign.approve : countersign.reject)),
    );
    if (outcome.state === 'pending') {
      const { approvals, rejections, voters } = outcome;
      await this.appendEvent(manager, row, 'task.voted', null, actor, {
        taskId: task.id,
        step: task.step,
        vote: command.action,
        data: command.data ?? {},
        ...(command.comment !== undefined ? { comment: command.comment } : {}),
        mode: countersign.mode,
        tally: { approvals, rejections, voters },
      }, now);
      return undefined;
    }
    // The deciding vote is the action itself in the history (its actor, its input).
    if (ballots.some((b) => b.status === 'pending')) {
      await manager.query(`UPDATE task_signers SET status = 'cancelled' WHERE task_id = $1 AND status = 'pending'`, [task.id]);
    }
    return (await this.perform(manager, row, published, actor, command, now)).openTasks;
  }

  /**
   * Takes an action held on a task (后加签) once its signers have signed: as the person
   * who took it, at the case's current version. The case row must be locked.
   */
  async performHeld(manager: EntityManager, row: CaseRow, published: PublishedDefinition, pending: PendingAction, actor: Actor, now: Date): Promise<void> {
    await manager.query(`UPDATE tasks SET pending_action = NULL WHERE case_id = $1 AND step = $2 AND status = 'open'`, [row.id, pending.step]);
    try {
      await this.perform(manager, row, published, actor, { action: pending.action, step: pending.step, data: pending.data, comment: pending.comment }, now);
    } catch (error) {
      if (error instanceof EngineException) throw fromEngine(error);
      throw error;
    }
  }


  async history(user: AuthUser, id: string) {
    await this.readable(this.dataSource.manager, user, id, 'history');
    const rows = await this.historyRows(this.dataSource.manager, id);
    return rows.map((r) => ({ seq: r.seq, eventType: r.eventType, action: r.action, actor: r.actor, payload: presentResidentIds(r.payload), at: r.at, hash: r.hash, prevHash: r.prevHash }));
  }

  /**
   * The definition version the case is pinned to, as published: its steps, forms and labels,
   * so that a client can name the case's data, steps and actions. Whoever may read the case.
   */
  async definition(user: AuthUser, id: string) {
    const row = await this.readable(this.dataSource.manager, user, id, 'read');
    const published = await this.definitions.byId(row.definition_id);
    return { key: published.key, version: published.version, definition: published.compiled.definition };
  }

  /**
   * The process diagram of the version the case is pinned to, as BPMN 2.0 XML: what the
   * administrators' export gives for that version (their own drawing when it was published
   * from BPMN, else the definition laid out), so that whoever may read the case sees where it
   * stands without the administrators' routes. Step elements carry the step keys as ids.
   */
  async diagram(user: AuthUser, id: string): Promise<string> {
    const row = await this.readable(this.dataSource.manager, user, id, 'read');
    const published = await this.definitions.byId(row.definition_id);
    return exportSource(await this.definitions.stored(published.key, published.version), 'bpmn');
  }

  /** Checks the hash chain and that replaying the history reproduces the stored snapshot. */
  async verify(user: AuthUser, id: string) {
    const row = await this.readable(this.dataSource.manager, user, id, 'verify');
    const rows = await this.historyRows(this.dataSource.manager, id);
    const chain = verifyChain(rows, { seq: row.last_seq ?? 0, hash: row.last_hash });
    const published = await this.definitions.byId(row.definition_id);
    let replayMatches = false;
    let replayError: string | undefined;
    try {
      // A migrated case replays on each version it ran on (history-replay.ts).
      const replayed = replayHistory(published.compiled, rows, await this.definitions.lookupFor(rows));
      replayMatches = canonicalJson(replayed) === canonicalJson(row.snapshot);
    } catch (error) {
      replayError = error instanceof Error ? error.message : String(error);
    }
    return { caseId: id, ...chain, replayMatches, ...(replayError ? { replayError } : {}) };
  }

  private async claimIdempotencyKey(
    manager: EntityManager,
    user: AuthUser,
    caseId: string,
    key: string,
    requestHash: string,
  ): Promise<CaseView | undefined> {
    const claimed = await manager.query(
      `INSERT INTO idempotency_keys (user_id, key, case_id, request_hash, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [user.id, key, caseId, requestHash, this.clock.now()],
    );
    if (claimed.length > 0) return undefined;
    const [earlier] = await manager.query(`SELECT case_id, request_hash, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [user.id, key]);
    if (earlier.request_hash !== requestHash) {
      throw new CaseException(
        'This Idempotency-Key was already used for a different request',
        CaseExceptionCode.IDEMPOTENCY_KEY_REUSED,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    return earlier.response as CaseView;
  }

  /**
   * The case, if the caller may do `operation` on it (src/cases/case-access.ts). A case
   * outside the caller's reach answers exactly like a missing one (404), and the attempt is
   * audited — on a connection of its own, since the 404 rolls the caller's transaction back.
   * A case the caller may only read answers 403 to an action: they know it exists.
   */
  async readable(manager: EntityManager, user: AuthUser, id: string, operation: CaseOperation, lock = false): Promise<CaseRow> {
    const row = await this.loadRow(manager, id, lock);
    if (!row) throw caseNotFound(id);
    const access = await this.accessTo(manager, user, row);
    if (access === 'none') {
      await this.audit.record({
        kind: 'access.denied',
        actor: user,
        targetType: 'case',
        targetId: id,
        jurisdictionCode: row.jurisdiction_code,
        details: { operation },
      });
      throw caseNotFound(id);
    }
    if (access === 'read' && WRITE_OPERATIONS.has(operation)) throw readOnlyAccess(id);
    return row;
  }

  /** What the caller may do with the case; the county pairings are read only when they could matter. */
  async accessTo(manager: EntityManager, user: AuthUser, row: Pick<CaseRow, 'definition_id' | 'jurisdiction_code'>): Promise<CaseAccess> {
    const { definition } = (await this.definitions.byId(row.definition_id)).compiled;
    const pairedCountyRead = definition.access?.pairedCountyRead === true;
    const helpedCounties =
      pairedCountyRead && !isWithin(row.jurisdiction_code, user.jurisdictionCode)
        ? await this.countiesHelpedBy(manager, user.jurisdictionCode)
        : [];
    return caseAccess(user, { caseJurisdiction: row.jurisdiction_code, pairedCountyRead, helpedCounties });
  }

  /** The counties that the county containing `code` helps (对口帮扶); none for a city-level node. */
  async countiesHelpedBy(manager: EntityManager, code: string): Promise<string[]> {
    if (levelOf(code) === 'city') return [];
    const county = jurisdictionAt(code, 'county');
    const rows: { helped_code: string }[] = await manager.query(`SELECT helped_code FROM county_pairings WHERE helper_code = $1`, [county]);
    return rows.map((r) => r.helped_code);
  }

  private async loadRow(manager: EntityManager, id: string, lock = false): Promise<CaseRow> {
    const { rows } = lock
      ? await preparedQuery<CaseRow>(manager, 'case-read-locked', `${CASE_READ_SQL} FOR UPDATE`, [id])
      : await preparedQuery<CaseRow>(manager, 'case-read', CASE_READ_SQL, [id]);
    const row = rows[0];
    if (row) {
      row.data = row.snapshot.context.data;
      // As written by startChildren (jsonb gives timestamps in its own format).
      for (const child of row.children) child.createdAt = new Date(child.createdAt);
    }
    return row;
  }

  /**
   * One transition inside the caller's transaction, for a person or the system: the pure
   * engine step, the conditional version update, the history row, the effects. Throws
   * EngineException when the engine refuses. `row` must be locked (FOR UPDATE) and is
   * updated in place, so several events can be appended in one transaction.
   */
  async perform(
    manager: EntityManager,
    row: CaseRow,
    published: PublishedDefinition,
    actor: Actor,
    command: Omit<CaseActionCommand, 'expectedVersion'> & { expectedVersion?: number },
    now: Date,
    taskGateStep?: string,
  ): Promise<TransitionResult & { openTasks: OpenTaskRow[] }> {
    const expected = command.expectedVersion ?? row.version;
    const sealed = this.sealCommand(published, row, command); // plain IDs sealed (a no-op for what act() sealed)
    const result = applyAction(published.compiled, row.snapshot, {
      action: command.action,
      step: command.step,
      input: sealed.data,
      actor,
      now,
      comment: sealed.comment,
      // The year's rules override the definition's params of the same name (src/rules).
      params: await this.rules.guardParams(manager, published.compiled, row, command),
    });
    return this.commitTransition(manager, row, actor, command.action, result, expected, now, taskGateStep);
  }

  /**
   * An action's input and comment with the resident IDs in them sealed: the fields of the
   * action the command names (residentId fields, IDs in string and text fields) and the
   * comment. Values sealed by this server stay as they are.
   */
  private sealCommand(
    published: PublishedDefinition,
    row: CaseRow,
    command: Pick<CaseActionCommand, 'action' | 'step' | 'data' | 'comment'>,
  ): { data: Record<string, unknown>; comment?: FreeText } {
    const data = sealResidentIds(actionFields(published.compiled, row.snapshot, command), command.data ?? {}, this.residentIds);
    if (command.comment === undefined) return { data };
    return { data, comment: sealFreeText(command.comment, this.residentIds) as FreeText };
  }

  /** Free text (a comment, a reason) with every valid resident ID in it sealed; the string itself when it holds none. */
  sealText(text: string): FreeText {
    return sealText(text, this.residentIds);
  }

  /**
   * Writes a transition the engine computed (an action, a withdrawal): the history row and
   * every effect in ONE statement gated on the version, then moves `row` on.
   */
  async commitTransition(
    manager: EntityManager,
    row: CaseRow,
    actor: Actor,
    action: string,
    result: TransitionResult & { event: ActEvent },
    expected: number,
    now: Date,
    taskGateStep?: string,
  ): Promise<TransitionResult & { openTasks: OpenTaskRow[] }> {
    // Child cases are prepared (and any refusal thrown) before anything is written.
    const children = await this.prepareChildren(manager, result.effects, row.jurisdiction_code, now, 1);
    const history = this.historyRow(row, 'action', action, actor, result.event, now);
    const deadlines = await this.deadlines.plan(manager, row.id, result.effects, now);
    // All the writes in one statement, gated on the version (ACT_WRITE_SQL).
    const written = await this.write(
      manager,
      'case-act',
      ACT_WRITE_SQL,
      actWriteParams({
        caseId: row.id,
        jurisdiction: row.jurisdiction_code,
        expectedVersion: expected,
        snapshot: result.snapshot,
        data: result.snapshot.context.data,
        status: result.status,
        effects: result.effects,
        deadlines,
        actorId: actor.id,
        history,
        now,
        taskGateStep,
      }),
    );
    // Checked even under the row lock: the version is the contract, not the lock. Nothing
    // was written when it does not match; the caller's transaction rolls back anyway.
    if (written.affected !== 1) {
      if (taskGateStep !== undefined && row.version === expected) throw new TaskGateClosed();
      throw versionConflict(expected, expected + 1);
    }
    Object.assign(row, {
      snapshot: result.snapshot,
      data: result.snapshot.context.data,
      status: result.status,
      version: expected + 1,
      updated_at: now,
      last_seq: history.seq,
      last_hash: history.hash,
    });
    // Resuming a paused clock (rare: after a return for correction) reads and writes on its own.
    for (const effect of deadlines.resumes) await this.deadlines.resume(manager, row.id, effect, now);
    await this.startChildren(manager, row, children, now);
    const finished = result.effects.find((effect) => effect.type === 'caseFinished');
    if (finished && row.parent_case_id !== null) await this.deliverOutcome(manager, row, finished.status, now);
    return { ...result, openTasks: await this.afterResumes(manager, row.id, deadlines.resumes.length, written.open_tasks) };
  }

  /**
   * The open tasks the write statement returned, unless a paused clock was resumed after it:
   * the resumed task's due time is set by DeadlinesService.resume, so those are read again.
   */
  private async afterResumes(manager: EntityManager, caseId: string, resumed: number, written: OpenTaskRow[]): Promise<OpenTaskRow[]> {
    return resumed > 0 ? this.openTaskRows(manager, caseId) : written;
  }

  private openTaskRows(manager: EntityManager, caseId: string): Promise<OpenTaskRow[]> {
    return manager.query(
      `SELECT id, step, role, level, jurisdiction_code, assignee_id, opened_at, due_at FROM tasks
        WHERE case_id = $1 AND status = 'open' ORDER BY opened_at, step`,
      [caseId],
    );
  }

  /** Runs one of the transition write statements (prepared) and returns its single row. */
  private async write(manager: EntityManager, name: string, sql: string, params: unknown[]): Promise<WriteResult> {
    const { rows } = await preparedQuery<WriteResult & { open_tasks: OpenTaskRow[] }>(manager, name, sql, params);
    return rows[0];
  }

  /**
   * The next row of a case's hash chain. `row` must be locked (or new): it carries the
   * chain's head. Hashes exactly what the database will give back: jsonb drops undefined fields.
   */
  private historyRow(
    row: Pick<CaseRow, 'id' | 'last_seq' | 'last_hash'>,
    eventType: string,
    action: string | null,
    actor: Actor,
    payload: unknown,
    at: Date,
  ): HistoryRowParams {
    const seq = (row.last_seq ?? 0) + 1;
    const prevHash = row.last_hash ?? GENESIS_HASH;
    const actorRecord = {
      kind: actor.kind,
      id: actor.id,
      username: actor.username ?? null,
      roles: actor.roles,
      ...(actor.onBehalfOf ? { onBehalfOf: actor.onBehalfOf } : {}),
    };
    const stored = JSON.parse(JSON.stringify(payload));
    const hash = hashEvent({ caseId: row.id, seq, eventType, action, actorId: actor.id, actor: actorRecord, payload: stored, at }, prevHash);
    return { seq, eventType, action, actor: actorRecord, payload: stored, prevHash, hash };
  }

  /** Appends a chained history row; `row` (locked by the caller) carries the chain's head. */
  async appendEvent(
    manager: EntityManager,
    row: Pick<CaseRow, 'id' | 'last_seq' | 'last_hash'>,
    eventType: string,
    action: string | null,
    actor: Actor,
    payload: unknown,
    at: Date,
  ): Promise<void> {
    const h = this.historyRow(row, eventType, action, actor, payload, at);
    // The history row and the chain head on the case, in one statement.
    await manager.query(
      `WITH appended AS (
         INSERT INTO case_history (case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING case_id, seq, hash)
       UPDATE cases c SET history_seq = a.seq, history_hash = a.hash FROM appended a WHERE c.id = a.case_id`,
      [row.id, h.seq, eventType, action, actor.id, h.actor, h.payload, at, h.prevHash, h.hash],
    );
    row.last_seq = h.seq;
    row.last_hash = h.hash;
  }

  /** The case row locked for an update by the system (deadline firings); undefined when it vanished. */
  async lockForSystem(manager: EntityManager, id: string): Promise<CaseRow | undefined> {
    return this.loadRow(manager, id, true);
  }

  private async historyRows(manager: EntityManager, caseId: string): Promise<StoredChainRow[]> {
    const rows = await manager.query(
      `SELECT case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash
         FROM case_history WHERE case_id = $1 ORDER BY seq`,
      [caseId],
    );
    return rows.map((r: Record<string, unknown>) => ({
      caseId: r.case_id as string,
      seq: r.seq as number,
      eventType: r.event_type as string,
      action: r.action as string | null,
      actorId: r.actor_id as string | null,
      actor: r.actor,
      payload: r.payload,
      at: r.at as Date,
      prevHash: r.prev_hash as string,
      hash: r.hash as string,
    }));
  }

  /** The case as its API shows it; `openTasks` when the caller already has them (after a write). */
  private async view(manager: EntityManager, published: PublishedDefinition, row: CaseRow, user: AuthUser, openTasks?: OpenTaskRow[]): Promise<CaseView> {
    const { compiled } = published;
    const tasks = openTasks ?? (await this.openTaskRows(manager, row.id));
    const context = row.snapshot.context;
    const steps = activeSteps(compiled, row.snapshot);
    return {
      id: row.id,
      workflow: { key: published.key, version: published.version, label: compiled.definition.label, ...(compiled.definition.labelEn ? { labelEn: compiled.definition.labelEn } : {}) },
      title: row.title,
      status: row.status,
      finished: row.snapshot.status === 'done',
      jurisdictionCode: row.jurisdiction_code,
      householdId: row.household_id,
      data: presentResidentIds(row.data),
      currentSteps: steps.map((key) => {
        const step = compiled.steps.get(key)!.definition;
        return { key, label: step.label, ...(step.labelEn ? { labelEn: step.labelEn } : {}), entry: context.entries[key] ?? 0, enteredAt: context.enteredAt[key] };
      }),
      openTasks: tasks.map((t) => ({
        id: t.id,
        step: t.step,
        role: t.role,
        level: t.level,
        jurisdictionCode: t.jurisdiction_code,
        assigneeId: t.assignee_id,
        openedAt: new Date(t.opened_at),
        dueAt: t.due_at === null ? null : new Date(t.due_at),
      })),
      availableActions: availableActions(compiled, row.snapshot, toActor(user)),
      parent:
        row.parent_case_id === null
          ? null
          : { id: row.parent_case_id, workflow: row.parent_workflow ?? '', step: row.parent_step!, stepEntry: row.parent_step_entry! },
      children: row.children,
      version: row.version,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}

/** Deadlines and jobs act as the system, never on behalf of a user. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, username: 'system', roles: [] };

export function toActor(user: AuthUser): Actor {
  return { kind: 'user', id: user.id, username: user.username, roles: user.roles, jurisdictionCode: user.jurisdictionCode };
}

/** The write's task gate closed (src/cases/transition-writes.ts TASK_GATE): nothing was written; read the task to say why. */
class TaskGateClosed extends Error {}
