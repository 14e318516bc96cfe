import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  CaseDriver,
  ELIGIBLE_PROPOSAL,
  FAILING_APPRAISAL,
  HOUSEHOLD,
  PASSING_APPRAISAL,
  steps,
  SUPPORT_PLAN,
  type CaseBody,
} from '../support/case-driver.js';

const DAY = 86_400_000;
let testApp: TestApp;
let driver: CaseDriver;

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.clock.set(new Date('2026-03-02T01:00:00Z'));
  driver = new CaseDriver(testApp);
});

afterAll(async () => {
  await testApp.close();
});

async function verified(body: CaseBody): Promise<void> {
  const response = await driver.verify('ts-officer', body.id);
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ valid: true, replayMatches: true });
}


describe('poverty-entry through the API', () => {
  it('registers an eligible household after county review, city approval and a quiet notice period', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    expect(c).toMatchObject({ status: 'active', version: 0, workflow: { key: 'poverty-entry', version: 4 } });
    expect(steps(c)).toEqual(['propose']);
    expect(c.openTasks).toEqual([expect.objectContaining({ step: 'propose', role: 'officer', level: 'town' })]);
    expect(c.availableActions.map((a) => a.action).sort()).toEqual(['cancel', 'submit']);

    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(c)).toEqual(['support']);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    expect(steps(c)).toEqual(['appraisal']);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    expect(steps(c)).toEqual(['countyReview']);
    expect(c.openTasks).toEqual([expect.objectContaining({ step: 'countyReview', role: 'reviewer', level: 'county', jurisdictionCode: '440781' })]);
    // The officer can still read the case but has nothing to do at the county's step.
    expect(c.availableActions).toEqual([]);

    c = await driver.act('ts-reviewer', c, 'approve', { opinion: '材料齐全，同意。' });
    expect(steps(c)).toEqual(['cityApproval']);
    expect(c.openTasks[0]).toMatchObject({ role: 'approver', level: 'city', jurisdictionCode: '440700' });
    c = await driver.act('jm-approver', c, 'approve', {});
    expect(steps(c)).toEqual(['publicNotice']);

    const early = await driver.try('ts-officer', c, 'conclude');
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', details: { code: 'GUARD_FAILED' } });
    expect(early.body.message).toContain('公示期未满');

    testApp.clock.advance(7 * DAY);
    c = await driver.act('ts-officer', c, 'conclude');
    expect(c).toMatchObject({ status: 'registered', finished: true, openTasks: [], availableActions: [] });
    expect(c.version).toBe(6);
    await verified(c);

    const history = await testApp.http.get(`/api/cases/${c.id}/history`).set('Authorization', `Bearer ${await driver.token('ts-reviewer')}`);
    expect(history.body.map((h: { eventType: string; action: string | null }) => h.action ?? h.eventType)).toEqual([
      'started',
      'submit',
      'submit',
      'record',
      // The county review is a 会签; its one reviewer's vote decides and is the action itself.
      'approve',
      'approve',
      'conclude',
    ]);
  });

  it('refuses an ineligible household with 422 and the reason, changing nothing', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    // 台山 is a low-line county: a rural household at 5,040 yuan is not below the line.
    const refused = await driver.try('ts-officer', c, 'submit', { ...ELIGIBLE_PROPOSAL, perCapitaIncome: 5040 });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toMatchObject({ code: 'GUARD_FAILED', step: 'propose', action: 'submit' });
    expect(refused.body.message).toContain('5040');
    const after = await driver.get('ts-officer', c.id);
    expect(after.body).toMatchObject({ version: 0, currentSteps: [expect.objectContaining({ key: 'propose' })] });
    const accepted = await driver.act('ts-officer', c, 'submit', { ...ELIGIBLE_PROPOSAL, perCapitaIncome: 5039 });
    expect(steps(accepted)).toEqual(['support']);
  });

  it('walks every return path and comes back', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'return', { reason: '收入材料缺失' });
    expect(steps(c)).toEqual(['propose']);
    expect(c.currentSteps[0].entry).toBe(2);
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await driver.act('ts-officer', c, 'return', { reason: '帮扶计划需细化' });
    expect(steps(c)).toEqual(['support']);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    // A failed vote sends the plan back to be reconsidered.
    c = await driver.act('ts-officer', c, 'record', FAILING_APPRAISAL);
    expect(steps(c)).toEqual(['support']);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'return', { reason: '家庭成员信息有误，请补正' });
    expect(steps(c)).toEqual(['propose']);
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('jm-approver', c, 'return', { reason: '请县级复核收入' });
    expect(steps(c)).toEqual(['countyReview']);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('jm-approver', c, 'approve', {});
    c = await driver.act('ts-officer', c, 'object', { objection: '该户有经营性收入未申报', objector: '村民' });
    expect(steps(c)).toEqual(['objectionReview']);
    c = await driver.act('ts-officer', c, 'dismiss', { finding: '经核查收入已如实申报' });
    expect(steps(c)).toEqual(['publicNotice']);
    c = await driver.act('ts-officer', c, 'object', { objection: '再次异议' });
    c = await driver.act('ts-officer', c, 'uphold', { finding: '异议属实，重新评议' });
    expect(steps(c)).toEqual(['appraisal']);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('jm-approver', c, 'approve', {});
    testApp.clock.advance(8 * DAY);
    c = await driver.act('ts-officer', c, 'conclude');
    expect(c.status).toBe('registered');
    await verified(c);
  });

  it('ends rejected at the county, rejected at the city, or withdrawn by the town', async () => {
    let county = await driver.entryAtCountyReview();
    county = await driver.act('ts-reviewer', county, 'reject', { reason: '家庭收入超过标准' });
    expect(county).toMatchObject({ status: 'rejected', finished: true });

    let city = await driver.entryAtCountyReview();
    city = await driver.act('ts-reviewer', city, 'approve', {});
    city = await driver.act('jm-approver', city, 'reject', { reason: '不符合条件' });
    expect(city).toMatchObject({ status: 'rejected', finished: true });

    let withdrawn = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    withdrawn = await driver.act('ts-officer', withdrawn, 'cancel', { reason: '农户撤回申请' });
    expect(withdrawn).toMatchObject({ status: 'cancelled', finished: true });
    await Promise.all([verified(county), verified(city), verified(withdrawn)]);

    const late = await driver.try('ts-officer', withdrawn, 'submit', ELIGIBLE_PROPOSAL);
    expect(late.status).toBe(422);
    expect(late.body.details.code).toBe('CASE_FINISHED');
  });

  it('investigates an objection as a case of its own and goes on by its outcome: appraised again, rejected, or back to the notice', async () => {
    const investigate = async (): Promise<{ parent: CaseBody; child: CaseBody }> => {
      let parent = await driver.act('ts-officer', await driver.entryAtNotice(), 'object', { objection: '该户有经营性收入未申报', objector: '村民' });
      parent = await driver.act('ts-officer', parent, 'investigate', { finding: '需入户调查' });
      expect(steps(parent)).toEqual(['investigation']);
      const child = (await driver.get('ts-officer', parent.children[0].id)).body as CaseBody;
      return { parent, child: await driver.act('ts-officer', child, 'report', { findings: '入户走访核实' }) };
    };
    const parentOf = async (parent: CaseBody) => (await driver.get('ts-officer', parent.id)).body as CaseBody;

    // Upheld: appraised again, then registered after a quiet notice period.
    const upheld = await investigate();
    // The county first wants more: the investigation goes back to the town once.
    let child = await driver.act('ts-reviewer', upheld.child, 'return', { reason: '请补充务工收入证明' });
    child = await driver.act('ts-officer', child, 'report', { findings: '已补充务工收入证明' });
    child = await driver.act('ts-reviewer', child, 'uphold', { conclusion: '异议成立，重新评议', disqualified: false });
    expect(child).toMatchObject({ status: 'upheld', finished: true });
    let c = await parentOf(upheld.parent);
    expect(steps(c)).toEqual(['appraisal']);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('jm-approver', c, 'approve', {});
    testApp.clock.advance(7 * DAY);
    c = await driver.act('ts-officer', c, 'conclude');
    expect(c.status).toBe('registered');

    // Upheld, and the household does not qualify: rejected.
    const disqualified = await investigate();
    child = await driver.act('ts-reviewer', disqualified.child, 'uphold', { conclusion: '经营性收入超过贫困线', disqualified: true });
    expect(await parentOf(disqualified.parent)).toMatchObject({ status: 'rejected', finished: true });

    // Dismissed: the notice goes on.
    const dismissed = await investigate();
    child = await driver.act('ts-reviewer', dismissed.child, 'dismiss', { conclusion: '异议不成立' });
    expect(child).toMatchObject({ status: 'dismissed', finished: true });
    expect(steps(await parentOf(dismissed.parent))).toEqual(['publicNotice']);

    for (const { parent, child: investigation } of [upheld, disqualified, dismissed]) {
      await verified(parent);
      await verified(investigation);
    }
  });

  it('lets only the right role in the right county act', async () => {
    const c = await driver.entryAtCountyReview();
    const officer = await driver.try('ts-officer', c, 'approve', {});
    expect(officer.status).toBe(403);
    expect(officer.body.details.code).toBe('ROLE_NOT_ALLOWED');
    // 开平's reviewer is outside the case's jurisdiction: the case does not exist for them.
    const otherCounty = await driver.try('kp-reviewer', c, 'approve', {});
    expect(otherCounty.status).toBe(404);
    const wrongStep = await driver.try('ts-reviewer', c, 'conclude');
    expect(wrongStep.status).toBe(422);
    expect(wrongStep.body.details.code).toBe('ACTION_NOT_IN_STEP');
  });
});

