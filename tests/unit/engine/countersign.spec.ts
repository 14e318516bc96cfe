import { countersignOutcome, type CountersignDefinition } from '../../../src/engine/countersign.js';
import { EngineExceptionCode } from '../../../src/engine/engine.exception.js';
import { loadSeedDefinition } from '../../support/seed-workflows.js';

const all: CountersignDefinition = { mode: 'all', approve: 'approve', reject: 'return' };
const any: CountersignDefinition = { mode: 'any', approve: 'approve', reject: 'return' };
const half: CountersignDefinition = { mode: 'ratio', ratio: 0.5, approve: 'approve', reject: 'return' };
const twoThirds: CountersignDefinition = { mode: 'ratio', ratio: 2 / 3, approve: 'approve', reject: 'return' };
const unanimous: CountersignDefinition = { mode: 'ratio', ratio: 1, approve: 'approve', reject: 'return' };

const A = 'approve';
const R = 'return';

/** [name, definition, voters, votes, expected: 'pending' or the deciding action]. */
type Row = [name: string, definition: CountersignDefinition, voters: number, votes: string[], expected: string];

const ROWS: Row[] = [
  // One voter: every mode decides on the first vote, as if there were no countersign.
  ['all, one voter approves', all, 1, [A], A],
  ['all, one voter rejects', all, 1, [R], R],
  ['any, one voter approves', any, 1, [A], A],
  ['any, one voter rejects', any, 1, [R], R],
  ['ratio 0.5, one voter approves', half, 1, [A], A],
  ['ratio 0.5, one voter rejects', half, 1, [R], R],
  ['ratio 1, one voter approves', unanimous, 1, [A], A],
  // 会签: everyone must approve; one rejection decides at once.
  ['all, nobody voted yet', all, 3, [], 'pending'],
  ['all, 2 of 3 approved', all, 3, [A, A], 'pending'],
  ['all, 3 of 3 approved', all, 3, [A, A, A], A],
  ['all, the first vote rejects', all, 3, [R], R],
  ['all, a rejection after approvals', all, 3, [A, A, R], R],
  // 或签: the first vote decides, whichever way.
  ['any, nobody voted yet', any, 3, [], 'pending'],
  ['any, the first vote approves', any, 3, [A], A],
  ['any, the first vote rejects', any, 3, [R], R],
  ['any, later votes do not change the first', any, 3, [R, A, A], R],
  // 票签: approvals / voters >= ratio approves; unreachable rejects.
  ['ratio 0.5 of 4, one approval', half, 4, [A], 'pending'],
  ['ratio 0.5 of 4, two approvals reach exactly half', half, 4, [A, A], A],
  ['ratio 0.5 of 4, 2:2 approves (half is enough)', half, 4, [R, R, A, A], A],
  ['ratio 0.5 of 4, two rejections: half is still reachable', half, 4, [R, R], 'pending'],
  ['ratio 0.5 of 4, 1:2 with one vote left: half is still reachable', half, 4, [A, R, R], 'pending'],
  ['ratio 0.5 of 4, three rejections: half is out of reach', half, 4, [R, R, R], R],
  ['ratio 0.5 of 3, two approvals', half, 3, [A, A], A],
  ['ratio 0.5 of 3, one approval is a third', half, 3, [A], 'pending'],
  ['ratio 0.5 of 3, two rejections', half, 3, [R, R], R],
  ['ratio 2/3 of 3, two approvals reach it exactly', twoThirds, 3, [A, A], A],
  ['ratio 2/3 of 3, one rejection leaves it reachable', twoThirds, 3, [R, A], 'pending'],
  ['ratio 2/3 of 3, two rejections', twoThirds, 3, [R, R], R],
  ['ratio 2/3 of 6, four approvals', twoThirds, 6, [A, A, A, A], A],
  ['ratio 2/3 of 6, three rejections', twoThirds, 6, [R, A, R, R], R],
  ['ratio 1 of 3, one rejection', unanimous, 3, [A, R], R],
  ['ratio 1 of 3, all approve', unanimous, 3, [A, A, A], A],
];

describe('countersignOutcome', () => {
  it.each(ROWS)('%s', (_name, definition, voters, votes, expected) => {
    const outcome = countersignOutcome(definition, voters, votes);
    const counts = { approvals: votes.filter((v) => v === A).length, rejections: votes.filter((v) => v === R).length, voters };
    expect(outcome).toEqual(expected === 'pending' ? { state: 'pending', ...counts } : { state: 'decided', action: expected, ...counts });
  });

  it.each([
    ['a vote for another action of the step', all, 3, ['reject'], /'approve' or 'return', not 'reject'/],
    ['more votes than voters', any, 1, [A, A], /2 votes were cast but only 1 voters/],
    ['no voters', all, 0, [], /at least one voter/],
    ['a fractional number of voters', all, 1.5, [], /at least one voter/],
    ['a ratio mode without a ratio', { mode: 'ratio', approve: A, reject: R } as CountersignDefinition, 2, [A], /0 < ratio <= 1/],
  ])('refuses %s (COUNTERSIGN_VOTE_INVALID)', (_name, definition, voters, votes, message) => {
    expect(() => countersignOutcome(definition, voters, votes)).toThrow(
      expect.objectContaining({ name: 'EngineException', code: EngineExceptionCode.COUNTERSIGN_VOTE_INVALID, message: expect.stringMatching(message) }),
    );
  });
});

describe("poverty-entry's county review (会签)", () => {
  const review = loadSeedDefinition('poverty-entry').steps.countyReview;

  it('needs every county reviewer, and a doubt returns the case to the town for correction', () => {
    expect(review.countersign).toEqual({ mode: 'all', approve: 'approve', reject: 'return' });
    expect(review.actions?.return).toMatchObject({ kind: 'return', target: 'propose' });
  });

  it.each([A, R])('decides a county with one reviewer on that reviewer’s %s, as before', (vote) => {
    expect(countersignOutcome(review.countersign!, 1, [vote])).toMatchObject({ state: 'decided', action: vote });
  });
});
