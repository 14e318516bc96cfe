import { createTestApp, type TestApp } from '../support/test-app.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, steps, type CaseBody } from '../support/case-driver.js';

let testApp: TestApp;
let driver: CaseDriver;

beforeAll(async () => {
  testApp = await createTestApp();
  driver = new CaseDriver(testApp);
});

afterAll(async () => {
  await testApp.close();
});

async function counts(caseId: string) {
  const [row] = await testApp.dataSource.query(
    `SELECT (SELECT version FROM cases WHERE id = $1) AS version,
            (SELECT count(*)::int FROM case_history WHERE case_id = $1) AS history,
            (SELECT count(*)::int FROM tasks WHERE case_id = $1) AS tasks,
            (SELECT count(*)::int FROM tasks WHERE case_id = $1 AND status = 'open') AS open_tasks,
            (SELECT count(*)::int FROM outbox WHERE case_id = $1) AS outbox,
            (SELECT json_agg(json_build_object('step', step, 'kind', kind, 'status', status) ORDER BY id) FROM deadlines WHERE case_id = $1) AS deadlines,
            (SELECT snapshot FROM cases WHERE id = $1) AS snapshot`,
    [caseId],
  );
  return row;
}

describe('optimistic concurrency', () => {
  it('lets exactly one of 20 concurrent actions with the same expectedVersion through', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const token = await driver.token('ts-officer');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        testApp.http
          .post(`/api/cases/${c.id}/actions`)
          .set('Authorization', `Bearer ${token}`)
          .send({ action: 'submit', data: ELIGIBLE_PROPOSAL, expectedVersion: 0 }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const conflict of responses.filter((r) => r.status === 409)) {
      expect(conflict.body).toMatchObject({ statusCode: 409, error: 'Conflict', details: { code: 'VERSION_CONFLICT' } });
    }
    const after = await counts(c.id);
    expect(after).toMatchObject({ version: 1, history: 2 });
  });
});

describe('idempotency keys', () => {
  it('returns the first result for a repeated key and changes the case once', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const first = await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL, {}, { 'Idempotency-Key': 'submit-once-1' });
    const second = await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL, {}, { 'Idempotency-Key': 'submit-once-1' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await counts(c.id)).toMatchObject({ version: 1, history: 2 });
  });

  it('also when the repeats arrive at the same time', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const keyed = await Promise.all(
      Array.from({ length: 8 }, () => driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL, {}, { 'Idempotency-Key': 'concurrent-key' })),
    );
    expect(keyed.map((r) => r.status)).toEqual(Array(8).fill(200));
    for (const response of keyed) expect(response.body).toEqual(keyed[0].body);
    expect(await counts(c.id)).toMatchObject({ version: 1, history: 2 });
  });

  it('refuses a key reused for a different request', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL, {}, { 'Idempotency-Key': 'reused' });
    const other = await driver.try('ts-officer', c, 'cancel', { reason: '撤回' }, {}, { 'Idempotency-Key': 'reused' });
    expect(other.status).toBe(422);
    expect(other.body.details.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('one action, one transaction', () => {
  it('leaves case, history, tasks and outbox untouched when the transaction fails after the history insert', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const before = await counts(c.id);
    // A real failure inside PostgreSQL, after the case update, the history insert and the
    // closing of the old task: the deadlines of the next step are among the last writes.
    await testApp.dataSource.query(`
      CREATE FUNCTION fail_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER fail_deadlines BEFORE INSERT ON deadlines FOR EACH ROW EXECUTE FUNCTION fail_deadlines();`);
    try {
      const failed = await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
      expect(failed.status).toBe(500);
      expect(failed.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    } finally {
      await testApp.dataSource.query(`DROP TRIGGER fail_deadlines ON deadlines; DROP FUNCTION fail_deadlines();`);
    }
    expect(await counts(c.id)).toEqual(before);
    const retried = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(retried)).toEqual(['support']);
  });
});

