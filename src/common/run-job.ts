/**
 * Runs recorded in PostgreSQL and carried out by one BullMQ job each (a migration run, a
 * year-end assessment), pure: what a request does about a run still recorded as queued or
 * running, given the state of its job. The I/O is `settleRunJob` in queues.ts.
 */

/** The state of a run's BullMQ job: BullMQ's own names, `missing` when Redis has no such job. */
export type RunJobState = 'missing' | 'failed' | 'completed' | 'active' | 'waiting' | 'delayed' | 'prioritized' | 'waiting-children' | 'unknown';

/**
 * What a request does about a run that is still queued or running:
 * - `busy`: the run goes on (its job waits or runs);
 * - `requeue`: Redis lost its job — queue it again (the job id is the run's, so a request
 *   racing the one that queues it adds nothing) and the run resumes;
 * - `abandoned`: BullMQ gave up on the job (it failed on every attempt, or its worker died
 *   again and again) — the run is marked failed, and the request may start a new run.
 */
export function activeRunVerdict(jobState: RunJobState): 'busy' | 'requeue' | 'abandoned' {
  if (jobState === 'failed') return 'abandoned';
  if (jobState === 'missing') return 'requeue';
  return 'busy';
}
