import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { caseAccess } from '../cases/case-access.js';
import { CasesService, toActor, type CaseRow } from '../cases/cases.service.js';
import { taskById, type GatedTask } from '../cases/task-gate.js';
import { Clock } from '../common/clock.js';
import { DefinitionsService, type PublishedDefinition } from '../definitions/definitions.service.js';
import { isWithin, jurisdictionAt } from '../engine/jurisdiction-code.js';
import { LEVELS, type Role, type StepAssignmentOptions, type StepDefinition } from '../engine/workflow-definition.js';
import type { Actor } from '../engine/workflow-machine.js';
import { shownText } from '../org/resident-id-text.js';
import { TaskException, TaskExceptionCode } from './task.exception.js';

/** A task as its assignment routes answer. */
export interface TaskAssignmentView {
  id: string;
  caseId: string;
  step: string;
  status: string;
  role: string;
  level: string;
  jurisdictionCode: string;
  assigneeId: string | null;
  ownerId: string | null;
  pendingAction: { action: string; actorId: string } | null;
  signers: { userId: string; kind: string; status: string; decision: string | null }[];
}

/** A colleague a task may go to (转办, 委托) or who may sign it (加签). */
export interface TaskCandidate {
  id: string;
  username: string;
  displayName: string;
}

/** GET /api/tasks/:id: the task, what its step allows, and who may take it over or sign it. */
export interface TaskDetailView extends TaskAssignmentView {
  /** The step's assignment options (false: the definition forbids it; a countersign step allows none). */
  allowed: Required<StepAssignmentOptions>;
  /** Active users who may take the task over: its role at its node, the caller excepted. */
  handOverTo: TaskCandidate[];
  /** Active users who may sign it: they may act within the case's jurisdiction, the caller excepted. */
  signerCandidates: TaskCandidate[];
}

/** More candidates than this is a misconfigured node; a picker of this many is already long. */
const MAX_CANDIDATES = 200;

interface UserRow {
  id: string;
  username: string;
  roles: Role[];
  jurisdiction_code: string;
  active: boolean;
}

interface TaskContext {
  manager: EntityManager;
  row: CaseRow;
  task: GatedTask;
  published: PublishedDefinition;
  step: StepDefinition;
  actor: Actor;
  now: Date;
}

/**
 * Who works on a task: claim and release, transfer (转办), delegate (委托) and take back, add
 * a signer before or after oneself (加签), and the signatures of those signers. Each runs in
 * one transaction under the case row's lock — the lock every action takes — and is a history
 * event of the case with its actor and reason. Whether a step allows transfer, delegation
 * and added signers is its definition's `assignment` option (allowed unless false).
 *
 * Eligible for a task: an active user holding the task's role, bound to the task's node.
 */
