/**
 * Migration runs (pure): how a run is shown. MigrationRunsService does the I/O; what a new
 * request does about the run already queued or running is `activeRunVerdict`
 * (src/common/run-job.ts), shared with the year-end assessment.
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
