import { DefinitionsService } from '../../src/definitions/definitions.service.js';
import type { WorkflowDefinition } from '../../src/engine/workflow-definition.js';
import { CaseDriver, HOUSEHOLD, steps, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let driver: CaseDriver;

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.clock.set(new Date('2026-03-02T01:00:00Z'));
  driver = new CaseDriver(testApp);
}, 60_000);

afterAll(async () => {
  await testApp.close();
});

const OBJECTION = { objection: '该户家庭成员在外务工收入未申报', objector: '村民' };

interface HistoryRow {
  seq: number;
  eventType: string;
  action: string | null;
  actor: { kind: string; username: string | null };
  payload: Record<string, unknown>;
}

async function history(id: string): Promise<HistoryRow[]> {
  const response = await testApp.http.get(`/api/cases/${id}/history`).set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
  expect(response.status).toBe(200);
  return response.body as HistoryRow[];
}

async function read(id: string): Promise<CaseBody> {
  const response = await driver.get('ts-officer', id);
  expect(response.status).toBe(200);
  return response.body as CaseBody;
}

async function verified(id: string): Promise<void> {
  const response = await driver.verify('ts-officer', id);
  expect(response.body).toMatchObject({ valid: true, replayMatches: true });
}

/** A poverty-entry case whose objection is under investigation, and the investigation case it started. */
async function underInvestigation(): Promise<{ parent: CaseBody; child: CaseBody }> {
  let parent = await driver.act('ts-officer', await driver.entryAtNotice(), 'object', OBJECTION);
  parent = await driver.act('ts-officer', parent, 'investigate', { finding: '需入户核实务工收入' });
  expect(parent.children).toHaveLength(1);
  return { parent, child: await read(parent.children[0].id) };
}

async function inboxOf(username: string): Promise<{ caseId: string; step: { key: string }; workflow: { key: string }; title: string }[]> {
  const response = await testApp.http.get('/api/tasks').set('Authorization', `Bearer ${await driver.token(username)}`);
  expect(response.status).toBe(200);
  return response.body.items;
}