describe('poverty-exit through the API', () => {
  const EXIT_CHECKLIST = { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };
  const EXIT_SUPPORT = { pairedUnit: '台山市农业农村局', responsiblePerson: '黄志强' };

  async function exitAtNotice(): Promise<CaseBody> {
    let c = await driver.start('ts-officer', 'poverty-exit', HOUSEHOLD);
    c = await driver.act('ts-officer', c, 'submit', { perCapitaIncome: 7200, ...EXIT_CHECKLIST });
    c = await driver.act('ts-officer', c, 'submit', EXIT_SUPPORT);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    return driver.act('ts-reviewer', c, 'approve', {});
  }

  it('exits a household into monitoring, can resume support, and closes when monitoring ends', async () => {
    let c = await exitAtNotice();
    expect(steps(c)).toEqual(['publicNotice']);
    testApp.clock.advance(7 * DAY);
    c = await driver.act('ts-officer', c, 'conclude');
    expect(c).toMatchObject({ status: 'exited', finished: false });
    expect(steps(c)).toEqual(['monitoring']);
    c = await driver.act('ts-officer', c, 'resumeSupport', { reason: '因病返贫' });
    expect(steps(c)).toEqual(['support']);
    expect(c.status).toBe('active');
    c = await driver.act('ts-officer', c, 'submit', EXIT_SUPPORT);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'return', { reason: '评议记录不全' });
    expect(steps(c)).toEqual(['appraisal']);
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('ts-officer', c, 'object', { objection: '收入未稳定' });
    c = await driver.act('ts-officer', c, 'uphold', { finding: '需重新评议' });
    c = await driver.act('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('ts-officer', c, 'object', { objection: '匿名异议' });
    c = await driver.act('ts-officer', c, 'dismiss', { finding: '异议不成立' });
    testApp.clock.advance(7 * DAY);
    c = await driver.act('ts-officer', c, 'conclude');
    c = await driver.act('ts-officer', c, 'endMonitoring', { note: '帮扶期满' });
    expect(c).toMatchObject({ status: 'exited', finished: true });
    await verified(c);
  });

  it('refuses an exit below the standard and ends notExited when the county or town stops it', async () => {
    let c = await driver.start('ts-officer', 'poverty-exit', HOUSEHOLD);
    const below = await driver.try('ts-officer', c, 'submit', { perCapitaIncome: 6000, ...EXIT_CHECKLIST });
    expect(below.status).toBe(422);
    expect(below.body.details.code).toBe('GUARD_FAILED');
    const housing = await driver.try('ts-officer', c, 'submit', { perCapitaIncome: 9000, ...EXIT_CHECKLIST, housingSafety: false });
    expect(housing.status).toBe(422);
    c = await driver.act('ts-officer', c, 'submit', { perCapitaIncome: 9000, ...EXIT_CHECKLIST });
    c = await driver.act('ts-officer', c, 'return', { reason: '补充材料' });
    c = await driver.act('ts-officer', c, 'cancel', { reason: '暂缓退出' });
    expect(c).toMatchObject({ status: 'notExited', finished: true });

    let county = await driver.start('ts-officer', 'poverty-exit', HOUSEHOLD);
    county = await driver.act('ts-officer', county, 'submit', { perCapitaIncome: 7200, ...EXIT_CHECKLIST });
    county = await driver.act('ts-officer', county, 'submit', EXIT_SUPPORT);
    county = await driver.act('ts-officer', county, 'record', FAILING_APPRAISAL);
    expect(steps(county)).toEqual(['support']);
    county = await driver.act('ts-officer', county, 'submit', EXIT_SUPPORT);
    county = await driver.act('ts-officer', county, 'record', PASSING_APPRAISAL);
    county = await driver.act('ts-reviewer', county, 'reject', { reason: '收入不稳定' });
    expect(county).toMatchObject({ status: 'notExited', finished: true });
    await Promise.all([verified(c), verified(county)]);
  });
});

