import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { preparedQuery } from '../database/prepared-query.js';
import { DeadlinesService } from '../deadlines/deadlines.service.js';
import { DefinitionsService, type PublishedDefinition } from '../definitions/definitions.service.js';
import {
  activeSteps,
  applyAction,
  availableActions,
  startCase,
  type PersistedCaseSnapshot,
  type TransitionResult,
} from '../engine/case-transition.js';
import { EngineException, EngineExceptionCode } from '../engine/engine.exception.js';
import { validateFormInput } from '../engine/form-input.js';
import { replayHistory } from '../engine/history-replay.js';
import { isWithin, jurisdictionAt, levelOf } from '../engine/jurisdiction-code.js';
import type { Actor } from '../engine/workflow-machine.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { caseNotFound, CaseException, CaseExceptionCode, fromEngine, versionConflict } from './case.exception.js';
import { canonicalJson, GENESIS_HASH, hashEvent, verifyChain, type StoredChainRow } from './history-chain.js';
import { actionFields, presentResidentIds, sealResidentIds } from './resident-id-sealing.js';
import { ACT_WRITE_SQL, actWriteParams, START_WRITE_SQL, startWriteParams, type HistoryRowParams, type OpenTaskRow, type WriteResult } from './transition-writes.js';

export interface StartCaseCommand {
  workflow: string;
  data: Record<string, unknown>;
  jurisdiction?: string;
}

export interface CaseActionCommand {
  action: string;
  step?: string;
  data?: Record<string, unknown>;
  comment?: string;
  expectedVersion: number;
}

export interface CaseView {
  id: string;
  workflow: { key: string; version: number; label: string; labelEn?: string };
  title: string | null;
  status: string;
  finished: boolean;
  jurisdictionCode: string;
  data: Record<string, unknown>;
  currentSteps: { key: string; label: string; labelEn?: string; entry: number; enteredAt: string }[];
  openTasks: { id: string; step: string; role: string; level: string; jurisdictionCode: string; assigneeId: string | null; openedAt: Date }[];
  availableActions: ReturnType<typeof availableActions>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

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
}

/**
 * The locked read of the action path (and the plain read of `get`), with the history chain's
 * head. Not `cases.data`: it is written equal to the snapshot's `context.data`, taken from there.
 */