describe('a call step through the API', () => {
  it('starts the investigation as a case of its own, which moves the calling case on when it ends', async () => {
    const { parent, child } = await underInvestigation();

    // The calling case waits at its call step: no task, nothing to do, its child listed.
    expect(steps(parent)).toEqual(['investigation']);
    expect(parent).toMatchObject({ status: 'active', openTasks: [], availableActions: [], parent: null });
    expect(parent.children).toEqual([
      { id: child.id, workflow: 'objection-investigation', status: 'active', finished: false, step: 'investigation', stepEntry: 1, createdAt: '2026-03-02T01:00:00.000Z' },
    ]);
    expect((await read(parent.id)).children).toEqual(parent.children);

    // The child: in the same jurisdiction, started by the system with the parent's facts, linked back.
    expect(child).toMatchObject({
      workflow: { key: 'objection-investigation', version: 1 },
      title: HOUSEHOLD.householdName,
      status: 'active',
      version: 0,
      jurisdictionCode: parent.jurisdictionCode,
      parent: { id: parent.id, workflow: 'poverty-entry', step: 'investigation', stepEntry: 1 },
      children: [],
      data: { householdName: HOUSEHOLD.householdName, ...OBJECTION, reviewFinding: '需入户核实务工收入' },
    });
    expect(steps(child)).toEqual(['investigate']);

    // It waits in the town officer's inbox like any task.
    expect((await inboxOf('ts-officer')).filter((item) => item.caseId === child.id)).toEqual([
      expect.objectContaining({ caseId: child.id, step: expect.objectContaining({ key: 'investigate' }), workflow: expect.objectContaining({ key: 'objection-investigation' }), title: HOUSEHOLD.householdName }),
    ]);

    // Both histories record the call: the parent's action and `call/started`, the child's start naming its caller.
    const parentHistory = await history(parent.id);
    expect(parentHistory.slice(-2).map((h) => [h.eventType, h.action, h.actor.kind, h.payload])).toEqual([
      ['action', 'investigate', 'user', expect.objectContaining({ step: 'objectionReview', action: 'investigate' })],
      ['call', 'started', 'system', { step: 'investigation', entry: 1, workflow: 'objection-investigation', childCaseId: child.id }],
    ]);
    const [started] = await history(child.id);
    expect(started).toMatchObject({ eventType: 'started', actor: { kind: 'system' }, payload: { calledBy: { caseId: parent.id, step: 'investigation', entry: 1 } } });

    // The town investigates, the county upholds the objection (the household may be appraised again).
    let investigation = await driver.act('ts-officer', child, 'report', { findings: '入户走访，务工收入属实但未超线' });
    testApp.clock.advance(3_600_000);
    investigation = await driver.act('ts-reviewer', investigation, 'uphold', { conclusion: '异议成立，重新评议', disqualified: false });
    expect(investigation).toMatchObject({ status: 'upheld', finished: true, parent: { id: parent.id } });

    // The calling case went on by itself, in the same transaction: back to the village appraisal.
    const moved = await read(parent.id);
    expect(steps(moved)).toEqual(['appraisal']);
    expect(moved).toMatchObject({ status: 'active', version: parent.version + 1 });
    expect(moved.currentSteps[0].entry).toBe(2);
    expect(moved.openTasks).toEqual([expect.objectContaining({ step: 'appraisal', role: 'officer', level: 'town' })]);
    expect(moved.children).toEqual([expect.objectContaining({ id: child.id, status: 'upheld', finished: true })]);
    const delivered = (await history(parent.id)).at(-1)!;
    expect(delivered).toMatchObject({
      eventType: 'action',
      action: '$childDone',
      actor: { kind: 'system' },
      payload: {
        step: 'investigation',
        action: '$childDone',
        input: { childCaseId: child.id, status: 'upheld', data: expect.objectContaining({ conclusion: '异议成立，重新评议', disqualified: false }) },
        now: '2026-03-02T02:00:00.000Z',
      },
    });
    // The call step's own clock stopped with it.
    const timers = await testApp.dataSource.query(`SELECT DISTINCT status FROM deadlines WHERE case_id = $1 AND step = 'investigation'`, [parent.id]);
    expect(timers).toEqual([{ status: 'cancelled' }]);
    await verified(parent.id);
    await verified(child.id);
  });

  it('goes back to the notice when the objection is dismissed, and ends rejected when the household does not qualify', async () => {
    const dismissed = await underInvestigation();
    let child = await driver.act('ts-officer', dismissed.child, 'report', { findings: '务工收入已申报' });
    child = await driver.act('ts-reviewer', child, 'dismiss', { conclusion: '异议不成立' });
    expect(child.status).toBe('dismissed');
    expect(steps(await read(dismissed.parent.id))).toEqual(['publicNotice']);

    const rejected = await underInvestigation();
    child = await driver.act('ts-officer', rejected.child, 'report', { findings: '家庭经营收入远超贫困线' });
    child = await driver.act('ts-reviewer', child, 'uphold', { conclusion: '不符合识别条件', disqualified: true });
    expect(await read(rejected.parent.id)).toMatchObject({ status: 'rejected', finished: true, openTasks: [] });
    for (const id of [dismissed.parent.id, dismissed.child.id, rejected.parent.id, rejected.child.id]) await verified(id);
  });

  it('refuses an investigation whose input cannot fill the called start form, changing nothing', async () => {
    let parent = await driver.act('ts-officer', await driver.entryAtNotice(), 'object', OBJECTION);
    // The parent's form allows the finding; the investigation's start form caps it at 2,000 characters.
    const refused = await driver.try('ts-officer', parent, 'investigate', { finding: 'y'.repeat(2001) });
    expect(refused.status).toBe(422);
    expect(refused.body.details).toMatchObject({ code: 'CALL_INPUT_INVALID', step: 'investigation', workflow: 'objection-investigation' });
    expect(refused.body.message).toContain("Step 'investigation' cannot start 'objection-investigation': its start form is not filled: reviewFinding");
    parent = await read(parent.id);
    expect(steps(parent)).toEqual(['objectionReview']);
    expect(parent.children).toEqual([]);
    const [{ count }] = await testApp.dataSource.query(`SELECT count(*)::int AS count FROM cases WHERE parent_case_id = $1`, [parent.id]);
    expect(count).toBe(0);
  });
});

describe('one transaction for the call', () => {
  async function failing(sql: string, run: () => Promise<void>): Promise<void> {
    await testApp.dataSource.query(`
      CREATE FUNCTION fail_call() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      ${sql}`);
    try {
      await run();
    } finally {
      await testApp.dataSource.query(`DROP FUNCTION fail_call() CASCADE`);
    }
  }

  async function counts(id: string) {
    const [row] = await testApp.dataSource.query(
      `SELECT (SELECT version FROM cases WHERE id = $1) AS version,
              (SELECT count(*)::int FROM case_history WHERE case_id = $1) AS history,
              (SELECT count(*)::int FROM tasks WHERE case_id = $1 AND status = 'open') AS open_tasks,
              (SELECT count(*)::int FROM deadlines WHERE case_id = $1 AND status = 'pending') AS timers,
              (SELECT count(*)::int FROM outbox WHERE case_id = $1) AS outbox,
              (SELECT count(*)::int FROM cases WHERE parent_case_id = $1) AS children`,
      [id],
    );
    return row;
  }

  it('leaves nothing when starting the child fails after the parent moved and the child case was inserted', async () => {
    const parent = await driver.act('ts-officer', await driver.entryAtNotice(), 'object', OBJECTION);
    const before = await counts(parent.id);
    const casesBefore = await testApp.dataSource.query(`SELECT count(*)::int AS count FROM cases`);
    // Fails on the parent's `call/started` history row: after its own write and the child's insert.
    await failing(`CREATE TRIGGER fail_call BEFORE INSERT ON case_history FOR EACH ROW WHEN (NEW.event_type = 'call') EXECUTE FUNCTION fail_call();`, async () => {
      const failed = await driver.try('ts-officer', parent, 'investigate', { finding: '需入户核实' });
      expect(failed.status).toBe(500);
    });
    expect(await counts(parent.id)).toEqual(before);
    expect(await testApp.dataSource.query(`SELECT count(*)::int AS count FROM cases`)).toEqual(casesBefore);
    await verified(parent.id);
    // And it goes through once the failure is gone.
    const moved = await driver.act('ts-officer', parent, 'investigate', { finding: '需入户核实' });
    expect(steps(moved)).toEqual(['investigation']);
  });

  it("leaves both cases as they were when delivering the outcome fails in the child's final action", async () => {
    const { parent, child } = await underInvestigation();
    const reported = await driver.act('ts-officer', child, 'report', { findings: '属实' });
    const [parentBefore, childBefore] = [await counts(parent.id), await counts(child.id)];
    // Fails on the parent's `$childDone` row: after the child's final write.
    await failing(`CREATE TRIGGER fail_call BEFORE INSERT ON case_history FOR EACH ROW WHEN (NEW.action = '$childDone') EXECUTE FUNCTION fail_call();`, async () => {
      const failed = await driver.try('ts-reviewer', reported, 'dismiss', { conclusion: '异议不成立' });
      expect(failed.status).toBe(500);
    });
    expect([await counts(parent.id), await counts(child.id)]).toEqual([parentBefore, childBefore]);
    expect(steps(await read(child.id))).toEqual(['determination']);
    expect(steps(await read(parent.id))).toEqual(['investigation']);
    const done = await driver.act('ts-reviewer', reported, 'dismiss', { conclusion: '异议不成立' });
    expect(done.status).toBe('dismissed');
    expect(steps(await read(parent.id))).toEqual(['publicNotice']);
  });
});

