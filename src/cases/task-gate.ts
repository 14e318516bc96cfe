import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { StepDefinition } from '../engine/workflow-definition.js';
import type { FreeText } from '../org/resident-id-text.js';
import type { TaskSignerKind, TaskSignerStatus } from '../tasks/task-signer.entity.js';
import { TaskException, TaskExceptionCode } from '../tasks/task.exception.js';

/** An open task with what the action path needs to know about its assignment. */
export interface GatedTask {
  id: string;
  case_id: string;
  step: string;
  step_entry: number;
  role: string;
  level: string;
  jurisdiction_code: string;
  status: string;
  assignee_id: string | null;
  owner_id: string | null;
  pending_action: PendingAction | null;
  signers: { user_id: string; kind: TaskSignerKind; status: TaskSignerStatus; decision: string | null }[];
}

/** An action held back until the signers added after the assignee (后加签) have signed. */
export interface PendingAction {
  action: string;
  step: string;
  /** Sealed like the action's own (src/cases/resident-id-sealing.ts). */
  data: Record<string, unknown>;
  comment?: FreeText;
  actorId: string;
}

const TASK_SQL = `SELECT t.id, t.case_id, t.step, t.step_entry, t.role, t.level, t.jurisdiction_code, t.status,
        t.assignee_id, t.owner_id, t.pending_action,
        coalesce((SELECT json_agg(json_build_object('user_id', s.user_id, 'kind', s.kind, 'status', s.status, 'decision', s.decision) ORDER BY s.added_at)
                    FROM task_signers s WHERE s.task_id = t.id), '[]'::json) AS signers
   FROM tasks t`;

/** The open task of a case's step (the case row must be locked by the caller). */
export async function openTaskOfStep(manager: EntityManager, caseId: string, step: string): Promise<GatedTask | undefined> {
  const rows: GatedTask[] = await manager.query(`${TASK_SQL} WHERE t.case_id = $1 AND t.step = $2 AND t.status = 'open'`, [caseId, step]);
  return rows[0];
}

/** A task by id, open or not. */
export async function taskById(manager: EntityManager, taskId: string): Promise<GatedTask | undefined> {
  const rows: GatedTask[] = await manager.query(`${TASK_SQL} WHERE t.id = $1`, [taskId]);
  return rows[0];
}

/**
 * What happens to an action a person takes on a task step:
 *  - `proceed`: the engine decides (it checks role, level and form); `onBehalfOf` names the
 *    owner of a delegated task, recorded with the action;
 *  - `defer`: signers added after the assignee must sign first — the action is held on the task;
 *  - `vote`: a countersign step — the action is a vote, the case moves when the votes decide.
 * Refusals throw: a task claimed by somebody else, or waiting for signers.
 */
export type GateDecision = { kind: 'proceed'; onBehalfOf?: string } | { kind: 'defer' } | { kind: 'vote' };

export function gateAction(task: GatedTask | undefined, step: StepDefinition, user: AuthUser): GateDecision {
  if (!task) return { kind: 'proceed' };
  if (step.countersign) return { kind: 'vote' };
  if (task.assignee_id !== null && task.assignee_id !== user.id) {
    throw new TaskException('This task has been claimed by a colleague; ask them to transfer it to you', TaskExceptionCode.TASK_CLAIMED_BY_OTHER, {
      taskId: task.id,
    });
  }
  const pendingBefore = task.signers.filter((s) => s.kind === 'before' && s.status === 'pending');
  if (pendingBefore.length > 0 || task.pending_action !== null) {
    throw new TaskException(
      task.pending_action !== null
        ? 'An action on this task is waiting for the signatures of the signers added after it'
        : 'The signers added before you have not all signed yet',
      TaskExceptionCode.AWAITING_SIGNERS,
      { taskId: task.id },
    );
  }
  if (task.signers.some((s) => s.kind === 'after' && s.status === 'pending')) return { kind: 'defer' };
  return { kind: 'proceed', ...(task.owner_id ? { onBehalfOf: task.owner_id } : {}) };
}
