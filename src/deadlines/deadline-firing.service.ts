import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CasesService, SYSTEM_ACTOR, type CaseRow } from '../cases/cases.service.js';
import { Clock } from '../common/clock.js';
import { DefinitionException, DefinitionExceptionCode } from '../definitions/definition.exception.js';
import { DefinitionsService } from '../definitions/definitions.service.js';
import { activeSteps } from '../engine/case-transition.js';
import { EngineException } from '../engine/engine.exception.js';
import { jurisdictionAt } from '../engine/jurisdiction-code.js';
import type { DeadlineDefinition, Role } from '../engine/workflow-definition.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { divisionName } from '../org/division-names.js';
import type { DeadlineKind } from './deadline.entity.js';

export type FireResult = 'fired' | 'stale' | 'early';

interface DeadlineRow {
  id: string;
  case_id: string;
  step: string;
  step_entry: number;
  kind: DeadlineKind;
  rung: number;
  due_at: Date;
  generation: number;
  status: string;
  settings: DeadlineDefinition;
}

const KIND_LABEL: Record<DeadlineKind, string> = { reminder: '即将到期', due: '已逾期', escalation: '逾期督办' };

/**
 * Fires one deadline row. Safe to call any number of times, late, or after the case moved
 * on: everything is re-checked under the case's row lock (taken before the deadline's, the
 * same order as an action, so the two never deadlock), and a stale call changes nothing.
 */
@Injectable()
export class DeadlineFiringService {
  private readonly logger = new Logger(DeadlineFiringService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly definitions: DefinitionsService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
  ) {}

  async fire(deadlineId: string, generation: number): Promise<FireResult> {
    return this.dataSource.transaction(async (manager) => {
      const [peek] = await manager.query(`SELECT case_id FROM deadlines WHERE id = $1`, [deadlineId]);
      if (!peek) return 'stale';
      const caseRow = await this.cases.lockForSystem(manager, peek.case_id);
      const [row]: DeadlineRow[] = await manager.query(
        `SELECT id, case_id, step, step_entry, kind, rung, due_at, generation, status, settings FROM deadlines WHERE id = $1 FOR UPDATE`,
        [deadlineId],
      );
      if (!caseRow || !row || row.status !== 'pending' || row.generation !== generation) return 'stale';

      const now = this.clock.now();
      if (row.due_at.getTime() > now.getTime()) {
        // Delivered before its time (the clock was set back, or a job from a recomputation
        // race): hand the row back to the scheduler.
        await manager.query(`UPDATE deadlines SET enqueued_generation = NULL WHERE id = $1 AND generation = $2`, [row.id, generation]);
        return 'early';
      }

      const published = await this.definitions.byId(caseRow.definition_id);
      const stillCurrent =
        caseRow.snapshot.status === 'active' &&
        activeSteps(published.compiled, caseRow.snapshot).includes(row.step) &&
        caseRow.snapshot.context.entries[row.step] === row.step_entry;
      if (!stillCurrent) {
        await manager.query(`UPDATE deadlines SET status = 'cancelled', closed_at = $2 WHERE id = $1`, [row.id, now]);
        return 'stale';
      }

      await manager.query(`UPDATE deadlines SET status = 'fired', fired_at = $2 WHERE id = $1`, [row.id, now]);
      const stepLabel = published.compiled.steps.get(row.step)?.definition.label ?? row.step;
      const rung = row.kind === 'escalation' ? row.settings.escalation?.[row.rung - 1] : undefined;
      await this.cases.appendEvent(
        manager,
        caseRow,
        'deadline',
        row.kind,
        SYSTEM_ACTOR,
        { deadlineId: row.id, step: row.step, entry: row.step_entry, kind: row.kind, rung: row.rung, dueAt: row.due_at.toISOString(), ...(rung ? { notify: rung.notify } : {}) },
        now,
      );

      const title = `${KIND_LABEL[row.kind]}：${caseRow.title ?? published.compiled.definition.label} · ${stepLabel}`;
      const body = `${published.compiled.definition.label}「${caseRow.title ?? caseRow.id}」的“${stepLabel}”环节${
        row.kind === 'reminder' ? '即将到期' : '已超过办理时限'
      }（时限 ${row.due_at.toISOString()}）。`;
      const recipients = rung
        ? await this.usersAt(manager, rung.notify.role, caseRow.jurisdiction_code, rung.notify.level)
        : await this.assignees(manager, caseRow.id, row.step, row.step_entry);
      await this.notifications.notify(manager, {
        recipients,
        caseId: caseRow.id,
        kind: `deadline-${row.kind}`,
        title,
        body,
        dedupKey: `deadline-${row.id}-${row.generation}`,
        now,
      });

      if (row.kind === 'due' && row.settings.onExpire) await this.expire(manager, caseRow, row, now);
      if (rung?.openCase) await this.openCase(manager, caseRow, rung.openCase, stepLabel, now);
      return 'fired';
    });
  }

