import { DeadlineFiringService } from '../../src/deadlines/deadline-firing.service.js';
import { regionUsers, seedDemoUsers } from '../../src/database/seed-demo.js';
import { DefinitionsService } from '../../src/definitions/definitions.service.js';
import type { WorkflowDefinition } from '../../src/engine/workflow-definition.js';
import { DigestService } from '../../src/notifications/digest.service.js';
import { CaseDriver, HOUSEHOLD, steps, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * A call step has no task, yet its deadline is a time limit like any other: a poverty-entry
 * case whose objection investigation (20wd, the call step 异议调查) runs late shows in the
 * supervisors' overdue list, their dashboard's counts and the daily digest — once, for the
 * case's town, naming the investigation case it waits for — and leaves them when that case
 * finishes. Times are Beijing time; March 2026 has no holiday.
 */
let t: TestApp;
let driver: CaseDriver;
let parent: CaseBody;
let child: CaseBody;

const at = (beijing: string) => new Date(`${beijing}+08:00`);
const MONDAY = at('2026-03-02T09:00:00');
/** The call step's due time: 20 working days after Monday 03-02. */
const CALL_DUE = at('2026-03-30T17:30:00');

interface OverdueItem {
  kind: string;
  caseId: string;
  step: { key: string };
  dueAt: string;
  jurisdictionCode: string;
  waitingFor: { caseId: string } | null;
}

async function overdue(username: string) {
  const response = await t.http.get('/api/alerts/overdue').set('Authorization', `Bearer ${await driver.token(username)}`);
  expect(response.status).toBe(200);
  return response.body as { total: number; items: OverdueItem[]; summary: { byCounty: unknown[]; byTown: unknown[] } };
}

async function digest(username: string) {
  const response = await t.http.get('/api/notifications/digest').set('Authorization', `Bearer ${await driver.token(username)}`);
  expect(response.status).toBe(200);
  return response.body as { total: number; title: string | null; body: string | null };
}

/** The shape of each item: which case, which step, where, and what it waits for. */
const brief = (items: OverdueItem[]) => items.map((i) => [i.kind, i.caseId, i.step.key, i.jurisdictionCode, i.waitingFor?.caseId ?? null]);

beforeAll(async () => {
  t = await createTestApp({ now: MONDAY });
  driver = new CaseDriver(t);
  // The county supervisors besides 台山's (开平's among them).
  await seedDemoUsers(t.dataSource, regionUsers([]));
  // An objection to the public notice, sent to an investigation: the case waits at its call step.
  parent = await driver.act('ts-officer', await driver.entryAtNotice(), 'object', { objection: '该户家庭成员在外务工收入未申报', objector: '村民' });
  parent = await driver.act('ts-officer', parent, 'investigate', { finding: '需入户核实务工收入' });
  expect(steps(parent)).toEqual(['investigation']);
  child = (await driver.get('ts-officer', parent.children[0].id)).body as CaseBody;
  expect(steps(child)).toEqual(['investigate']);
});

afterAll(async () => {
  await t?.close();
});

describe('a call step past its due time', () => {
  it('is not listed before its due time; the called case’s late task is, as its own', async () => {
    // The investigation itself (10wd) was due Monday 03-16 17:30: the town's task is late.
    t.clock.set(at('2026-03-17T10:00:00'));
    const report = await overdue('ts-supervisor');
    expect(brief(report.items)).toEqual([['task', child.id, 'investigate', '440781109', null]]);
    expect(report.total).toBe(1);
    // The town reports late, on Friday 03-27: the county decides within 5wd (Friday 04-03).
    t.clock.set(at('2026-03-27T10:00:00'));
    child = await driver.act('ts-officer', child, 'report', { findings: '入户走访，务工收入属实但未超线' });
  });

  it('is listed once, for the calling case’s town, naming the case it waits for and where that case stands', async () => {
    t.clock.set(at('2026-03-31T10:00:00'));
    // The call step's timers fire (the due time, and its escalation to the county): still listed.
    const firing = t.app.get(DeadlineFiringService);
    const timers: { id: string; generation: number; kind: string }[] = await t.dataSource.query(
      `SELECT id, generation, kind FROM deadlines WHERE case_id = $1 AND step = 'investigation' AND status = 'pending' ORDER BY id`,
      [parent.id],
    );
    expect(timers.map((r) => r.kind).sort()).toEqual(['due', 'escalation']);
    for (const timer of timers) expect(await firing.fire(timer.id, timer.generation)).toBe('fired');

    const county = await overdue('ts-supervisor');
    expect(county.total).toBe(1);
    expect(county.items).toEqual([
      {
        kind: 'call',
        taskId: null,
        caseId: parent.id,
        title: HOUSEHOLD.householdName,
        workflow: { key: 'poverty-entry', label: '贫困户识别（建档立卡）' },
        step: { key: 'investigation', label: '异议调查', entry: 1 },
        role: null,
        level: null,
        jurisdictionCode: '440781109',
        jurisdictionName: '台山市端芬镇',
        assigneeId: null,
        openedAt: MONDAY.toISOString(),
        dueAt: CALL_DUE.toISOString(),
        dueAtText: '2026-03-30 17:30',
        overdue: { seconds: 16.5 * 3600, days: 0, text: '16小时30分钟' },
        waitingFor: {
          caseId: child.id,
          title: HOUSEHOLD.householdName,
          workflow: { key: 'objection-investigation', label: '异议调查核实' },
          status: 'active',
          steps: [{ key: 'determination', label: '认定' }],
        },
      },
    ]);
    // The dashboard's counts per county and town (the same report).
    expect(county.summary).toEqual({ byCounty: [{ code: '440781', name: '台山市', count: 1 }], byTown: [{ code: '440781109', name: '台山市端芬镇', count: 1 }] });
    const city = await overdue('jm-supervisor');
    expect(brief(city.items)).toEqual([['call', parent.id, 'investigation', '440781109', child.id]]);
    expect(city.summary.byCounty).toEqual([{ code: '440781', name: '台山市', count: 1 }]);
    // Another county's supervisor does not see it.
    expect(await overdue('kp-supervisor')).toMatchObject({ total: 0, items: [], summary: { byCounty: [], byTown: [] } });

    // The digest says the same: the step, and that it waits for the investigation.
    const text = await digest('ts-supervisor');
    expect(text.total).toBe(1);
    expect(text.title).toBe('逾期待办日报（2026-03-31）：台山市共 1 件');
    expect(text.body!.split('\n')).toEqual([
      '截至 2026-03-31 10:00，台山市辖区内共有 1 件待办已逾期：',
      '1. 陈大明（贫困户识别（建档立卡）·异议调查，台山市端芬镇）等待「异议调查核实」办结，现处「认定」环节，应于 2026-03-30 17:30 前办结，已逾期 16小时30分钟',
    ]);
    expect((await digest('kp-supervisor')).total).toBe(0);
    // And the 08:00 job sends it to 台山's and the city's supervisors only.
    const sent = await t.app.get(DigestService).sendDailyDigest(t.clock.now());
    expect(sent.notified.map((n) => [n.username, n.overdue]).sort()).toEqual([
      ['jm-supervisor', 1],
      ['ts-supervisor', 1],
    ]);
  });

  it('is listed beside the called case’s task when that one is late too: each is a time limit of its own unit', async () => {
    // The county's decision was due Friday 04-03 17:30.
    t.clock.set(at('2026-04-07T10:00:00'));
    const report = await overdue('jm-supervisor');
    expect(brief(report.items)).toEqual([
      ['call', parent.id, 'investigation', '440781109', child.id],
      ['task', child.id, 'determination', '440781', null],
    ]);
    expect(report.summary).toEqual({
      byCounty: [{ code: '440781', name: '台山市', count: 2 }],
      // The county's own task has no town.
      byTown: [{ code: '440781109', name: '台山市端芬镇', count: 1 }],
    });
    expect((await t.http.get('/api/alerts/overdue?limit=1').set('Authorization', `Bearer ${await driver.token('jm-supervisor')}`)).body).toMatchObject({
      total: 2,
      items: [{ kind: 'call', caseId: parent.id }],
    });
    // The circular of March–April counts three late visits of 端芬镇's cases: the
    // investigation (done late, before any worker fired its timer), the call step and the
    // county's decision — the last two still open, the call step because the case it called
    // still runs. The circular files work under the case's town, whoever's task it was.
    const circular = await t.http
      .get('/api/alerts/circular?from=2026-03-01&to=2026-04-07')
      .set('Authorization', `Bearer ${await driver.token('jm-supervisor')}`);
    expect(circular.status).toBe(200);
    expect(circular.body.units).toMatchObject([{ code: '440781', overdue: 3, stillOpen: 2, towns: [{ code: '440781109', overdue: 3, stillOpen: 2 }] }]);
  });

  it('leaves every list once the called case finishes and the calling case moves on', async () => {
    child = await driver.act('ts-reviewer', child, 'dismiss', { conclusion: '异议不成立' });
    expect(child).toMatchObject({ status: 'dismissed', finished: true });
    expect(steps((await driver.get('ts-officer', parent.id)).body as CaseBody)).toEqual(['publicNotice']);
    // The fired due timer stays fired; the visit it belonged to is over.
    const [due] = await t.dataSource.query(`SELECT status FROM deadlines WHERE case_id = $1 AND step = 'investigation' AND kind = 'due'`, [parent.id]);
    expect(due.status).toBe('fired');

    for (const username of ['ts-supervisor', 'jm-supervisor']) {
      expect(await overdue(username)).toMatchObject({ total: 0, items: [], summary: { byCounty: [], byTown: [] } });
      expect(await digest(username)).toMatchObject({ total: 0, title: null, body: null });
    }
  });
});

describe('a call step inside a parallel step', () => {
  /**
   * A hearing whose investigation (a call step, 1wd) runs beside the desk's work: the desk may
   * close the hearing and follow it up, leaving the call step while the called case still runs.
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
                deadline: { duration: '1wd', escalation: [{ after: '0wd', notify: { role: 'supervisor', level: 'county' } }] },
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
                actions: { close: { label: '直接办结', kind: 'decide', target: 'followUp' } },
              },
            },
          },
        },
        onDone: 'followUp',
      },
      followUp: { label: '回访', role: 'officer', level: 'town', actions: { finish: { label: '办结', kind: 'complete', target: 'closed' } } },
      closed: { label: '办结', type: 'final', status: 'closed' },
    },
  };

  it('is listed while the case is in it, and not once the case has left it, though the called case runs on', async () => {
    await t.app.get(DefinitionsService).publish(HEARING, JSON.stringify(HEARING), 'json');
    t.clock.set(at('2026-04-07T10:00:00'));
    let hearing = await driver.start('ts-officer', 'hearing-test', { householdName: '李听证', objection: '异议' });
    expect(steps(hearing)).toEqual(['decide', 'investigation']);
    const called = hearing.children[0].id;

    // Due Wednesday 04-08 17:30; its timers fire.
    t.clock.set(at('2026-04-09T10:00:00'));
    const timers: { id: string; generation: number }[] = await t.dataSource.query(
      `SELECT id, generation FROM deadlines WHERE case_id = $1 AND step = 'investigation' AND status = 'pending'`,
      [hearing.id],
    );
    for (const timer of timers) expect(await t.app.get(DeadlineFiringService).fire(timer.id, timer.generation)).toBe('fired');
    expect(brief((await overdue('ts-supervisor')).items)).toEqual([['call', hearing.id, 'investigation', '440781109', called]]);

    // The desk closes the hearing: the case leaves the call step (its fired due timer stays
    // fired) and waits for the follow-up; the investigation case still runs.
    hearing = await driver.act('ts-officer', hearing, 'close');
    expect(steps(hearing)).toEqual(['followUp']);
    expect(((await driver.get('ts-officer', called)).body as CaseBody).status).toBe('active');
    expect(await overdue('ts-supervisor')).toMatchObject({ total: 0, items: [] });
  });
});
