import { householdAccess } from '../../../src/households/household-access.js';

const VILLAGE = '440781109201'; // 台山市端芬镇, a village

describe('householdAccess', () => {
  it('lets officers of the town (and above) change the file', () => {
    expect(householdAccess({ roles: ['officer'], jurisdictionCode: '440781109' }, VILLAGE, [])).toBe('write');
  });
  it('lets other roles inside the subtree read it, auditors too', () => {
    expect(householdAccess({ roles: ['reviewer'], jurisdictionCode: '440781' }, VILLAGE, [])).toBe('read');
    expect(householdAccess({ roles: ['supervisor'], jurisdictionCode: '440700' }, VILLAGE, [])).toBe('read');
    expect(householdAccess({ roles: ['auditor'], jurisdictionCode: '440700' }, VILLAGE, [])).toBe('read');
    expect(householdAccess({ roles: ['administrator'], jurisdictionCode: '440700' }, VILLAGE, [])).toBe('read');
  });
  it('hides it from another town and another county, but not from the county that helps 台山', () => {
    expect(householdAccess({ roles: ['officer'], jurisdictionCode: '440781100' }, VILLAGE, [])).toBe('none');
    expect(householdAccess({ roles: ['reviewer'], jurisdictionCode: '440783' }, VILLAGE, [])).toBe('none');
    expect(householdAccess({ roles: ['officer'], jurisdictionCode: '440705100' }, VILLAGE, ['440781'])).toBe('read');
  });
});