  /** The step's own timeout action (the end of a notice period), taken by the system. */
  private async expire(manager: EntityManager, caseRow: CaseRow, row: DeadlineRow, now: Date): Promise<void> {
    const published = await this.definitions.byId(caseRow.definition_id);
    try {
      await this.cases.perform(manager, caseRow, published, SYSTEM_ACTOR, { action: row.settings.onExpire!, step: row.step }, now);
    } catch (error) {
      if (!(error instanceof EngineException)) throw error;
      // The action's guard said no (e.g. an objection is open): record why, leave the case.
      this.logger.warn(`Deadline ${row.id}: ${row.settings.onExpire} refused: ${error.message}`);
      await this.cases.appendEvent(manager, caseRow, 'deadline', 'expire-refused', SYSTEM_ACTOR, { deadlineId: row.id, step: row.step, reason: error.message }, now);
    }
  }

  /**
   * The last rung: an accountability case against the county (or unit) responsible. When
   * that workflow takes no new cases (its newest version deprecated), the history says so
   * instead: the escalation itself has fired.
   */
  private async openCase(manager: EntityManager, caseRow: CaseRow, workflow: string, stepLabel: string, now: Date): Promise<void> {
    const unitCode = jurisdictionAt(caseRow.jurisdiction_code, 'county') ?? caseRow.jurisdiction_code;
    try {
      await this.definitions.latest(workflow, manager);
    } catch (error) {
      if (!(error instanceof DefinitionException && error.code === DefinitionExceptionCode.WORKFLOW_DEPRECATED)) throw error;
      await this.cases.appendEvent(manager, caseRow, 'deadline', 'case-open-refused', SYSTEM_ACTOR, { workflow, reason: error.message }, now);
      return;
    }
    const opened = await this.cases.startAsSystem(
      manager,
      workflow,
      {
        unitCode,
        unitName: divisionName(unitCode) ?? unitCode,
        reason: `逾期未办：${caseRow.title ?? caseRow.id}（${stepLabel}）经逐级督办仍未办结。`,
        subjectCaseId: caseRow.id,
        subjectTitle: `${caseRow.title ?? ''} · ${stepLabel}`.slice(0, 200),
      },
      unitCode,
      now,
    );
    await this.cases.appendEvent(manager, caseRow, 'deadline', 'case-opened', SYSTEM_ACTOR, { workflow, caseId: opened }, now);
  }

  /** Who works on the step now: its assignee, else everyone it is offered to. */
  private async assignees(manager: EntityManager, caseId: string, step: string, entry: number): Promise<string[]> {
    const [task] = await manager.query(
      `SELECT assignee_id, role, jurisdiction_code FROM tasks WHERE case_id = $1 AND step = $2 AND step_entry = $3 AND status = 'open'`,
      [caseId, step, entry],
    );
    if (!task) return [];
    if (task.assignee_id) return [task.assignee_id];
    return this.notifications.usersToNotify(manager, task.role, task.jurisdiction_code);
  }

  private async usersAt(manager: EntityManager, role: Role, caseJurisdiction: string, level: Parameters<typeof jurisdictionAt>[1]): Promise<string[]> {
    const node = jurisdictionAt(caseJurisdiction, level);
    return node ? this.notifications.usersToNotify(manager, role, node) : [];
  }
}
