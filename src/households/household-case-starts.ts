import type { RegisterStatus } from './household-file.js';

export interface HouseholdCaseStart {
  /** The file statuses the workflow starts from (`POST /api/households/:id/cases`; else 422). */
  statuses: readonly RegisterStatus[];
  /**
   * The start fields the file fills (when it holds them: an address, the householder's ID, the
   * registration case); the officer gives the others in `data`, and may not give these.
   */
  fromFile: readonly string[];
}

/**
 * The workflows a household file starts (pure data): their cases are about one household, so
 * they start from its file — prefilled from it, linked to it, judged by a year's rules — and the
 * web app's "new case" page sends the officer to the file for them instead of asking again
 * for what the file knows.
 */
export const HOUSEHOLD_CASE_STARTS = {
  'poverty-entry': { statuses: ['none'], fromFile: ['householdName', 'rural', 'memberCount', 'address', 'householderId'] },
  'poverty-exit': { statuses: ['registered', 'reentered'], fromFile: ['householdName', 'rural', 'memberCount', 'entryCaseId', 'householderId'] },
  'disaster-reentry': { statuses: ['exited'], fromFile: ['householdName'] },
} as const satisfies Record<string, HouseholdCaseStart>;

export type HouseholdWorkflow = keyof typeof HOUSEHOLD_CASE_STARTS;

export const HOUSEHOLD_WORKFLOWS = Object.keys(HOUSEHOLD_CASE_STARTS) as HouseholdWorkflow[];

export function householdCaseStart(workflow: string): HouseholdCaseStart | undefined {
  return Object.hasOwn(HOUSEHOLD_CASE_STARTS, workflow) ? HOUSEHOLD_CASE_STARTS[workflow as HouseholdWorkflow] : undefined;
}