// The history head lives on the case row itself, so that a read locked FOR UPDATE (which
// re-checks only the locked row after waiting) still sees the head that the holder of the
// lock moved.
const CASE_READ_SQL = `SELECT c.id, c.definition_id, c.status, c.snapshot, c.title, c.jurisdiction_code, c.version,
        c.created_at, c.updated_at, nullif(c.history_seq, 0) AS last_seq, c.history_hash AS last_hash
   FROM cases c
  WHERE c.id = $1`;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Cases and their actions. Each action is one transaction: the locked read, then ONE write
 * statement (src/cases/transition-writes.ts) with the conditional version update, the
 * chained history row, and the task, deadline and outbox rows the engine's effects ask
 * for — all of it or none of it. The engine itself is pure; this is the shell.
 */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
    private readonly residentIds: ResidentIdCipher,
  ) {}

  async start(user: AuthUser, command: StartCaseCommand): Promise<CaseView> {
    const published = await this.definitions.latest(command.workflow);
    const { definition } = published.compiled;
    const jurisdiction = command.jurisdiction ?? user.jurisdictionCode;
    if (!levelOf(jurisdiction) || !isWithin(jurisdiction, user.jurisdictionCode)) {
      throw new CaseException(
        `Jurisdiction ${jurisdiction} is not a division code inside your jurisdiction ${user.jurisdictionCode}`,
        CaseExceptionCode.INVALID_JURISDICTION,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    const { role, level } = definition.start;
    if (!user.roles.includes(role) || jurisdictionAt(jurisdiction, level) !== user.jurisdictionCode) {
      throw new CaseException(
        `A '${definition.label}' case is started by the ${level} ${role} of the household's ${level}`,
        CaseExceptionCode.START_NOT_ALLOWED,
        HttpStatus.FORBIDDEN,
      );
    }
    command = { ...command, data: sealResidentIds(definition.start.fields, command.data, this.residentIds) }; // plain IDs never go further
    const issues = validateFormInput(definition.start.fields, command.data);
    if (issues.length > 0) {
      throw fromEngine(
        new EngineException(EngineExceptionCode.INVALID_INPUT, `The case data is not valid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, { issues }),
      );
    }

    // One statement writes the case and everything its first step asks for, so it needs no
    // explicit transaction: a statement is atomic on its own.
    const now = this.clock.now();
    const { row, openTasks } = await this.insertCase(this.dataSource.manager, published, command.data, jurisdiction, toActor(user), now);
    return this.view(this.dataSource.manager, published, row, user, openTasks);
  }

  /**
   * Opens a case on behalf of the system (an escalation opening an accountability
   * interview), inside the caller's transaction. The start form is still checked: a
   * definition that the system feeds wrongly fails loudly instead of storing bad data.
   */
  async startAsSystem(manager: EntityManager, workflow: string, data: Record<string, unknown>, jurisdiction: string, now: Date): Promise<string> {
    const published = await this.definitions.latest(workflow);
    const issues = validateFormInput(published.compiled.definition.start.fields, data);
    if (issues.length > 0) {
      throw new EngineException(EngineExceptionCode.INVALID_INPUT, `System start of ${workflow}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, { issues });
    }
    return (await this.insertCase(manager, published, data, jurisdiction, SYSTEM_ACTOR, now)).row.id;
  }

  /** Starts a case in one statement (START_WRITE_SQL): the case row, its first history row, tasks, timers, outbox. */
  private async insertCase(
    manager: EntityManager,
    published: PublishedDefinition,
    data: Record<string, unknown>,
    jurisdiction: string,
    actor: Actor,
    now: Date,
  ): Promise<{ row: CaseRow; openTasks: OpenTaskRow[] }> {
    const { definition } = published.compiled;
    const caseInput = { data, jurisdiction, now };
    const result = startCase(published.compiled, caseInput);
    const id = randomUUID();
    const title = definition.titleField ? String(data[definition.titleField] ?? '') || null : null;
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
    };
    const history = this.historyRow(row, 'started', null, actor, { ...caseInput, now: now.toISOString() }, now);
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
      }),
    );
    if (written.affected !== 1) throw new Error(`Case ${id} was not inserted`);
    Object.assign(row, { last_seq: history.seq, last_hash: history.hash });
    for (const effect of deadlines.resumes) await this.deadlines.resume(manager, id, effect, now);
    return { row, openTasks: written.open_tasks };
  }

  async get(user: AuthUser, id: string): Promise<CaseView> {
    const row = await this.readable(this.dataSource.manager, user, id);
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
    const requestHash = createHash('sha256').update(canonicalJson({ id, ...command })).digest('hex');
    return this.dataSource.transaction(async (manager) => {
      if (idempotencyKey !== undefined) {
        const earlier = await this.claimIdempotencyKey(manager, user, id, idempotencyKey, requestHash);
        if (earlier) return earlier;
      }
      // The row lock serialises actions, deadline firings and history appends on one case.
      const row = await this.readable(manager, user, id, true);
      if (row.version !== command.expectedVersion) throw versionConflict(command.expectedVersion, row.version);
      const published = await this.definitions.byId(row.definition_id);
      let performed: Awaited<ReturnType<CasesService['perform']>>;
      try {
        performed = await this.perform(manager, row, published, toActor(user), command, this.clock.now());
      } catch (error) {
        if (error instanceof EngineException) throw fromEngine(error);
        throw error;
      }

      // The write statement returned the open tasks: the view needs no query of its own.
      const view = await this.view(manager, published, row, user, performed.openTasks);
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

  async history(user: AuthUser, id: string) {
    await this.readable(this.dataSource.manager, user, id);
    const rows = await this.historyRows(this.dataSource.manager, id);
    return rows.map((r) => ({ seq: r.seq, eventType: r.eventType, action: r.action, actor: r.actor, payload: presentResidentIds(r.payload), at: r.at, hash: r.hash, prevHash: r.prevHash }));
  }

  /** Checks the hash chain and that replaying the history reproduces the stored snapshot. */
  async verify(user: AuthUser, id: string) {
    const row = await this.readable(this.dataSource.manager, user, id);
    const rows = await this.historyRows(this.dataSource.manager, id);
    const chain = verifyChain(rows, { seq: row.last_seq ?? 0, hash: row.last_hash });
    const published = await this.definitions.byId(row.definition_id);
    let replayMatches = false;
    let replayError: string | undefined;
    try {
      const replayed = replayHistory(published.compiled, rows);
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

  private async readable(manager: EntityManager, user: AuthUser, id: string, lock = false): Promise<CaseRow> {
    const row = await this.loadRow(manager, id, lock);
    if (!row || !isWithin(row.jurisdiction_code, user.jurisdictionCode)) throw caseNotFound(id);
    return row;
  }

  private async loadRow(manager: EntityManager, id: string, lock = false): Promise<CaseRow> {
    const { rows } = lock
      ? await preparedQuery<CaseRow>(manager, 'case-read-locked', `${CASE_READ_SQL} FOR UPDATE`, [id])
      : await preparedQuery<CaseRow>(manager, 'case-read', CASE_READ_SQL, [id]);
    const row = rows[0];
    if (row) row.data = row.snapshot.context.data;
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
  ): Promise<TransitionResult & { openTasks: OpenTaskRow[] }> {
    const expected = command.expectedVersion ?? row.version;
    const result = applyAction(published.compiled, row.snapshot, {
      action: command.action,
      step: command.step,
      input: sealResidentIds(actionFields(published.compiled, row.snapshot, command), command.data ?? {}, this.residentIds), // plain IDs sealed
      actor,
      now,
      comment: command.comment,
    });
    const history = this.historyRow(row, 'action', command.action, actor, result.event, now);
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
      }),
    );
    // Checked even under the row lock: the version is the contract, not the lock. Nothing
    // was written when it does not match; the caller's transaction rolls back anyway.
    if (written.affected !== 1) throw versionConflict(expected, expected + 1);
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
    return { ...result, openTasks: written.open_tasks };
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
    const actorRecord = { kind: actor.kind, id: actor.id, username: actor.username ?? null, roles: actor.roles };
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
    const tasks: OpenTaskRow[] =
      openTasks ??
      (await manager.query(
        `SELECT id, step, role, level, jurisdiction_code, assignee_id, opened_at FROM tasks
          WHERE case_id = $1 AND status = 'open' ORDER BY opened_at, step`,
        [row.id],
      ));
    const context = row.snapshot.context;
    const steps = activeSteps(compiled, row.snapshot);
    return {
      id: row.id,
      workflow: { key: published.key, version: published.version, label: compiled.definition.label, ...(compiled.definition.labelEn ? { labelEn: compiled.definition.labelEn } : {}) },
      title: row.title,
      status: row.status,
      finished: row.snapshot.status === 'done',
      jurisdictionCode: row.jurisdiction_code,
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
      })),
      availableActions: availableActions(compiled, row.snapshot, toActor(user)),
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
