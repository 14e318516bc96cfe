import { caseAccess, type CaseAccess } from '../../../src/cases/case-access.js';
import type { Role } from '../../../src/engine/workflow-definition.js';

const TOWN_CASE = '440781109'; // 端芬镇, 台山市
const VILLAGE_CASE = '440781109201';

describe('caseAccess', () => {
  it.each<[string, Role[], string, string, boolean, string[], CaseAccess]>([
    ['the town officer on a case of the town', ['officer'], '440781109', TOWN_CASE, true, [], 'act'],
    ['the town officer on a case of one of its villages', ['officer'], '440781109', VILLAGE_CASE, true, [], 'act'],
    ['the county reviewer on a case of its town', ['reviewer'], '440781', TOWN_CASE, true, [], 'act'],
    ['the city approver on any case of the city', ['approver'], '440700', TOWN_CASE, true, [], 'act'],
    ['an auditor of the county: reads, never acts', ['auditor'], '440781', TOWN_CASE, true, [], 'read'],
    ['an auditor who also approves acts', ['auditor', 'approver'], '440700', TOWN_CASE, true, [], 'act'],
    ['a village user on a case of its town (the parent)', ['officer'], VILLAGE_CASE, TOWN_CASE, true, [], 'none'],
    ['an officer of another town of the county', ['officer'], '440781100', TOWN_CASE, true, [], 'none'],
    ['a reviewer of another county', ['reviewer'], '440783', TOWN_CASE, true, [], 'none'],
    ['a reviewer of the helping county where the definition allows it', ['reviewer'], '440705', TOWN_CASE, true, ['440781'], 'read'],
    ['an officer of a town of the helping county', ['officer'], '440705100', TOWN_CASE, true, ['440781'], 'read'],
    ['the helping county where the definition does not allow it', ['reviewer'], '440705', TOWN_CASE, false, ['440781'], 'none'],
    ['a county helping a different county', ['reviewer'], '440784', TOWN_CASE, true, ['440783'], 'none'],
  ])('%s', (_what, roles, jurisdictionCode, caseJurisdiction, pairedCountyRead, helpedCounties, expected) => {
    expect(caseAccess({ roles, jurisdictionCode }, { caseJurisdiction, pairedCountyRead, helpedCounties })).toBe(expected);
  });
});
