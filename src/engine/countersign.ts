import { EngineException, EngineExceptionCode } from './engine.exception.js';

export type CountersignMode = 'all' | 'any' | 'ratio';

/** A countersign step (会签 all / 或签 any-one / 票签 vote ratio): which actions are the yes and the no. */
export interface CountersignDefinition {
  mode: CountersignMode;
  ratio?: number;
  approve: string;
  reject: string;
}

export type CountersignOutcome =
  | { state: 'pending'; approvals: number; rejections: number; voters: number }
  | { state: 'decided'; action: string; approvals: number; rejections: number; voters: number };

/**
 * Whether the votes so far decide a countersign step. `voters` is how many may vote in all,
 * `votes` the action keys of those who voted. The vote that decides is always one of the
 * decided side, so the shell takes the decided action with that vote's input.
 */
export function countersignOutcome(definition: CountersignDefinition, voters: number, votes: readonly string[]): CountersignOutcome {
  if (!Number.isInteger(voters) || voters < 1 || votes.length > voters) {
    throw new EngineException(EngineExceptionCode.INVALID_INPUT, `A countersign needs at least one voter and no more votes than voters (${votes.length}/${voters})`);
  }
  let approvals = 0;
  let rejections = 0;
  for (const vote of votes) {
    if (vote === definition.approve) approvals += 1;
    else if (vote === definition.reject) rejections += 1;
    else throw new EngineException(EngineExceptionCode.INVALID_INPUT, `'${vote}' is not a vote of this countersign (${definition.approve} or ${definition.reject})`);
  }
  const tally = { approvals, rejections, voters };
  const decided = (action: string): CountersignOutcome => ({ state: 'decided', action, ...tally });
  switch (definition.mode) {
    case 'any':
      if (votes.length > 0) return decided(votes[0]);
      break;
    case 'all':
      if (rejections > 0) return decided(definition.reject);
      if (approvals === voters) return decided(definition.approve);
      break;
    case 'ratio': {
      const needed = (definition.ratio ?? 1) * voters;
      if (approvals >= needed) return decided(definition.approve);
      if (approvals + (voters - votes.length) < needed) return decided(definition.reject);
      break;
    }
  }
  return { state: 'pending', ...tally };
}