describe('an outcome the calling case no longer waits for', () => {
  /**
   * A hearing whose investigation runs beside the desk's own work: the desk may close the
   * hearing (leaving the parallel step, and the call step with it) while the child still runs.
   */
  const HEARING: WorkflowDefinition = {
    key: 'hearing-test',
    version: 1,
    label: '听证（测试）',
    titleField: 'householdName',
    start: {
      role: 'officer',
      level: 'town',
      fields: { householdName: { type: 'string', label: '户主', required: true }, objection: { type: 'text', label: '异议', required: true } },
    },
    initial: 'work',
    steps: {
      work: {
        label: '办理',
        type: 'parallel',
        regions: {
          inquiry: {
            initial: 'investigation',
            steps: {
              investigation: {
                label: '调查',
                type: 'call',
                call: { workflow: 'objection-investigation', input: { householdName: { var: 'data.householdName' }, objection: { var: 'data.objection' } } },
                outcomes: [{ target: 'inquired' }],
              },
              inquired: { label: '已调查', type: 'final' },
            },
          },
          desk: {
            initial: 'decide',
            steps: {
              decide: {
                label: '决定',
                role: 'officer',
                level: 'town',
                actions: {
                  close: { label: '直接办结', kind: 'decide', target: 'closed', fields: { reason: { type: 'text', label: '理由', required: true } } },
                  ready: { label: '等候调查', kind: 'complete', target: 'deskDone' },
                },
              },
              deskDone: { label: '待调查', type: 'final' },
            },
          },
        },
        onDone: 'closed',
      },
      closed: { label: '办结', type: 'final', status: 'closed' },
    },
  };

  it('records the outcome on the calling case and changes nothing there; the child finishes all the same', async () => {
    await testApp.app.get(DefinitionsService).publish(HEARING, JSON.stringify(HEARING), 'json');
    // The first step calls at once: the start itself starts the child, in one transaction.
    let hearing = await driver.start('ts-officer', 'hearing-test', { householdName: HOUSEHOLD.householdName, objection: OBJECTION.objection });
    expect(steps(hearing)).toEqual(['decide', 'investigation']);
    expect(hearing.children).toEqual([expect.objectContaining({ workflow: 'objection-investigation', step: 'investigation', stepEntry: 1, status: 'active' })]);
    const child = await read(hearing.children[0].id);

    hearing = await driver.act('ts-officer', hearing, 'close', { reason: '当事人撤回异议' });
    expect(hearing).toMatchObject({ status: 'closed', finished: true });
    // The child is not stopped: it continues, and its outcome is recorded and ignored.
    expect((await read(child.id)).status).toBe('active');

    let investigation = await driver.act('ts-officer', child, 'report', { findings: '已撤回' });
    investigation = await driver.act('ts-reviewer', investigation, 'dismiss', { conclusion: '异议已撤回' });
    expect(investigation).toMatchObject({ status: 'dismissed', finished: true });

    const after = await read(hearing.id);
    expect(after).toMatchObject({ status: 'closed', version: hearing.version });
    expect((await history(hearing.id)).at(-1)).toMatchObject({
      eventType: 'call',
      action: 'outcome-skipped',
      actor: { kind: 'system' },
      payload: { step: 'investigation', stepEntry: 1, childCaseId: child.id, status: 'dismissed', reason: expect.stringContaining("no longer waits at step 'investigation'") },
    });
    await verified(hearing.id);
    await verified(child.id);
  });
});