describe('tamper-evident history', () => {
  async function caseWithHistory(): Promise<CaseBody> {
    let c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'return', { reason: '补充材料' });
    return driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
  }

  it('verifies an untouched case', async () => {
    const c = await caseWithHistory();
    const verdict = await driver.verify('ts-officer', c.id);
    expect(verdict.body).toEqual({ caseId: c.id, valid: true, length: 4, replayMatches: true });
  });

  it('reports the first altered row', async () => {
    const c = await caseWithHistory();
    await testApp.dataSource.query(
      `UPDATE case_history SET payload = jsonb_set(payload, '{input,perCapitaIncome}', '9999') WHERE case_id = $1 AND seq = 2`,
      [c.id],
    );
    const verdict = await driver.verify('ts-officer', c.id);
    expect(verdict.body).toMatchObject({ valid: false, firstBrokenSeq: 2, reason: expect.stringContaining('altered') });
  });

  it('reports a deleted row', async () => {
    const c = await caseWithHistory();
    await testApp.dataSource.query(`DELETE FROM case_history WHERE case_id = $1 AND seq = 3`, [c.id]);
    const verdict = await driver.verify('ts-officer', c.id);
    expect(verdict.body).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('reports rows removed from the end of the history', async () => {
    const c = await caseWithHistory();
    await testApp.dataSource.query(`DELETE FROM case_history WHERE case_id = $1 AND seq = 4`, [c.id]);
    const verdict = await driver.verify('ts-officer', c.id);
    expect(verdict.body).toMatchObject({ valid: false, length: 3, firstBrokenSeq: 4, reason: expect.stringContaining('missing') });
  });

  it('notices a snapshot edited outside the engine', async () => {
    const c = await caseWithHistory();
    await testApp.dataSource.query(`UPDATE cases SET snapshot = jsonb_set(snapshot, '{value}', '"registered"') WHERE id = $1`, [c.id]);
    const verdict = await driver.verify('ts-officer', c.id);
    expect(verdict.body).toMatchObject({ valid: true, replayMatches: false });
  });
});

describe('definition versions', () => {
  it('keeps a running case on the version it started with when a newer one is published', async () => {
    const old = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    expect(old.workflow.version).toBe(4);
    const definitions = testApp.app.get((await import('../../src/definitions/definitions.service.js')).DefinitionsService);
    const v1 = (await definitions.latest('poverty-entry')).compiled.definition;
    // Version 5 drops the support step: proposals go straight to the village appraisal.
    const v2 = structuredClone(v1);
    v2.version = 5;
    v2.steps.propose.actions!.submit.target = 'appraisal';
    v2.steps.appraisal.actions!.record.branches = [
      { when: v2.steps.appraisal.actions!.record.branches![0].when, target: 'countyReview' },
      { target: 'propose' },
    ];
    v2.steps.appraisal.actions!.return.target = 'propose';
    delete v2.steps.support;
    await definitions.publish(v2, JSON.stringify(v2), 'json');

    const moved = await driver.act('ts-officer', old, 'submit', ELIGIBLE_PROPOSAL);
    expect(moved.workflow.version).toBe(4);
    expect(steps(moved)).toEqual(['support']);

    const fresh = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    expect(fresh.workflow.version).toBe(5);
    const skipped = await driver.act('ts-officer', fresh, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(skipped)).toEqual(['appraisal']);

    const list = await testApp.http.get('/api/workflows').set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
    const entry = list.body.find((w: { key: string }) => w.key === 'poverty-entry');
    expect(entry).toMatchObject({ latestVersion: 5 });
    expect(entry.versions.map((v: { version: number }) => v.version)).toEqual([4, 5]);
    expect(entry.versions[1]).toMatchObject({ cases: 1, running: 1 });

    // What changed, in words, for the administrator comparing the two versions.
    const auth = { Authorization: `Bearer ${await driver.token('admin')}` };
    const diff = await testApp.http.get('/api/workflows/poverty-entry/diff?from=4&to=5').set(auth);
    expect(diff.status).toBe(200);
    const texts = diff.body.changes.map((c: { text: string }) => c.text);
    expect(texts).toContain('Step removed: 精准扶持 (support)');
    expect(texts).toContain('Step 拟选对象 (propose), action 提交拟选对象 (submit): goes to support → now to appraisal');
    expect((await testApp.http.get('/api/workflows/poverty-entry/diff?from=4&to=9').set(auth)).status).toBe(404);
    expect((await testApp.http.get('/api/workflows/poverty-entry/diff?from=two&to=5').set(auth)).status).toBe(400);
  });

  it('refuses to publish different content under an existing version', async () => {
    const definitions = testApp.app.get((await import('../../src/definitions/definitions.service.js')).DefinitionsService);
    const v1 = structuredClone((await definitions.byId((await definitions.latest('disaster-reentry')).id)).compiled.definition);
    v1.label = '改过的名称';
    await expect(definitions.publish(v1, JSON.stringify(v1), 'json')).rejects.toMatchObject({ code: 'VERSION_CHANGED' });
  });
});
