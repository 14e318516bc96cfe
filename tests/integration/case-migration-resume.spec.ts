import { CaseDriver, HOUSEHOLD, type CaseBody } from '../support/case-driver.js';
import { ensureBuilt, eventually, FAST_DELIVERY_ENV, processEnv, spawnCompiled, uniquePrefix, type SpawnedProcess } from '../support/processes.js';
import { seedWorkflowSource } from '../support/seed-workflows.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * A migration run whose worker dies in the middle of it: the compiled worker is spawned,
 * held at the 60th case (in the second batch of 50) by a row lock the test takes, and
 * killed with SIGKILL there. A second worker gets the job again (BullMQ's stalled-job
 * check) and the run goes on from where it stopped: every case moves exactly once.
 */

const CASES = 70;
/** The position of the case the test holds: 59 cases are done when the worker waits for it. */
const HELD_AT = 60;

let t: TestApp;
let driver: CaseDriver;
let admin: Record<string, string>;
let cases: CaseBody[];
const spawned: SpawnedProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  // The spawned workers read the system clock: the test app's clock starts at the real now.
  t = await createTestApp({ now: new Date(), env: { BULLMQ_PREFIX: uniquePrefix('migration-resume') } });
  driver = new CaseDriver(t);
  admin = { Authorization: `Bearer ${await driver.token('admin')}` };
  cases = [];
  for (let i = 0; i < CASES; i += 10) {
    cases.push(...(await Promise.all(Array.from({ length: 10 }, () => driver.start('ts-officer', 'poverty-entry', HOUSEHOLD)))));
  }
  // Version 5 gives the proposal 15 working days instead of 10: every case can move.
  const version5 = seedWorkflowSource('poverty-entry').replace('      duration: 10wd', '      duration: 15wd');
  await t.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: version5 });
  await t.http.post('/api/workflows/poverty-entry/draft/validate').set(admin);
  expect((await t.http.post('/api/workflows/poverty-entry/draft/publish').set(admin)).body).toMatchObject({ version: 5 });
}, 120_000);

afterAll(async () => {
  await Promise.all(spawned.map((p) => p.kill()));
  await t?.close();
});

function spawnWorker(name: string): SpawnedProcess {
  const worker = spawnCompiled(name, 'worker', processEnv(t.config, FAST_DELIVERY_ENV));
  spawned.push(worker);
  return worker;
}

const migrate = (body: object) => t.http.post('/api/workflows/poverty-entry/migrations').set(admin).send(body);
const runOf = async (id: string) => (await t.http.get(`/api/workflows/poverty-entry/migrations/${id}`).set(admin)).body;

async function finished(id: string) {
  let run: { status: string } | undefined;
  await eventually(
    `migration ${id} to finish`,
    async () => {
      run = await runOf(id);
      return run!.status === 'done' || run!.status === 'failed';
    },
    120_000,
    200,
  );
  return run!;
}

