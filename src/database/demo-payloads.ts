/**
 * Form payloads of the demo households, shared by the integration tests (through
 * tests/support/case-driver.ts) and `npm run bench:transitions`. Demo data only: the
 * names are invented, the numbers are chosen to pass (or fail) the poverty-entry guards.
 * The resident ID numbers are invented too (台山 division code, birth dates matching the
 * ages, valid GB 11643 check characters); the API seals them on the way in.
 */

/** Invented resident ID numbers of the demo household 陈大明 (户主) and 李秀英 (配偶). */
export const DEMO_RESIDENT_IDS = { householder: '440781198003122412', spouse: '440781198209173127' } as const;

/** The start form of poverty-entry / poverty-exit. */
export const HOUSEHOLD = { householdName: '陈大明', rural: true, memberCount: 4, householderId: DEMO_RESIDENT_IDS.householder };

/** poverty-entry `propose.submit`: below 台山's rural line, able to work, consenting. */
export const ELIGIBLE_PROPOSAL = {
  perCapitaIncome: 4200,
  hasLabourAbility: true,
  dibao: true,
  consent: true,
  members: [
    { name: '陈大明', relation: '户主', age: 46, labourAbility: true, idNumber: DEMO_RESIDENT_IDS.householder },
    { name: '李秀英', relation: '配偶', age: 44, labourAbility: true, disability: false, idNumber: DEMO_RESIDENT_IDS.spouse },
  ],
};

/** poverty-entry `support.submit`. */
export const SUPPORT_PLAN = {
  measures: ['industry', 'employment'],
  pairedUnit: '台山市农业农村局',
  responsiblePerson: '黄志强',
};

/** `appraisal.record` with a majority for. */
export const PASSING_APPRAISAL = { meetingDate: '2026-03-10', attendance: 41, votesFor: 36, votesAgainst: 3, minutes: '村民代表会议一致同意纳入帮扶。' };
/** `appraisal.record` with a majority against (back to the support plan). */
export const FAILING_APPRAISAL = { meetingDate: '2026-03-10', attendance: 41, votesFor: 12, votesAgainst: 25, minutes: '多数代表认为收入核算有误。' };

/** poverty-entry `countyReview.approve` (the reviewer's opinion). */
export const COUNTY_APPROVAL = { opinion: '材料齐全，同意。' };
/** poverty-entry `cityApproval.approve` (no opinion). */
export const CITY_APPROVAL = {};
