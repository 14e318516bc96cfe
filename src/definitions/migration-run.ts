/**
 * Migration runs (pure): how a run is shown, and what a new request does about the run
 * already queued or running for its workflow. MigrationRunsService does the I/O.
 */
import type { StepMapping } from '../engine/case-migration.js';
import type { MigrationCaseOutcome, MigrationRunStatus } from './migration-run.entity.js';

/** A migration_runs row as read with its requester's username. */
export interface MigrationRunRow {
  id: string;
  workflow_key: string;
  from_version: number;
  to_version: number;
  mapping: StepMapping;
  requested_by: string;
  requested_by_username: string | null;
  status: MigrationRunStatus;
  total: number;
  migrated: number;
  refused: number;
  skipped: number;
  failed: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

/** A case the run did not move, and why. */
export interface MigrationRunCaseView {
  caseId: string;
  title: string | null;
  outcome: Exclude<MigrationCaseOutcome, 'pending' | 'migrated'>;
  reason: string | null;
  handledAt: Date | null;
}

export interface MigrationRunView {
  id: string;
  workflow: string;
  fromVersion: number;
  toVersion: number;
  mapping: StepMapping;
  requestedBy: { id: string; username: string | null };
  status: MigrationRunStatus;
  /** `pending`: not handled yet; the others add up to `total` once the run is done. */
  counts: { total: number; pending: number; migrated: number; refused: number; skipped: number; failed: number };
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  /** Only on a single run: the cases not moved (refused, skipped, failed), in the run's order, at most {@link REFUSALS_SHOWN}. */
  refusals?: MigrationRunCaseView[];
}

/** How many not-moved cases a run's view lists; the counts have them all. */
export const REFUSALS_SHOWN = 1000;

export function runView(row: MigrationRunRow, refusals?: MigrationRunCaseView[]): MigrationRunView {
  const handled = row.migrated + row.refused + row.skipped + row.failed;
  return {
    id: row.id,
    workflow: row.workflow_key,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    mapping: row.mapping,
    requestedBy: { id: row.requested_by, username: row.requested_by_username },
    status: row.status,
    counts: {
      total: row.total,
      pending: Math.max(0, row.total - handled),
      migrated: row.migrated,
      refused: row.refused,
      skipped: row.skipped,
      failed: row.failed,
    },
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    ...(refusals ? { refusals } : {}),
  };
}

/** The state of a run's BullMQ job: BullMQ's own names, `missing` when Redis has no such job. */
export type RunJobState = 'missing' | 'failed' | 'completed' | 'active' | 'waiting' | 'delayed' | 'prioritized' | 'waiting-children' | 'unknown';

/**
 * What a new request for the workflow does about its run that is still queued or running:
 * - `busy`: the run goes on (its job waits or runs) — the request is refused (409);
 * - `requeue`: Redis lost its job — queue it again (the job id is the run's, so a request
 *   racing the one that queues it adds nothing), the run resumes with its pending cases, and
 *   the request is still refused;
 * - `abandoned`: BullMQ gave up on the job (it failed on every attempt, or its worker died
 *   again and again) — the run is marked failed, and the request may start a new run, which
 *   takes the cases still on the old version.
 */
export function activeRunVerdict(jobState: RunJobState): 'busy' | 'requeue' | 'abandoned' {
  if (jobState === 'failed') return 'abandoned';
  if (jobState === 'missing') return 'requeue';
  return 'busy';
}
