import { activeRunVerdict } from '../../../src/common/run-job.js';

describe('a new request meeting a run (migration, assessment) still queued or running', () => {
  it.each([
    ['waiting', 'busy'],
    ['active', 'busy'],
    ['delayed', 'busy'],
    ['prioritized', 'busy'],
    // Finished between the two reads: the run row is already done, the next request goes through.
    ['completed', 'busy'],
    ['unknown', 'busy'],
    // Redis lost the job: queue it again; the run resumes with its pending cases.
    ['missing', 'requeue'],
    // BullMQ gave up on it (failed on every attempt, or stalled too often): the run is over, a new one may start.
    ['failed', 'abandoned'],
  ] as const)('with its job %s: %s', (state, verdict) => {
    expect(activeRunVerdict(state)).toBe(verdict);
  });
});
