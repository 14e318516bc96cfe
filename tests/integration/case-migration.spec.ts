import { QueueName, queueToken, type TypedQueue } from '../../src/common/queues.js';
import { DeadlineFiringService } from '../../src/deadlines/deadline-firing.service.js';
import { OutboxRelayService } from '../../src/notifications/outbox-relay.service.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, steps, SUPPORT_PLAN, type CaseBody } from '../support/case-driver.js';
import { eventually, FAST_DELIVERY_ENV, startInProcessWorker, uniquePrefix, type InProcessWorker } from '../support/processes.js';
import { seedWorkflowSource } from '../support/seed-workflows.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Migrating running cases between versions, as an administrator does it: a dry run in the
 * request, then the run queued as a job that the worker (here inside the test process, on
 * the test's clock) carries out, followed through GET …/migrations/:id.
 */

let t: TestApp;
let driver: CaseDriver;
let admin: Record<string, string>;
let worker: InProcessWorker;
let smtp: TestSmtpServer;

// Monday 2026-03-02 09:00 Beijing time; Thursday 10:00 the same week; Tuesday 10:00 the week after.
const MONDAY = '2026-03-02T01:00:00.000Z';
const THURSDAY = '2026-03-05T02:00:00.000Z';
const NEXT_TUESDAY = '2026-03-10T02:00:00.000Z';

/**
 * Version 5 of poverty-entry (the shipped file is version 4): the proposal gets 15 working
 * days instead of 10, the support step is renamed `supportPlan`, and the county review
 * becomes a 或签 (any one reviewer).
 */
const VERSION_5 = seedWorkflowSource('poverty-entry')
  .replace('      duration: 10wd', '      duration: 15wd')
  .replace('  support:\n    label: 精准扶持', '  supportPlan:\n    label: 精准扶持')
  .replaceAll('target: support\n', 'target: supportPlan\n')
  .replace('countersign: { mode: all,', 'countersign: { mode: any,');

/** 100 cases at the proposal since Monday. */
let proposals: CaseBody[];
/** At the support step since Thursday. */
let a: CaseBody;
/** Back at the proposal since Thursday (a second visit), the support step's clock paused by the return. */
let c: CaseBody;
/** At the county review (a countersign whose rule version 4 changes): cannot be moved. */
let d: CaseBody;
/** Moved to the support step on version 4 after version 5 was published. */
let e: CaseBody;

beforeAll(async () => {
  smtp = await startSmtpServer();
  const env = { BULLMQ_PREFIX: uniquePrefix('migration'), SMTP_URL: smtp.url };
  t = await createTestApp({ now: MONDAY, env });
  driver = new CaseDriver(t);
  admin = { Authorization: `Bearer ${await driver.token('admin')}` };
  proposals = [];
  for (let i = 0; i < 100; i += 10) {
    proposals.push(...(await Promise.all(Array.from({ length: 10 }, () => driver.start('ts-officer', 'poverty-entry', HOUSEHOLD)))));
  }
  a = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
  c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
  e = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
  t.clock.set(THURSDAY);
  a = await driver.act('ts-officer', a, 'submit', ELIGIBLE_PROPOSAL);
  c = await driver.act('ts-officer', await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL), 'return', { reason: '家庭成员信息不全' });
  d = await driver.entryAtCountyReview();

  // The county reviewer of 台山 gets mail: the reassigned task's notice is checked at the SMTP server.
  await t.dataSource.query(`UPDATE users SET email = 'ts-reviewer@fupin.test' WHERE username = 'ts-reviewer'`);
  // The worker runs the migration jobs and nothing else on its own: its scheduler and outbox
  // relay tick at start-up and then not for an hour (the tests relay when they want to), so
  // no timer fires and no row changes while a test compares tables.
  worker = await startInProcessWorker(t.config.databaseUrl, t.clock, {
    ...FAST_DELIVERY_ENV,
    ...env,
    SCHEDULER_INTERVAL_MS: '3600000',
    OUTBOX_INTERVAL_MS: '3600000',
    DEADLINE_HORIZON: '1h',
  });
  const queue = t.app.get<TypedQueue<QueueName.Outbox>>(queueToken(QueueName.Outbox));
  await eventually(
    'the outbox rows of the setup to be delivered',
    async () => {
      await worker.app.get(OutboxRelayService).runNow();
      const [{ unpublished }] = await t.dataSource.query(`SELECT count(*)::int AS unpublished FROM outbox WHERE published_at IS NULL`);
      const jobs = await queue.getJobCounts('waiting', 'active', 'prioritized');
      return unpublished === 0 && Object.values(jobs).every((n) => n === 0);
    },
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await t?.close();
  await smtp?.close();
});

/** Every row of the tables a migration could touch. */
async function tables(): Promise<string> {
  const names = ['cases', 'case_history', 'tasks', 'task_signers', 'deadlines', 'outbox', 'notifications', 'email_deliveries', 'audit_log', 'workflow_definitions', 'migration_runs', 'migration_run_cases'];
  const dump: Record<string, unknown> = {};
  for (const name of names) dump[name] = await t.dataSource.query(`SELECT * FROM ${name} ORDER BY 1`);
  return JSON.stringify(dump);
}

async function caseRows(id: string): Promise<string> {
  return JSON.stringify({
    case: await t.dataSource.query(`SELECT * FROM cases WHERE id = $1`, [id]),
    history: await t.dataSource.query(`SELECT * FROM case_history WHERE case_id = $1 ORDER BY seq`, [id]),
    tasks: await t.dataSource.query(`SELECT * FROM tasks WHERE case_id = $1 ORDER BY id`, [id]),
    deadlines: await t.dataSource.query(`SELECT * FROM deadlines WHERE case_id = $1 ORDER BY id`, [id]),
  });
}

async function pending(caseId: string): Promise<[string, number, string, number, string][]> {
  const rows: { step: string; step_entry: number; kind: string; rung: number; due_at: Date }[] = await t.dataSource.query(
    `SELECT step, step_entry, kind, rung, due_at FROM deadlines WHERE case_id = $1 AND status = 'pending' ORDER BY step, step_entry, kind, rung`,
    [caseId],
  );
  return rows.map((r) => [r.step, r.step_entry, r.kind, r.rung, r.due_at.toISOString()]);
}

const migrate = (body: object) => t.http.post('/api/workflows/poverty-entry/migrations').set(admin).send(body);

interface RunView {
  id: string;
  status: string;
  counts: { total: number; pending: number; migrated: number; refused: number; skipped: number; failed: number };
  refusals: { caseId: string; title: string | null; outcome: string; reason: string }[];
  [key: string]: unknown;
}

/** Queues a run (202) and waits until the worker has finished it; a loaded machine gets two minutes. */
async function run(body: object): Promise<RunView> {
  const queued = await migrate(body);
  expect({ status: queued.status, body: queued.body }).toMatchObject({ status: 202, body: { status: 'queued' } });
  let view: RunView | undefined;
  await eventually(
    `migration ${queued.body.id} to finish`,
    async () => {
      view = (await t.http.get(`/api/workflows/poverty-entry/migrations/${queued.body.id}`).set(admin)).body;
      return view!.status === 'done' || view!.status === 'failed';
    },
    120_000,
    200,
  );
  return view!;
}

/** The proposal's new timers: 6 of 15 working days spent by Tuesday, 9 left — due Monday 2026-03-23 17:30. */
const PROPOSAL_TIMERS = [
  { kind: 'due', rung: 0, dueAt: '2026-03-23T09:30:00.000Z' },
  { kind: 'reminder', rung: 0, dueAt: '2026-03-19T09:30:00.000Z' },
  { kind: 'escalation', rung: 1, dueAt: '2026-03-23T09:30:00.000Z' },
  { kind: 'escalation', rung: 2, dueAt: '2026-03-30T09:30:00.000Z' },
  // 10 working days after the due time, 清明 (Monday 2026-04-06) skipped.
  { kind: 'escalation', rung: 3, dueAt: '2026-04-07T09:30:00.000Z' },
];

describe('migrating running cases to a newer version', () => {
  it('publishes version 5 while 104 cases run on version 4: they keep running on it, new cases start on 5', async () => {
    await t.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: VERSION_5 });
    expect((await t.http.post('/api/workflows/poverty-entry/draft/validate').set(admin)).body).toMatchObject({ valid: true });
    expect((await t.http.post('/api/workflows/poverty-entry/draft/publish').set(admin)).body).toMatchObject({ version: 5 });

    e = await driver.act('ts-officer', e, 'submit', ELIGIBLE_PROPOSAL);
    expect({ version: e.workflow.version, steps: steps(e) }).toEqual({ version: 4, steps: ['support'] });
    const fresh = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    expect(fresh.workflow.version).toBe(5);
    const list = await t.http.get('/api/workflows').set(admin);
    const versions = list.body.find((w: { key: string }) => w.key === 'poverty-entry').versions;
    expect(versions.map((v: { version: number; running: number }) => [v.version, v.running])).toEqual([
      [4, 104],
      [5, 1],
    ]);
  });

  it('reports without a mapping which cases could not move and why', async () => {
    t.clock.set(NEXT_TUESDAY);
    const before = await tables();
    const response = await migrate({ fromVersion: 4, toVersion: 5, dryRun: true });
    expect(response.status).toBe(200);
    expect(await tables()).toBe(before);
    expect(response.body.totals).toEqual({ cases: 104, migrated: 0, migratable: 101, skipped: 3 });
    const skipped = response.body.cases.filter((r: { outcome: string }) => r.outcome === 'skipped').map((r: { caseId: string; reason: string }) => [r.caseId, r.reason]);
    expect(skipped).toHaveLength(3);
    expect(skipped).toEqual(
      expect.arrayContaining([
        [a.id, "step 'support' (精准扶持) has no counterpart in version 5: map it to a step of that version"],
        [e.id, "step 'support' (精准扶持) has no counterpart in version 5: map it to a step of that version"],
        [d.id, "the countersign of step 'countyReview' changed (all → any): votes already cast would be counted under another rule"],
      ]),
    );
    // Without a mapping the paused clock of the renamed step would be dropped: the report says so.
    expect(response.body.cases.find((r: { caseId: string }) => r.caseId === c.id).pausedClocks).toEqual([
      { from: { step: 'support', entry: 1 }, dropped: "the clock paused by a return in step 'support' is dropped: version 5 has no step 'support'" },
    ]);
  });

  it('lists in a dry run what would happen to each case, exactly, and changes nothing', async () => {
    const before = await tables();
    const response = await migrate({ fromVersion: 4, toVersion: 5, mapping: { support: 'supportPlan' }, dryRun: true });
    expect(await tables()).toBe(before);
    expect(response.body).toMatchObject({ workflow: 'poverty-entry', fromVersion: 4, toVersion: 5, dryRun: true, mapping: { support: 'supportPlan' } });
    expect(response.status).toBe(200);
    expect(response.body.runId).toBeUndefined();
    expect(response.body.totals).toEqual({ cases: 104, migrated: 0, migratable: 103, skipped: 1 });

    const byId = new Map(response.body.cases.map((r: { caseId: string }) => [r.caseId, r]));
    expect(byId.get(proposals[0].id)).toEqual({
      caseId: proposals[0].id,
      title: '陈大明',
      outcome: 'migratable',
      steps: [{ from: { step: 'propose', entry: 1 }, to: { step: 'propose', entry: 1 }, task: 'kept', role: 'officer', level: 'town' }],
      deadlines: [
        {
          step: 'propose',
          entry: 1,
          before: '10wd',
          after: '15wd',
          spent: 6,
          remaining: 9,
          unit: 'workingDays',
          dueAt: '2026-03-23T09:30:00.000Z',
          timers: PROPOSAL_TIMERS,
          keptFired: [],
          cancelled: 5,
        },
      ],
      pausedClocks: [],
    });
    expect(byId.get(a.id)).toMatchObject({
      outcome: 'migratable',
      steps: [{ from: { step: 'support', entry: 1 }, to: { step: 'supportPlan', entry: 1 }, task: 'moved', role: 'officer', level: 'town' }],
      // 3 of 10 working days spent since Thursday: due Thursday 2026-03-19 17:30, as before.
      deadlines: [{ step: 'supportPlan', entry: 1, before: '10wd', after: '10wd', spent: 3, remaining: 7, dueAt: '2026-03-19T09:30:00.000Z', cancelled: 4 }],
    });
    expect(byId.get(c.id)).toMatchObject({
      outcome: 'migratable',
      steps: [{ from: { step: 'propose', entry: 2 }, to: { step: 'propose', entry: 2 }, task: 'kept' }],
      deadlines: [{ step: 'propose', entry: 2, spent: 3, remaining: 12, dueAt: '2026-03-26T09:30:00.000Z' }],
      pausedClocks: [{ from: { step: 'support', entry: 1 }, to: { step: 'supportPlan', entry: 1 }, remaining: 10 }],
    });
    expect(byId.get(d.id)).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining("the countersign of step 'countyReview' changed") });
  });

  it('moves them with a mapping, as a job: recomputed deadlines, one history event each, a verifiable history, the unmappable case untouched', async () => {
    const untouched = await caseRows(d.id);
    const oldTask = (await t.dataSource.query(`SELECT id FROM tasks WHERE case_id = $1 AND status = 'open'`, [a.id]))[0].id;
    const REFUSAL = "the countersign of step 'countyReview' changed (all → any): votes already cast would be counted under another rule";
    const finished = await run({ fromVersion: 4, toVersion: 5, mapping: { support: 'supportPlan' } });
    expect(finished).toMatchObject({
      workflow: 'poverty-entry',
      fromVersion: 4,
      toVersion: 5,
      mapping: { support: 'supportPlan' },
      requestedBy: { username: 'admin' },
      status: 'done',
      counts: { total: 104, pending: 0, migrated: 103, refused: 1, skipped: 0, failed: 0 },
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      error: null,
      refusals: [{ caseId: d.id, title: '陈大明', outcome: 'refused', reason: REFUSAL, handledAt: expect.any(String) }],
    });
    const runId = finished.id;
    const list = await t.http.get('/api/workflows/poverty-entry/migrations').set(admin);
    expect(list.body.map((r: RunView) => [r.id, r.status, r.counts.migrated])).toEqual([[runId, 'done', 103]]);
    expect(list.body[0].refusals).toBeUndefined();
    expect(await caseRows(d.id)).toBe(untouched);

    const migrated = [...proposals, a, c, e].map((x) => x.id);
    const rows: { id: string; workflow_version: number; version: number; events: number }[] = await t.dataSource.query(
      `SELECT c.id, c.workflow_version, c.version,
              (SELECT count(*)::int FROM case_history h WHERE h.case_id = c.id AND h.event_type = 'definition' AND h.action = 'migrated') AS events
         FROM cases c WHERE c.id = ANY($1::uuid[])`,
      [migrated],
    );
    expect(rows).toHaveLength(103);
    expect(rows.every((r) => r.workflow_version === 5 && r.events === 1)).toBe(true);
    expect(rows.find((r) => r.id === proposals[0].id)!.version).toBe(proposals[0].version + 1);

    // The proposal's timers: the old ones cancelled, the new ones at the recomputed times; the task carries the due time.
    expect(await pending(proposals[0].id)).toEqual(PROPOSAL_TIMERS.map((p) => ['propose', 1, p.kind, p.rung, p.dueAt]).sort((x, y) => `${x[2]}${x[3]}`.localeCompare(`${y[2]}${y[3]}`)));
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM deadlines WHERE case_id = $1 AND status = 'cancelled'`, [proposals[0].id])).toEqual([{ n: 5 }]);
    const [task] = await t.dataSource.query(`SELECT step, step_entry, due_at FROM tasks WHERE case_id = $1 AND status = 'open'`, [proposals[0].id]);
    expect({ ...task, due_at: task.due_at.toISOString() }).toEqual({ step: 'propose', step_entry: 1, due_at: '2026-03-23T09:30:00.000Z' });
    // The renamed step's task moved (same row, same offer), with its timers.
    expect(await t.dataSource.query(`SELECT id, step, step_entry FROM tasks WHERE case_id = $1 AND status = 'open'`, [a.id])).toEqual([{ id: oldTask, step: 'supportPlan', step_entry: 1 }]);
    expect((await pending(a.id)).map((p) => `${p[0]}#${p[1]} ${p[2]}${p[3]} ${p[4]}`)).toEqual([
      'supportPlan#1 due0 2026-03-19T09:30:00.000Z',
      'supportPlan#1 escalation1 2026-03-19T09:30:00.000Z',
      'supportPlan#1 escalation2 2026-03-26T09:30:00.000Z',
      'supportPlan#1 reminder0 2026-03-17T09:30:00.000Z',
    ]);
    // The paused clock follows the renamed step.
    expect(await t.dataSource.query(`SELECT DISTINCT step, step_entry, remaining FROM deadlines WHERE case_id = $1 AND status = 'paused'`, [c.id])).toEqual([
      { step: 'supportPlan', step_entry: 1, remaining: 10 },
    ]);

    const [event] = await t.dataSource.query(`SELECT actor, payload FROM case_history WHERE case_id = $1 AND event_type = 'definition'`, [a.id]);
    expect(event.actor).toMatchObject({ kind: 'user', username: 'admin' });
    expect(event.payload).toMatchObject({ from: { version: 4 }, to: { version: 5 }, mapping: { support: 'supportPlan' }, runId, steps: [{ task: 'moved' }] });

    for (const id of migrated) {
      const verdict = await t.http.get(`/api/cases/${id}/history/verify`).set(admin);
      expect({ id, ...verdict.body }).toMatchObject({ id, valid: true, replayMatches: true });
    }

    const audit: { kind: string; actor_username: string; target_id: string; details: Record<string, unknown> }[] = await t.dataSource.query(
      `SELECT kind, actor_username, target_id, details FROM audit_log WHERE kind IN ('case.migrated', 'definition.migrated', 'definition.migration-queued') ORDER BY id`,
    );
    expect(audit.filter((r) => r.kind === 'case.migrated').map((r) => r.target_id).sort()).toEqual([...migrated].sort());
    expect(audit.filter((r) => r.kind !== 'case.migrated')).toEqual([
      {
        kind: 'definition.migration-queued',
        actor_username: 'admin',
        target_id: 'poverty-entry@4',
        details: { runId, key: 'poverty-entry', fromVersion: 4, toVersion: 5, mapping: { support: 'supportPlan' }, cases: 104 },
      },
      {
        kind: 'definition.migrated',
        actor_username: 'admin',
        target_id: 'poverty-entry@4',
        details: expect.objectContaining({
          runId,
          fromVersion: 4,
          toVersion: 5,
          mapping: { support: 'supportPlan' },
          counts: { total: 104, pending: 0, migrated: 103, refused: 1, skipped: 0, failed: 0 },
          notMoved: [{ caseId: d.id, outcome: 'refused', reason: REFUSAL }],
        }),
      },
    ]);
  });

  it('keeps the migrated cases working on version 5, their histories still verifiable', async () => {
    const moved = await driver.act('ts-officer', { ...a, version: a.version + 1 }, 'submit', SUPPORT_PLAN);
    expect({ version: moved.workflow.version, steps: steps(moved) }).toEqual({ version: 5, steps: ['appraisal'] });

    // Back at the renamed step, the paused clock resumes with the 10 working days it had left.
    const resumed = await driver.act('ts-officer', { ...c, version: c.version + 1 }, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(resumed)).toEqual(['supportPlan']);
    const [task] = await t.dataSource.query(`SELECT step_entry, due_at FROM tasks WHERE case_id = $1 AND status = 'open'`, [c.id]);
    // The first visit of `supportPlan` (the old visits are `support`'s), due 10 working days from now.
    expect({ entry: task.step_entry, due: task.due_at.toISOString() }).toEqual({ entry: 1, due: '2026-03-24T09:30:00.000Z' });

    const proposal = await driver.act('ts-officer', { ...proposals[1], version: proposals[1].version + 1 }, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(proposal)).toEqual(['supportPlan']);
    for (const id of [a.id, c.id, proposals[1].id]) {
      expect((await t.http.get(`/api/cases/${id}/history/verify`).set(admin)).body).toMatchObject({ valid: true, replayMatches: true });
    }
  });

  it('skips a case already on the target version, and refuses a request that does not fit the versions, queueing nothing', async () => {
    const history = await t.dataSource.query(`SELECT seq FROM case_history WHERE case_id = $1 ORDER BY seq`, [a.id]);
    const again = await run({ fromVersion: 4, toVersion: 5, mapping: { support: 'supportPlan' }, caseIds: [a.id, a.id.toUpperCase()] });
    expect(again).toMatchObject({
      status: 'done',
      counts: { total: 1, pending: 0, migrated: 0, refused: 0, skipped: 1, failed: 0 },
      refusals: [{ caseId: a.id, title: '陈大明', outcome: 'skipped', reason: 'the case is already on version 5' }],
    });
    expect(await t.dataSource.query(`SELECT seq FROM case_history WHERE case_id = $1 ORDER BY seq`, [a.id])).toEqual(history);

    const before = await tables();
    const backwards = await migrate({ fromVersion: 5, toVersion: 4 });
    expect(backwards.status).toBe(422);
    expect(backwards.body.details.code).toBe('INVALID_MIGRATION');
    const unknownStep = await migrate({ fromVersion: 4, toVersion: 5, mapping: { support: 'supportPlans' } });
    expect(unknownStep.status).toBe(422);
    expect(unknownStep.body.details.problems).toEqual(["mapping: version 5 has no step 'supportPlans' (for 'support')"]);
    expect((await migrate({ fromVersion: 4, toVersion: 9 })).status).toBe(404);
    expect((await migrate({ fromVersion: 4, toVersion: 5, mapping: { support: 5 } })).status).toBe(400);
    expect((await t.http.get('/api/workflows/poverty-entry/migrations/00000000-0000-4000-8000-000000000000').set(admin)).body.details.code).toBe('MIGRATION_NOT_FOUND');
    expect((await t.http.get(`/api/workflows/poverty-exit/migrations/${again.id}`).set(admin)).status).toBe(404);
    expect((await t.http.get('/api/workflows/poverty-entry/migrations/not-a-uuid').set(admin)).status).toBe(400);
    expect(await tables()).toBe(before);
  });

  it('reassigns a task whose role and level changed, keeping timers that fired fired', async () => {
    const subject = proposals[2];
    // The reminder of the proposal (Thursday 2026-03-19 17:30) has gone out.
    t.clock.set('2026-03-20T02:00:00.000Z');
    const [reminder] = await t.dataSource.query(`SELECT id, generation FROM deadlines WHERE case_id = $1 AND kind = 'reminder' AND status = 'pending'`, [subject.id]);
    expect(await t.app.get(DeadlineFiringService).fire(reminder.id, reminder.generation)).toBe('fired');

    // Version 6: the county reviewer makes the proposal.
    const version6 = VERSION_5.replace('    role: officer\n    level: town\n    deadline:\n      duration: 15wd', '    role: reviewer\n    level: county\n    deadline:\n      duration: 15wd');
    await t.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: version6 });
    await t.http.post('/api/workflows/poverty-entry/draft/validate').set(admin);
    expect((await t.http.post('/api/workflows/poverty-entry/draft/publish').set(admin)).body).toMatchObject({ version: 6 });

    const [oldTask] = await t.dataSource.query(`SELECT id FROM tasks WHERE case_id = $1 AND status = 'open'`, [subject.id]);
    expect((await run({ fromVersion: 5, toVersion: 6, caseIds: [subject.id] })).counts).toMatchObject({ total: 1, migrated: 1 });
    const [event] = await t.dataSource.query(`SELECT payload FROM case_history WHERE case_id = $1 AND event_type = 'definition' ORDER BY seq DESC LIMIT 1`, [subject.id]);
    // The history event records the plan, as the dry run reported it.
    const { from, to, steps: moves, deadlines, pausedClocks } = event.payload;
    expect({ from: from.version, to: to.version, moves, deadlines, pausedClocks }).toEqual({
      from: 5,
      to: 6,
      moves: [{ from: { step: 'propose', entry: 1 }, to: { step: 'propose', entry: 2 }, task: 'reassigned', role: 'reviewer', level: 'county', previous: { role: 'officer', level: 'town' } }],
      // 6 working days spent before the first migration, 8 since: 1 of 15 left, due Monday 17:30 as before.
      deadlines: [
        {
          step: 'propose',
          entry: 2,
          before: '15wd',
          after: '15wd',
          spent: 14,
          remaining: 1,
          unit: 'workingDays',
          dueAt: '2026-03-23T09:30:00.000Z',
          timers: PROPOSAL_TIMERS.filter((p) => p.kind !== 'reminder'),
          keptFired: [{ kind: 'reminder', rung: 0 }],
          cancelled: 4,
        },
      ],
      pausedClocks: [],
    });
    const tasks = await t.dataSource.query(
      `SELECT id, step, step_entry, role, level, jurisdiction_code, status, outcome, to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS due FROM tasks WHERE case_id = $1 ORDER BY step_entry`,
      [subject.id],
    );
    expect(tasks).toEqual([
      { id: oldTask.id, step: 'propose', step_entry: 1, role: 'officer', level: 'town', jurisdiction_code: subject.openTasks[0].jurisdictionCode, status: 'cancelled', outcome: 'migrated', due: '2026-03-23T09:30' },
      { id: expect.any(String), step: 'propose', step_entry: 2, role: 'reviewer', level: 'county', jurisdiction_code: '440781', status: 'open', outcome: null, due: '2026-03-23T09:30' },
    ]);
    expect(await t.dataSource.query(`SELECT step, step_entry, status FROM deadlines WHERE case_id = $1 AND kind = 'reminder' AND status <> 'cancelled'`, [subject.id])).toEqual([
      { step: 'propose', step_entry: 2, status: 'fired' },
    ]);

    // The task is new work for the county's reviewers (the town officers had it before): they
    // are told, in the app and by mail, as the move committed.
    const notified = await t.dataSource.query(
      `SELECT u.username, n.kind, n.title, n.body FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.case_id = $1 AND n.kind = 'task-reassigned'`,
      [subject.id],
    );
    expect(notified).toEqual([
      {
        username: 'ts-reviewer',
        kind: 'task-reassigned',
        title: '新待办：陈大明',
        body: '「陈大明」（贫困户识别（建档立卡））的「拟选对象」环节随流程升级到第 6 版改由您办理，请在待办中处理。',
      },
    ]);
    expect(smtp.messages).toEqual([]);
    await worker.app.get(OutboxRelayService).runNow();
    await eventually('the mail to the county reviewer', () => smtp.messages.length > 0, 60_000);
    expect(smtp.messages.map((m) => ({ to: m.to, subject: m.subject, text: m.text.trim() }))).toEqual([
      { to: ['ts-reviewer@fupin.test'], subject: '新待办：陈大明', text: notified[0].body },
    ]);
    const inbox = await t.http.get('/api/tasks').set('Authorization', `Bearer ${await driver.token('ts-reviewer')}`);
    expect(JSON.stringify(inbox.body)).toContain(subject.id);

    // The county reviewer acts on it now; the history replays over both migrations.
    const moved = await driver.act('ts-reviewer', { ...subject, version: subject.version + 2 }, 'submit', ELIGIBLE_PROPOSAL);
    expect({ version: moved.workflow.version, steps: steps(moved) }).toEqual({ version: 6, steps: ['supportPlan'] });
    expect((await t.http.get(`/api/cases/${subject.id}/history/verify`).set(admin)).body).toMatchObject({ valid: true, replayMatches: true });
  });
});
