import type { DeadlineDefinition, Level, Role } from './workflow-definition.js';

/**
 * What a transition asks the outside world to do. Plain data: the engine never performs
 * them; the cases service writes them (tasks, deadlines, outbox rows) in the same
 * transaction as the new snapshot.
 *
 * `entry` numbers the times a step has been entered, so a task or deadline belongs to one
 * visit of a step: a late timer for an earlier visit can be recognised as stale.
 *
 * `cancelDeadline` with `pause` stops a step's clock on a return for correction; the engine
 * records that in the snapshot (`context.pausedClocks`), and the next `startDeadline` of
 * that step carries `resume: true` and the visit it was paused in. Without `resume`, a
 * step's clock starts afresh: the shell needs no lookup to tell the two apart.
 *
 * `startChildCase` is a call step's entry (call-step.ts): the shell starts a case of
 * `workflow` with `input` as its start form, in the same transaction, recording the step
 * visit (`step`, `stepEntry`) that waits for its outcome.
 */
export type Effect =
  | { type: 'openTask'; step: string; entry: number; role: Role; level: Level }
  | { type: 'closeTask'; step: string; entry: number; outcome: string }
  | ({ type: 'startDeadline'; step: string; entry: number; startedAt: string; deadline: DeadlineDefinition } & (
      | { resume?: undefined; pausedEntry?: undefined }
      /** The step's clock was paused by a return for correction in visit `pausedEntry`: resume it. */
      | { resume: true; pausedEntry: number }
    ))
  | { type: 'cancelDeadline'; step: string; entry: number; reason: string; pause: boolean }
  | { type: 'notify'; template: NotificationTemplate; step?: string; role?: Role; level?: Level }
  | { type: 'caseFinished'; step: string; status: string }
  | { type: 'startChildCase'; workflow: string; input: Record<string, unknown>; step: string; stepEntry: number };

export type NotificationTemplate = 'case-returned' | 'case-finished';

export type EffectType = Effect['type'];
