import { EngineException, EngineExceptionCode } from './engine.exception.js';

/**
 * Countersigning (会签): a task step decided by several people's votes instead of one
 * person's action.
 *  - `all` (会签): approved when every voter approved; rejected as soon as one rejects;
 *  - `any` (或签): the first vote decides, whichever way;
 *  - `ratio` (票签): approved as soon as the approvals reach `ratio` of the voters; rejected
 *    as soon as the votes still outstanding could no longer bring them there.
 *
 * Who the voters are and where their votes are kept is the shell's business (task
 * signers). The engine only says, from the votes so far, whether the step is decided and
 * which of its actions decides it; the shell then applies that action like any other.
 * With a single voter every mode decides on the first vote, as if there were no
 * countersign at all.
 */
export const COUNTERSIGN_MODES = ['all', 'any', 'ratio'] as const;
export type CountersignMode = (typeof COUNTERSIGN_MODES)[number];

export interface CountersignDefinition {
  mode: CountersignMode;
  /** `ratio` only (and required there): the share of the voters that must approve, 0 < ratio ≤ 1. */
  ratio?: number;
  /** The step's action taken when the vote approves. */
  approve: string;
  /** The step's action taken when the vote rejects. */
  reject: string;
}

export type CountersignOutcome =
  | { state: 'pending'; approvals: number; rejections: number; voters: number }
  | { state: 'decided'; action: string; approvals: number; rejections: number; voters: number };

/** votes: the decisions (action keys) of the voters who voted so far; voters: how many may vote in total. */
export function countersignOutcome(definition: CountersignDefinition, voters: number, votes: readonly string[]): CountersignOutcome {
  if (!Number.isInteger(voters) || voters < 1) {
    throw invalid(`A countersign needs at least one voter, not ${voters}`, { voters });
  }
  if (votes.length > voters) {
    throw invalid(`${votes.length} votes were cast but only ${voters} voters may vote`, { voters, votes: votes.length });
  }
  let approvals = 0;
  let rejections = 0;
  for (const vote of votes) {
    if (vote === definition.approve) approvals += 1;
    else if (vote === definition.reject) rejections += 1;
    else {
      throw invalid(`A countersign vote is '${definition.approve}' or '${definition.reject}', not '${vote}'`, {
        vote,
        allowed: [definition.approve, definition.reject],
      });
    }
  }
  const counts = { approvals, rejections, voters };
  const decided = (action: string): CountersignOutcome => ({ state: 'decided', action, ...counts });

  switch (definition.mode) {
    case 'all':
      if (rejections > 0) return decided(definition.reject);
      return approvals === voters ? decided(definition.approve) : { state: 'pending', ...counts };
    case 'any':
      return votes.length > 0 ? decided(votes[0]) : { state: 'pending', ...counts };
    case 'ratio': {
      const ratio = definition.ratio;
      if (ratio === undefined || !(ratio > 0 && ratio <= 1)) throw invalid(`A ratio countersign needs a ratio with 0 < ratio <= 1, not ${ratio}`, { ratio });
      // Both tests divide the same way, so the reachable share can never satisfy both.
      if (approvals / voters >= ratio) return decided(definition.approve);
      const reachable = approvals + (voters - votes.length);
      if (reachable / voters < ratio) return decided(definition.reject);
      return { state: 'pending', ...counts };
    }
  }
}

function invalid(message: string, details: Record<string, unknown>): EngineException {
  return new EngineException(EngineExceptionCode.COUNTERSIGN_VOTE_INVALID, message, details);
}