@Injectable()
export class TaskAssignmentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly definitions: DefinitionsService,
    private readonly clock: Clock,
  ) {}

  claim(user: AuthUser, taskId: string, reason?: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      this.refuseCountersign(ctx);
      if (ctx.task.assignee_id === user.id) return;
      this.requireEligible(user, ctx.task);
      if (ctx.task.assignee_id !== null) throw claimedByOther(ctx.task);
      await this.assign(ctx, user.id, null);
      await this.record(ctx, 'task.claimed', { reason });
    });
  }

  release(user: AuthUser, taskId: string, reason?: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      this.requireAssignee(user, ctx.task);
      if (ctx.task.owner_id !== null) throw delegated(ctx.task);
      if (ctx.task.pending_action !== null) throw awaitingSigners(ctx.task);
      await this.assign(ctx, null, null);
      await this.record(ctx, 'task.released', { reason });
    });
  }

  transfer(user: AuthUser, taskId: string, to: string, reason: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      this.requireAllowed(ctx, 'transfer', '转办 (transfer)');
      this.refuseCountersign(ctx);
      this.requireHolder(user, ctx.task);
      if (ctx.task.owner_id !== null) throw delegated(ctx.task);
      if (ctx.task.pending_action !== null) throw awaitingSigners(ctx.task);
      const target = await this.eligibleTarget(ctx, user, to);
      await this.assign(ctx, target.id, null);
      await this.record(ctx, 'task.transferred', { from: user.id, to: target.id, toUsername: target.username, reason });
    });
  }

  delegate(user: AuthUser, taskId: string, to: string, reason: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      this.requireAllowed(ctx, 'delegate', '委托 (delegation)');
      this.refuseCountersign(ctx);
      this.requireHolder(user, ctx.task);
      if (ctx.task.owner_id !== null) throw delegated(ctx.task);
      const target = await this.eligibleTarget(ctx, user, to);
      await this.assign(ctx, target.id, user.id);
      await this.record(ctx, 'task.delegated', { owner: user.id, to: target.id, toUsername: target.username, reason });
    });
  }

  takeBack(user: AuthUser, taskId: string, reason?: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      if (ctx.task.owner_id === null) {
        throw new TaskException('This task is not delegated', TaskExceptionCode.NOT_DELEGATED, { taskId });
      }
      if (ctx.task.owner_id !== user.id) {
        throw new TaskException('Only the user who delegated the task can take it back', TaskExceptionCode.NOT_ASSIGNEE, { taskId });
      }
      await this.assign(ctx, user.id, null);
      await this.record(ctx, 'task.taken-back', { from: ctx.task.assignee_id, reason });
    });
  }

  addSigner(user: AuthUser, taskId: string, signerId: string, position: 'before' | 'after', reason: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      this.requireAllowed(ctx, 'addSigner', '加签 (added signers)');
      this.refuseCountersign(ctx);
      this.requireHolder(user, ctx.task);
      if (ctx.task.pending_action !== null) throw awaitingSigners(ctx.task);
      const signer = await this.findUser(ctx.manager, signerId);
      if (!signer || !signer.active || signer.id === user.id || caseAccess(asSubject(signer), { caseJurisdiction: ctx.row.jurisdiction_code, pairedCountyRead: false, helpedCounties: [] }) !== 'act') {
        throw new TaskException(
          'A signer must be another active user who works within the case’s jurisdiction',
          TaskExceptionCode.TARGET_NOT_ELIGIBLE,
          { userId: signerId },
        );
      }
      if (ctx.task.signers.some((s) => s.user_id === signer.id)) {
        throw new TaskException(`${signer.username} already signs this task`, TaskExceptionCode.ALREADY_SIGNER, { userId: signer.id });
      }
      if (ctx.task.assignee_id === null) await this.assign(ctx, user.id, null);
      await ctx.manager.query(
        `INSERT INTO task_signers (task_id, user_id, kind, status, added_by, added_at) VALUES ($1, $2, $3, 'pending', $4, $5)`,
        [ctx.task.id, signer.id, position, user.id, ctx.now],
      );
      await this.record(ctx, 'task.signer-added', { signer: signer.id, signerUsername: signer.username, position, reason });
    });
  }

  /**
   * An added signer signs. Before-signers give their opinion; the assignee may act once all
   * of them signed. After-signers sign the action the assignee took: when the last agrees the
   * action is taken (as the assignee); one disagreement drops it and asks every after-signer
   * again once the assignee has acted anew.
   */
  sign(user: AuthUser, taskId: string, decision: 'agree' | 'disagree', comment?: string): Promise<TaskAssignmentView> {
    return this.onTask(user, taskId, async (ctx) => {
      const mine = ctx.task.signers.find((s) => s.user_id === user.id && s.kind !== 'countersign' && s.status === 'pending');
      if (!mine) throw new TaskException('You have no signature pending on this task', TaskExceptionCode.NOT_A_SIGNER, { taskId });
      const pending = ctx.task.pending_action;
      if (mine.kind === 'after' && pending === null) {
        throw new TaskException('Nothing to sign yet: the assignee has not acted', TaskExceptionCode.NOTHING_TO_SIGN, { taskId });
      }
      // The signer row keeps the shown text (resident IDs masked); the history, the sealed one.
      const sealed = comment === undefined ? undefined : this.cases.sealText(comment);
      await ctx.manager.query(
        `UPDATE task_signers SET status = 'signed', decision = $3, comment = $4, signed_at = $5 WHERE task_id = $1 AND user_id = $2`,
        [ctx.task.id, user.id, decision, sealed === undefined ? null : shownText(sealed), ctx.now],
      );
      await this.record(ctx, 'task.signed', { position: mine.kind, decision, ...(sealed !== undefined ? { comment: sealed } : {}) });
      if (mine.kind !== 'after' || pending === null) return;
      if (decision === 'disagree') {
        await ctx.manager.query(
          `UPDATE tasks SET pending_action = NULL WHERE id = $1`,
          [ctx.task.id],
        );
        await ctx.manager.query(`UPDATE task_signers SET status = 'pending', decision = NULL, signed_at = NULL WHERE task_id = $1 AND kind = 'after'`, [ctx.task.id]);
        await this.record(ctx, 'task.held-action-dropped', { action: pending.action, by: user.id });
        return;
      }
      const stillPending = ctx.task.signers.some((s) => s.kind === 'after' && s.status === 'pending' && s.user_id !== user.id);
      if (stillPending) return;
      const taker = await this.findUser(ctx.manager, pending.actorId);
      if (!taker) throw new TaskException('The user who took the held action no longer exists', TaskExceptionCode.USER_NOT_FOUND, { userId: pending.actorId });
      const takerActor: Actor = { kind: 'user', id: taker.id, username: taker.username, roles: taker.roles, jurisdictionCode: taker.jurisdiction_code };
      await this.cases.performHeld(ctx.manager, ctx.row, ctx.published, pending, takerActor, ctx.now);
    });
  }

  /**
   * The task as the case page shows it, for anyone who may read its case (else 404, like the
   * case): its assignment, the options of its step, and the colleagues it may go to or who
   * may sign it — the same rules transfer, delegate and addSigner check.
   */
  async detail(user: AuthUser, taskId: string): Promise<TaskDetailView> {
    const manager = this.dataSource.manager;
    const notFound = () => new TaskException(`Task ${taskId} was not found`, TaskExceptionCode.TASK_NOT_FOUND, { taskId });
    const task = await taskById(manager, taskId);
    if (!task) throw notFound();
    const row = await this.cases.readable(manager, user, task.case_id, 'read').catch((error: unknown) => {
      throw error instanceof Error && 'code' in error && error.code === 'CASE_NOT_FOUND' ? notFound() : error;
    });
    const step = (await this.definitions.byId(row.definition_id)).compiled.steps.get(task.step)!.definition;
    const open = task.status === 'open' && !step.countersign;
    const allowed = {
      transfer: open && step.assignment?.transfer !== false,
      delegate: open && step.assignment?.delegate !== false,
      addSigner: open && step.assignment?.addSigner !== false,
    };
    // Bound to a node on the path from the city down to the case: the only users whose
    // subtree can hold it. caseAccess then decides exactly as addSigner does.
    const path = LEVELS.map((level) => jurisdictionAt(row.jurisdiction_code, level)).filter((code): code is string => code !== undefined && isWithin(row.jurisdiction_code, code));
    const users: (UserRow & { display_name: string })[] = await manager.query(
      `SELECT id, username, display_name, roles, jurisdiction_code, active FROM users
        WHERE active AND id <> $1 AND jurisdiction_code = ANY($2::text[])
        ORDER BY length(jurisdiction_code), jurisdiction_code, username LIMIT ${MAX_CANDIDATES}`,
      [user.id, path],
    );
    const candidate = (u: UserRow & { display_name: string }): TaskCandidate => ({ id: u.id, username: u.username, displayName: u.display_name });
    const access = (u: UserRow) => caseAccess(asSubject(u), { caseJurisdiction: row.jurisdiction_code, pairedCountyRead: false, helpedCounties: [] });
    return {
      ...toView(task),
      allowed,
      handOverTo: allowed.transfer || allowed.delegate ? users.filter((u) => isEligible(asSubject(u), task)).map(candidate) : [],
      signerCandidates: allowed.addSigner ? users.filter((u) => access(u) === 'act').map(candidate) : [],
    };
  }

  /** The task with its case locked; `fn` changes it; answers the task as it is afterwards. */
  private async onTask(user: AuthUser, taskId: string, fn: (ctx: TaskContext) => Promise<void>): Promise<TaskAssignmentView> {
    return this.dataSource.transaction(async (manager) => {
      const found = await taskById(manager, taskId);
      if (!found) throw new TaskException(`Task ${taskId} was not found`, TaskExceptionCode.TASK_NOT_FOUND, { taskId });
      // Outside the caller's jurisdiction: 404 like the case itself (and audited).
      const row = await this.cases.readable(manager, user, found.case_id, 'assign', true).catch((error: unknown) => {
        throw error instanceof Error && 'code' in error && error.code === 'CASE_NOT_FOUND'
          ? new TaskException(`Task ${taskId} was not found`, TaskExceptionCode.TASK_NOT_FOUND, { taskId })
          : error;
      });
      // Read again under the case lock: every change to a case's tasks holds that lock.
      const task = (await taskById(manager, taskId))!;
      if (task.status !== 'open') throw new TaskException(`Task ${taskId} is ${task.status}`, TaskExceptionCode.TASK_CLOSED, { taskId, status: task.status });
      const published = await this.definitions.byId(row.definition_id);
      const step = published.compiled.steps.get(task.step)!.definition;
      await fn({ manager, row, task, published, step, actor: toActor(user), now: this.clock.now() });
      return toView((await taskById(manager, taskId))!);
    });
  }

  private requireAllowed(ctx: TaskContext, option: keyof StepAssignmentOptions, what: string): void {
    if (ctx.step.assignment?.[option] === false) {
      throw new TaskException(`Step '${ctx.step.label}' does not allow ${what}`, TaskExceptionCode.NOT_ALLOWED_BY_DEFINITION, { step: ctx.task.step, option });
    }
  }

  private refuseCountersign(ctx: TaskContext): void {
    if (ctx.step.countersign) {
      throw new TaskException(
        `Step '${ctx.step.label}' is decided by the votes of every eligible user: it is not assigned to anyone`,
        TaskExceptionCode.COUNTERSIGN_TASK,
        { step: ctx.task.step },
      );
    }
  }

  private requireEligible(user: AuthUser, task: GatedTask): void {
    if (!isEligible(asSubject(user), task)) {
      throw new TaskException(`This task is for the ${task.level} ${task.role} of ${task.jurisdiction_code}`, TaskExceptionCode.NOT_ELIGIBLE, { taskId: task.id });
    }
  }

  private requireAssignee(user: AuthUser, task: GatedTask): void {
    if (task.assignee_id !== user.id) {
      throw new TaskException('Only the assignee of the task can do this', TaskExceptionCode.NOT_ASSIGNEE, { taskId: task.id });
    }
  }

  /** The assignee, or — for a task nobody claimed yet — any eligible user (who claims it by this). */
  private requireHolder(user: AuthUser, task: GatedTask): void {
    if (task.assignee_id === null) this.requireEligible(user, task);
    else if (task.assignee_id !== user.id) throw claimedByOther(task);
  }

  private async eligibleTarget(ctx: TaskContext, user: AuthUser, to: string): Promise<UserRow> {
    const target = await this.findUser(ctx.manager, to);
    if (!target || target.id === user.id || !isEligible(asSubject(target), ctx.task) || !target.active) {
      throw new TaskException(
        `The task can only go to another active ${ctx.task.role} of ${ctx.task.jurisdiction_code}`,
        TaskExceptionCode.TARGET_NOT_ELIGIBLE,
        { userId: to },
      );
    }
    return target;
  }

  private async findUser(manager: EntityManager, id: string): Promise<UserRow | undefined> {
    const rows: UserRow[] = await manager.query(`SELECT id, username, roles, jurisdiction_code, active FROM users WHERE id = $1`, [id]);
    return rows[0];
  }

  private async assign(ctx: TaskContext, assigneeId: string | null, ownerId: string | null): Promise<void> {
    await ctx.manager.query(`UPDATE tasks SET assignee_id = $2, owner_id = $3 WHERE id = $1`, [ctx.task.id, assigneeId, ownerId]);
  }

  /** A history event of the task; a `reason` typed by the user has its resident IDs sealed, like every free text in a case. */
  private record(ctx: TaskContext, eventType: string, details: Record<string, unknown>): Promise<void> {
    if (typeof details.reason === 'string') details = { ...details, reason: this.cases.sealText(details.reason) };
    const payload = { taskId: ctx.task.id, step: ctx.task.step, entry: ctx.task.step_entry, ...withoutUndefined(details) };
    return this.cases.appendEvent(ctx.manager, ctx.row, eventType, null, ctx.actor, payload, ctx.now);
  }
}

