import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { affectedRows } from '../database/sql.js';
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
import type { Effect } from '../engine/effects.js';
import { EngineException, EngineExceptionCode } from '../engine/engine.exception.js';
import { validateFormInput } from '../engine/form-input.js';
import { replayHistory } from '../engine/history-replay.js';
import { isWithin, jurisdictionAt, levelOf } from '../engine/jurisdiction-code.js';
import type { Actor } from '../engine/workflow-machine.js';
import { caseNotFound, CaseException, CaseExceptionCode, fromEngine, versionConflict } from './case.exception.js';
import { canonicalJson, GENESIS_HASH, hashEvent, verifyChain, type StoredChainRow } from './history-chain.js';

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

interface TaskRow {
  id: string;
  step: string;
  role: string;
  level: string;
  jurisdiction_code: string;
  assignee_id: string | null;
  opened_at: Date;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Cases and their actions. Each action is one transaction: the conditional version
 * update, the chained history row, the task rows and the outbox rows the engine's effects
 * ask for — all of it or none of it. The engine itself is pure; this is the shell.
 */
@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
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
    const issues = validateFormInput(definition.start.fields, command.data);
    if (issues.length > 0) {
      throw fromEngine(
        new EngineException(EngineExceptionCode.INVALID_INPUT, `The case data is not valid: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, { issues }),
      );
    }

    return this.dataSource.transaction(async (manager) => {
      const id = await this.insertCase(manager, published, command.data, jurisdiction, toActor(user), this.clock.now());
      return this.view(manager, published, await this.loadRow(manager, id), user);
    });
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
    return this.insertCase(manager, published, data, jurisdiction, SYSTEM_ACTOR, now);
  }

  private async insertCase(
    manager: EntityManager,
    published: PublishedDefinition,
    data: Record<string, unknown>,
    jurisdiction: string,
    actor: Actor,
    now: Date,
  ): Promise<string> {
    const { definition } = published.compiled;
    const caseInput = { data, jurisdiction, now };
    const result = startCase(published.compiled, caseInput);
    const id = randomUUID();
    const title = definition.titleField ? String(data[definition.titleField] ?? '') || null : null;
    await manager.query(
      `INSERT INTO cases (id, workflow_key, workflow_version, definition_id, status, snapshot, data, title, jurisdiction_code, version, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $11)`,
      [id, published.key, published.version, published.id, result.status, result.snapshot, result.snapshot.context.data, title, jurisdiction, actor.id, now],
    );
    const row = { id, jurisdiction_code: jurisdiction, last_seq: null, last_hash: null };
    await this.appendEvent(manager, row, 'started', null, actor, { ...caseInput, now: now.toISOString() }, now);
    await this.applyEffects(manager, row, result.effects, actor, now);
    return id;
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
      throw new CaseException('Idempotency-Key must be 1 to 200 visible ASCII characters', CaseExceptionCode.IDEMPOTENCY_KEY_REUSED, HttpStatus.BAD_REQUEST);
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
      try {
        await this.perform(manager, row, published, toActor(user), command, this.clock.now());
      } catch (error) {
        if (error instanceof EngineException) throw fromEngine(error);
        throw error;
      }

      const view = await this.view(manager, published, row, user);
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
    return rows.map((r) => ({ seq: r.seq, eventType: r.eventType, action: r.action, actor: r.actor, payload: r.payload, at: r.at, hash: r.hash, prevHash: r.prevHash }));
  }

  /** Checks the hash chain and that replaying the history reproduces the stored snapshot. */
  async verify(user: AuthUser, id: string) {
    const row = await this.readable(this.dataSource.manager, user, id);
    const rows = await this.historyRows(this.dataSource.manager, id);
    const chain = verifyChain(rows);
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
    const [row] = await manager.query(
      `SELECT c.id, c.definition_id, c.status, c.snapshot, c.data, c.title, c.jurisdiction_code, c.version,
              c.created_at, c.updated_at, h.seq AS last_seq, h.hash AS last_hash
         FROM cases c
         LEFT JOIN LATERAL (SELECT seq, hash FROM case_history WHERE case_id = c.id ORDER BY seq DESC LIMIT 1) h ON true
        WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`,
      [id],
    );
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
  ): Promise<TransitionResult> {
    const expected = command.expectedVersion ?? row.version;
    const result = applyAction(published.compiled, row.snapshot, {
      action: command.action,
      step: command.step,
      input: command.data ?? {},
      actor,
      now,
      comment: command.comment,
    });
    const updated = await affectedRows(
      manager,
      `UPDATE cases SET snapshot = $3, data = $4, status = $5, version = version + 1, updated_at = $6
        WHERE id = $1 AND version = $2`,
      [row.id, expected, result.snapshot, result.snapshot.context.data, result.status, now],
    );
    // Checked even under the row lock: the version is the contract, not the lock.
    if (updated !== 1) throw versionConflict(expected, expected + 1);
    Object.assign(row, { snapshot: result.snapshot, data: result.snapshot.context.data, status: result.status, version: expected + 1, updated_at: now });
    await this.appendEvent(manager, row, 'action', command.action, actor, result.event, now);
    await this.applyEffects(manager, row, result.effects, actor, now);
    return result;
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
    const seq = (row.last_seq ?? 0) + 1;
    const prevHash = row.last_hash ?? GENESIS_HASH;
    const actorRecord = { kind: actor.kind, id: actor.id, username: actor.username ?? null, roles: actor.roles };
    // Hash exactly what the database will give back: jsonb drops undefined fields.
    const stored = JSON.parse(JSON.stringify(payload));
    const hash = hashEvent({ caseId: row.id, seq, eventType, action, actorId: actor.id, actor: actorRecord, payload: stored, at }, prevHash);
    await manager.query(
      `INSERT INTO case_history (case_id, seq, event_type, action, actor_id, actor, payload, at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, seq, eventType, action, actor.id, actorRecord, stored, at, prevHash, hash],
    );
    row.last_seq = seq;
    row.last_hash = hash;
  }

  /** The case row locked for an update by the system (deadline firings); undefined when it vanished. */
  async lockForSystem(manager: EntityManager, id: string): Promise<CaseRow | undefined> {
    return this.loadRow(manager, id, true);
  }

  /**
   * Writes what the engine asked for. Tasks are rows of their own (the inbox reads them);
   * everything meant for later delivery — deadlines, notifications, the end of a case —
   * goes to the outbox, which a relay hands to BullMQ after the commit.
   */
  private async applyEffects(
    manager: EntityManager,
    row: Pick<CaseRow, 'id' | 'jurisdiction_code'>,
    effects: Effect[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    const caseId = row.id;
    const jurisdiction = row.jurisdiction_code;
    const closes = effects.filter((e) => e.type === 'closeTask');
    const opens = effects.filter((e) => e.type === 'openTask');
    const deliveries = effects.filter((e) => e.type === 'notify' || e.type === 'caseFinished');
    await this.deadlines.apply(manager, caseId, effects, now);
    if (closes.length > 0) {
      await manager.query(
        `UPDATE tasks t
            SET status = CASE WHEN e.outcome = 'cancelled' THEN 'cancelled' ELSE 'completed' END,
                outcome = e.outcome, closed_at = $2,
                closed_by = CASE WHEN e.outcome = 'cancelled' THEN NULL ELSE $3::uuid END,
                assignee_id = CASE WHEN e.outcome = 'cancelled' THEN t.assignee_id ELSE coalesce(t.assignee_id, $3::uuid) END
           FROM jsonb_to_recordset($4::jsonb) AS e(step text, entry int, outcome text)
          WHERE t.case_id = $1 AND t.step = e.step AND t.step_entry = e.entry AND t.status = 'open'`,
        [caseId, now, actor.id, JSON.stringify(closes)],
      );
    }
    if (opens.length > 0) {
      const rows = opens.map((e) => ({ ...e, jurisdiction: jurisdictionAt(jurisdiction, e.level) }));
      await manager.query(
        `INSERT INTO tasks (case_id, step, step_entry, role, level, jurisdiction_code, status, opened_at)
         SELECT $1, e.step, e.entry, e.role, e.level, e.jurisdiction, 'open', $2
           FROM jsonb_to_recordset($3::jsonb) AS e(step text, entry int, role text, level text, jurisdiction text)`,
        [caseId, now, JSON.stringify(rows)],
      );
    }
    if (deliveries.length > 0) {
      await manager.query(
        `INSERT INTO outbox (case_id, kind, payload, created_at, available_at)
         SELECT $1, e->>'type', e, $2, $2 FROM jsonb_array_elements($3::jsonb) AS e`,
        [caseId, now, JSON.stringify(deliveries)],
      );
    }
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

  private async view(manager: EntityManager, published: PublishedDefinition, row: CaseRow, user: AuthUser): Promise<CaseView> {
    const { compiled } = published;
    const tasks: TaskRow[] = await manager.query(
      `SELECT id, step, role, level, jurisdiction_code, assignee_id, opened_at FROM tasks
        WHERE case_id = $1 AND status = 'open' ORDER BY opened_at, step`,
      [row.id],
    );
    const context = row.snapshot.context;
    const steps = activeSteps(compiled, row.snapshot);
    return {
      id: row.id,
      workflow: { key: published.key, version: published.version, label: compiled.definition.label, ...(compiled.definition.labelEn ? { labelEn: compiled.definition.labelEn } : {}) },
      title: row.title,
      status: row.status,
      finished: row.snapshot.status === 'done',
      jurisdictionCode: row.jurisdiction_code,
      data: row.data,
      currentSteps: steps.map((key) => {
        const step = compiled.steps.get(key)!.definition;
        return { key, label: step.label, ...(step.labelEn ? { labelEn: step.labelEn } : {}), entry: context.entries[key] ?? 0, enteredAt: context.enteredAt[key] };
      }),
      openTasks: tasks.map((t) => ({ id: t.id, step: t.step, role: t.role, level: t.level, jurisdictionCode: t.jurisdiction_code, assigneeId: t.assignee_id, openedAt: t.opened_at })),
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
