import { isWithin, jurisdictionAt } from '../engine/jurisdiction-code.js';
import type { Role } from '../engine/workflow-definition.js';

/**
 * What a user may do with a case, decided from the jurisdiction tree alone (pure):
 *  - `act`: the case lies in the user's subtree (a node contains itself). Which actions are
 *    open is the engine's decision (role, level, step); this only opens the door.
 *  - `read`: an auditor inside their subtree (auditors never act), or a user of a county
 *    that helps (对口帮扶) the case's county, where the case's definition allows paired reads.
 *  - `none`: everything else — answered 404, as if the case did not exist, and audited.
 *
 * Codes nest by prefix, so containment is a prefix test (the same test the materialized path
 * of the tree answers with an index; nodes added by administrators keep that rule).
 */
export type CaseAccess = 'act' | 'read' | 'none';

export interface AccessSubject {
  roles: readonly Role[];
  jurisdictionCode: string;
}

export interface CaseAccessContext {
  caseJurisdiction: string;
  /** The definition's `access.pairedCountyRead`. */
  pairedCountyRead: boolean;
  /** The counties the user's county helps (county_pairings helper → helped). */
  helpedCounties: readonly string[];
}

export function caseAccess(user: AccessSubject, context: CaseAccessContext): CaseAccess {
  if (isWithin(context.caseJurisdiction, user.jurisdictionCode)) {
    return user.roles.some((role) => role !== 'auditor') ? 'act' : 'read';
  }
  if (context.pairedCountyRead) {
    const county = jurisdictionAt(context.caseJurisdiction, 'county');
    if (county && context.helpedCounties.includes(county)) return 'read';
  }
  return 'none';
}