describe('a migration run whose worker dies', () => {
  it('goes on in another worker and moves every case exactly once; meanwhile the workflow takes no second run', async () => {
    const queued = await migrate({ fromVersion: 4, toVersion: 5 });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ status: 'queued', counts: { total: CASES, pending: CASES, migrated: 0 } });
    const runId: string = queued.body.id;

    // No worker yet: the run waits in the queue, and a second request is refused.
    const whileQueued = await migrate({ fromVersion: 4, toVersion: 5, dryRun: false });
    expect({ status: whileQueued.status, details: whileQueued.body.details }).toEqual({
      status: 409,
      details: { code: 'MIGRATION_RUNNING', workflow: 'poverty-entry', runId, status: 'queued' },
    });

    // The test holds the 60th case's row: the worker will wait there, 59 cases done.
    const [{ case_id: heldId }] = await t.dataSource.query(`SELECT case_id FROM migration_run_cases WHERE run_id = $1 ORDER BY position OFFSET $2 LIMIT 1`, [
      runId,
      HELD_AT - 1,
    ]);
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT id FROM cases WHERE id = $1 FOR UPDATE`, [heldId]);

    const first = spawnWorker('worker-1');
    await eventually(
      'the first worker to wait for the held case',
      async () => {
        const [{ migrated }] = await t.dataSource.query(`SELECT migrated FROM migration_runs WHERE id = $1`, [runId]);
        const [{ waiting }] = await t.dataSource.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
        return migrated === HELD_AT - 1 && waiting === 1;
      },
      120_000,
      200,
    );
    expect(await runOf(runId)).toMatchObject({ status: 'running', counts: { total: CASES, pending: CASES - HELD_AT + 1, migrated: HELD_AT - 1 } });
    const whileRunning = await migrate({ fromVersion: 4, toVersion: 5, caseIds: [heldId] });
    expect({ status: whileRunning.status, details: whileRunning.body.details }).toMatchObject({ status: 409, details: { code: 'MIGRATION_RUNNING', runId, status: 'running' } });

    // The worker dies while it waits; its transaction for the held case never commits.
    await first.kill();
    await holder.rollbackTransaction();
    await holder.release();

    spawnWorker('worker-2');
    expect(await finished(runId)).toMatchObject({
      status: 'done',
      counts: { total: CASES, pending: 0, migrated: CASES, refused: 0, skipped: 0, failed: 0 },
      refusals: [],
      error: null,
    });

    // Every case moved once: one history event, one audit row, version 5, a history that verifies.
    const events: { case_id: string; events: number; run_ids: string[]; workflow_version: number }[] = await t.dataSource.query(
      `SELECT c.id AS case_id, c.workflow_version, count(h.seq)::int AS events, array_agg(DISTINCT h.payload->>'runId') AS run_ids
         FROM cases c LEFT JOIN case_history h ON h.case_id = c.id AND h.event_type = 'definition' AND h.action = 'migrated'
        WHERE c.id = ANY($1::uuid[]) GROUP BY c.id`,
      [cases.map((c) => c.id)],
    );
    expect(events).toHaveLength(CASES);
    expect(events.filter((e) => e.events !== 1 || e.workflow_version !== 5 || e.run_ids.join() !== runId)).toEqual([]);
    const audit: { kind: string; target_id: string }[] = await t.dataSource.query(
      `SELECT kind, target_id FROM audit_log WHERE kind IN ('case.migrated', 'definition.migrated') ORDER BY id`,
    );
    expect(audit.filter((a) => a.kind === 'case.migrated').map((a) => a.target_id).sort()).toEqual(cases.map((c) => c.id).sort());
    expect(audit.filter((a) => a.kind === 'definition.migrated')).toHaveLength(1);
    expect(await t.dataSource.query(`SELECT outcome, count(*)::int AS n FROM migration_run_cases WHERE run_id = $1 GROUP BY outcome`, [runId])).toEqual([
      { outcome: 'migrated', n: CASES },
    ]);
    for (const id of [heldId, cases[0].id, cases[CASES - 1].id]) {
      expect((await t.http.get(`/api/cases/${id}/history/verify`).set(admin)).body).toMatchObject({ valid: true, replayMatches: true });
    }
  });

  it('leaves the workflow free for the next run once it is done', async () => {
    t.clock.advanceMinutes(1);
    const next = await migrate({ fromVersion: 4, toVersion: 5 });
    expect(next.status).toBe(202);
    expect(await finished(next.body.id)).toMatchObject({ status: 'done', counts: { total: 0, pending: 0, migrated: 0 } });
    const runs = (await t.http.get('/api/workflows/poverty-entry/migrations').set(admin)).body;
    expect(runs.map((r: { status: string; counts: { migrated: number } }) => [r.status, r.counts.migrated])).toEqual([
      ['done', 0],
      ['done', CASES],
    ]);
  });
});