function isEligible(user: { roles: readonly string[]; jurisdictionCode: string }, task: GatedTask): boolean {
  return user.roles.includes(task.role) && user.jurisdictionCode === task.jurisdiction_code;
}

function asSubject(user: { roles: Role[]; jurisdiction_code?: string; jurisdictionCode?: string }) {
  return { roles: user.roles, jurisdictionCode: (user.jurisdictionCode ?? user.jurisdiction_code)! };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function claimedByOther(task: GatedTask): TaskException {
  return new TaskException('This task has been claimed by a colleague; ask them to transfer it to you', TaskExceptionCode.TASK_CLAIMED_BY_OTHER, { taskId: task.id });
}

function delegated(task: GatedTask): TaskException {
  return new TaskException('This task is delegated; its owner must take it back first', TaskExceptionCode.ALREADY_DELEGATED, { taskId: task.id });
}

function awaitingSigners(task: GatedTask): TaskException {
  return new TaskException('An action on this task is waiting for its signers', TaskExceptionCode.AWAITING_SIGNERS, { taskId: task.id });
}

function toView(task: GatedTask): TaskAssignmentView {
  return {
    id: task.id,
    caseId: task.case_id,
    step: task.step,
    status: task.status,
    role: task.role,
    level: task.level,
    jurisdictionCode: task.jurisdiction_code,
    assigneeId: task.assignee_id,
    ownerId: task.owner_id,
    pendingAction: task.pending_action ? { action: task.pending_action.action, actorId: task.pending_action.actorId } : null,
    signers: task.signers.map((s) => ({ userId: s.user_id, kind: s.kind, status: s.status, decision: s.decision })),
  };
}
