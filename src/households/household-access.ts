import { caseAccess, type AccessSubject } from '../cases/case-access.js';

/**
 * What a user may do with a household file (pure), from the case rule
 * (src/cases/case-access.ts) with the households' own twist: inside their subtree, only
 * officers (the town poverty offices that keep the 一户一档) change a file; reviewers,
 * approvers, supervisors and administrators read it, auditors read it. Users of a county
 * that helps (对口帮扶) the household's county read it, as they read its cases. Anything
 * else is `none`: answered 404 as if the file did not exist.
 */
export type HouseholdAccess = 'write' | 'read' | 'none';

export function householdAccess(user: AccessSubject, householdJurisdiction: string, helpedCounties: readonly string[]): HouseholdAccess {
  const access = caseAccess(user, { caseJurisdiction: householdJurisdiction, pairedCountyRead: true, helpedCounties });
  if (access === 'act') return user.roles.includes('officer') ? 'write' : 'read';
  return access;
}