describe('disaster-reentry through the API', () => {
  const DISASTER = { householdName: '黄阿婆', disasterType: 'typhoon', disasterDate: '2026-09-14', lossDescription: '台风“桦加沙”致房屋倒塌，养殖鱼塘损毁。' };
  const DEPARTMENTS = ['agricultureConfirm', 'meteorologyConfirm', 'civilAffairsConfirm', 'landConfirm'];

  async function confirmAll(c: CaseBody): Promise<CaseBody> {
    for (const step of DEPARTMENTS) c = await driver.act('ts-reviewer', c, 'confirm', { opinion: '经核实属实' }, { step });
    return c;
  }

  it('needs all four departments, then town, county and city, and joins next year’s plan', async () => {
    let c = await driver.start('ts-officer', 'disaster-reentry', DISASTER);
    expect(steps(c)).toEqual([...DEPARTMENTS].sort());
    expect(c.openTasks).toHaveLength(4);
    // The same action in four parallel steps: the caller must say which.
    const ambiguous = await driver.try('ts-reviewer', c, 'confirm', { opinion: '属实' });
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.body.details.code).toBe('AMBIGUOUS_ACTION');

    for (const [index, step] of DEPARTMENTS.entries()) {
      c = await driver.act('ts-reviewer', c, 'confirm', { opinion: '经核实属实' }, { step });
      if (index < 3) expect(c.openTasks).toHaveLength(3 - index);
    }
    expect(steps(c)).toEqual(['townApplication']);
    c = await driver.act('ts-officer', c, 'submit', { perCapitaIncome: 3100, application: '申请重新纳入帮扶' });
    c = await driver.act('ts-reviewer', c, 'return', { reason: '缺少灾损证明' });
    expect(steps(c)).toEqual(['townApplication']);
    c = await driver.act('ts-officer', c, 'submit', { perCapitaIncome: 3100, application: '已补充灾损证明' });
    c = await driver.act('ts-reviewer', c, 'approve', {});
    c = await driver.act('jm-approver', c, 'return', { reason: '请复核' });
    expect(steps(c)).toEqual(['countyReview']);
    c = await driver.act('ts-reviewer', c, 'approve', {});
    const noYear = await driver.try('jm-approver', c, 'approve', {});
    expect(noYear.status).toBe(400);
    expect(noYear.body.details.code).toBe('INVALID_INPUT');
    c = await driver.act('jm-approver', c, 'approve', { planYear: 2027 });
    expect(c).toMatchObject({ status: 'includedInPlan', finished: true, data: expect.objectContaining({ planYear: 2027 }) });
    await verified(c);
  });

  it('ends notConfirmed when one department denies, cancelling the other confirmations', async () => {
    let c = await driver.start('ts-officer', 'disaster-reentry', DISASTER);
    c = await driver.act('ts-reviewer', c, 'confirm', { opinion: '属实' }, { step: 'agricultureConfirm' });
    c = await driver.act('ts-reviewer', c, 'deny', { reason: '当日无灾害性天气记录' }, { step: 'meteorologyConfirm' });
    expect(c).toMatchObject({ status: 'notConfirmed', finished: true, openTasks: [] });
    const tasks = await testApp.dataSource.query(`SELECT step, status, outcome FROM tasks WHERE case_id = $1 ORDER BY step`, [c.id]);
    expect(tasks).toEqual([
      { step: 'agricultureConfirm', status: 'completed', outcome: 'confirm' },
      { step: 'civilAffairsConfirm', status: 'cancelled', outcome: 'cancelled' },
      { step: 'landConfirm', status: 'cancelled', outcome: 'cancelled' },
      { step: 'meteorologyConfirm', status: 'completed', outcome: 'deny' },
    ]);
    await verified(c);
  });

  it('ends rejected at county or city, or withdrawn by the town', async () => {
    let county = await confirmAll(await driver.start('ts-officer', 'disaster-reentry', DISASTER));
    county = await driver.act('ts-officer', county, 'submit', { perCapitaIncome: 3100, application: '申请' });
    county = await driver.act('ts-reviewer', county, 'reject', { reason: '损失未达标准' });
    expect(county.status).toBe('rejected');

    let city = await confirmAll(await driver.start('ts-officer', 'disaster-reentry', DISASTER));
    city = await driver.act('ts-officer', city, 'submit', { perCapitaIncome: 3100, application: '申请' });
    city = await driver.act('ts-reviewer', city, 'approve', {});
    city = await driver.act('jm-approver', city, 'reject', { reason: '不符合条件' });
    expect(city.status).toBe('rejected');

    let withdrawn = await confirmAll(await driver.start('ts-officer', 'disaster-reentry', DISASTER));
    withdrawn = await driver.act('ts-officer', withdrawn, 'cancel', { reason: '农户已自行恢复生产' });
    expect(withdrawn.status).toBe('cancelled');
    await Promise.all([verified(county), verified(city), verified(withdrawn)]);
  });
});
