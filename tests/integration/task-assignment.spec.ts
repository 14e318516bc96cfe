import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, steps, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
let driver: CaseDriver;
const ids = new Map<string, string>();

beforeAll(async () => {
  testApp = await createTestApp();
  driver = new CaseDriver(testApp);
  for (const row of (await testApp.dataSource.query(`SELECT id, username FROM users`)) as { id: string; username: string }[]) ids.set(row.username, row.id);
});

afterAll(async () => {
  await testApp.close();
});

const userId = (username: string) => ids.get(username)!;

async function post(username: string, path: string, body: Record<string, unknown> = {}) {
  return testApp.http.post(path).set('Authorization', `Bearer ${await driver.token(username)}`).send(body);
}

/** A new 台山 poverty-entry case at the town's proposal step, and the id of its open task. */
async function proposal(): Promise<{ c: CaseBody; taskId: string }> {
  const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
  return { c, taskId: c.openTasks[0].id };
}

async function task(taskId: string) {
  const [row] = await testApp.dataSource.query(`SELECT status, assignee_id, owner_id, pending_action FROM tasks WHERE id = $1`, [taskId]);
  return row as { status: string; assignee_id: string | null; owner_id: string | null; pending_action: unknown };
}

async function historyOf(caseId: string) {
  const response = await testApp.http.get(`/api/cases/${caseId}/history`).set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
  expect(response.status).toBe(200);
  return response.body as { eventType: string; action: string | null; actor: { id: string; username: string; onBehalfOf?: string }; payload: Record<string, unknown> }[];
}

async function current(caseId: string): Promise<CaseBody> {
  return (await driver.get('ts-officer', caseId)).body as CaseBody;
}

describe('claiming a task', () => {
  it('makes the task the claimant’s alone: a colleague acting on it gets 409, the claimant acts', async () => {
    const { c, taskId } = await proposal();
    const claimed = await post('ts-officer2', `/api/tasks/${taskId}/claim`, { reason: '我来办' });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ id: taskId, assigneeId: userId('ts-officer2'), ownerId: null, status: 'open' });

    const refused = await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(refused.status).toBe(409);
    expect(refused.body.details.code).toBe('TASK_CLAIMED_BY_OTHER');
    expect((await current(c.id)).version).toBe(0);

    const moved = await driver.act('ts-officer2', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(moved)).toEqual(['support']);
    const claim = (await historyOf(c.id)).find((e) => e.eventType === 'task.claimed')!;
    expect(claim).toMatchObject({ actor: { username: 'ts-officer2' }, payload: { taskId, step: 'propose', reason: '我来办' } });
  });

  it('refuses a user of the same county who does not hold the role (403), and a claim on a claimed task (409)', async () => {
    const { taskId } = await proposal();
    const reviewer = await post('ts-reviewer', `/api/tasks/${taskId}/claim`);
    expect(reviewer.status).toBe(403);
    expect(reviewer.body.details.code).toBe('NOT_ELIGIBLE');
    expect((await post('ts-officer', `/api/tasks/${taskId}/claim`)).status).toBe(200);
    const second = await post('ts-officer2', `/api/tasks/${taskId}/claim`);
    expect(second.status).toBe(409);
    expect(second.body.details.code).toBe('TASK_CLAIMED_BY_OTHER');
    expect((await task(taskId)).assignee_id).toBe(userId('ts-officer'));
  });

  it('answers 404 to a user of another county, as if the task did not exist, and audits the attempt', async () => {
    const { c, taskId } = await proposal();
    const outsider = await post('kp-officer', `/api/tasks/${taskId}/claim`);
    expect(outsider.status).toBe(404);
    expect(outsider.body.details.code).toBe('TASK_NOT_FOUND');
    const [audit] = await testApp.dataSource.query(
      `SELECT kind, actor_username, target_type, target_id, jurisdiction_code, details FROM audit_log WHERE kind = 'access.denied' AND target_id = $1`,
      [c.id],
    );
    expect(audit).toMatchObject({ actor_username: 'kp-officer', target_type: 'case', jurisdiction_code: c.jurisdictionCode, details: { operation: 'assign' } });
    expect((await task(taskId)).assignee_id).toBeNull();
  });

  it('releases a claimed task back to everyone eligible', async () => {
    const { taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/claim`);
    expect((await post('ts-officer2', `/api/tasks/${taskId}/release`)).status).toBe(403);
    const released = await post('ts-officer', `/api/tasks/${taskId}/release`, { reason: '休假' });
    expect(released.status).toBe(200);
    expect(released.body.assigneeId).toBeNull();
  });
});

describe('transfer (转办)', () => {
  it('hands the task to an eligible colleague, with the reason in the history', async () => {
    const { c, taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/claim`);
    const moved = await post('ts-officer', `/api/tasks/${taskId}/transfer`, { to: userId('ts-officer2'), reason: '该户属其联系片区' });
    expect(moved.status).toBe(200);
    expect(moved.body.assigneeId).toBe(userId('ts-officer2'));
    const event = (await historyOf(c.id)).find((e) => e.eventType === 'task.transferred')!;
    expect(event).toMatchObject({ actor: { username: 'ts-officer' }, payload: { to: userId('ts-officer2'), reason: '该户属其联系片区' } });
    expect((await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL)).status).toBe(409);
    expect(steps(await driver.act('ts-officer2', c, 'submit', ELIGIBLE_PROPOSAL))).toEqual(['support']);
  });

  it.each([
    ['an officer of another county', 'kp-officer'],
    ['a reviewer of the county', 'ts-reviewer'],
    ['the caller themself', 'ts-officer'],
  ])('refuses %s as the new assignee (422) and changes nothing', async (_what, to) => {
    const { c, taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/claim`);
    const refused = await post('ts-officer', `/api/tasks/${taskId}/transfer`, { to: userId(to), reason: '试试' });
    expect(refused.status).toBe(422);
    expect(refused.body.details.code).toBe('TARGET_NOT_ELIGIBLE');
    expect((await task(taskId)).assignee_id).toBe(userId('ts-officer'));
    expect((await historyOf(c.id)).map((e) => e.eventType)).toEqual(['started', 'task.claimed']);
  });

  it('needs a reason and a user id (400)', async () => {
    const { taskId } = await proposal();
    expect((await post('ts-officer', `/api/tasks/${taskId}/transfer`, { to: userId('ts-officer2') })).status).toBe(400);
    expect((await post('ts-officer', `/api/tasks/${taskId}/transfer`, { to: 'ts-officer2', reason: 'x' })).status).toBe(400);
  });

  it('cannot be done by somebody the task is not assigned to (409)', async () => {
    const { taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/claim`);
    const refused = await post('ts-officer2', `/api/tasks/${taskId}/transfer`, { to: userId('ts-officer2'), reason: '抢单' });
    expect(refused.status).toBe(409);
    expect((await task(taskId)).assignee_id).toBe(userId('ts-officer'));
  });
});

describe('delegation (委托)', () => {
  it('lets the delegate act on the owner’s behalf, recorded in the history', async () => {
    const { c, taskId } = await proposal();
    const delegated = await post('ts-officer', `/api/tasks/${taskId}/delegate`, { to: userId('ts-officer2'), reason: '出差三天' });
    expect(delegated.status).toBe(200);
    expect(delegated.body).toMatchObject({ assigneeId: userId('ts-officer2'), ownerId: userId('ts-officer') });
    expect((await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL)).status).toBe(409);
    await driver.act('ts-officer2', c, 'submit', ELIGIBLE_PROPOSAL);
    const action = (await historyOf(c.id)).find((e) => e.eventType === 'action')!;
    expect(action.actor).toMatchObject({ username: 'ts-officer2', onBehalfOf: userId('ts-officer') });
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });

  it('is taken back by the owner only', async () => {
    const { c, taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/delegate`, { to: userId('ts-officer2'), reason: '出差' });
    const byDelegate = await post('ts-officer2', `/api/tasks/${taskId}/take-back`);
    expect(byDelegate.status).toBe(403);
    const back = await post('ts-officer', `/api/tasks/${taskId}/take-back`, { reason: '提前返岗' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ assigneeId: userId('ts-officer'), ownerId: null });
    expect((await driver.try('ts-officer2', c, 'submit', ELIGIBLE_PROPOSAL)).status).toBe(409);
    expect((await historyOf(c.id)).map((e) => e.eventType)).toEqual(['started', 'task.delegated', 'task.taken-back']);
  });

  it('cannot be delegated again by the delegate (409)', async () => {
    const { taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/delegate`, { to: userId('ts-officer2'), reason: '出差' });
    const again = await post('ts-officer2', `/api/tasks/${taskId}/delegate`, { to: userId('ts-officer'), reason: '转回' });
    expect(again.status).toBe(409);
    expect(again.body.details.code).toBe('ALREADY_DELEGATED');
  });
});

describe('added signers (加签)', () => {
  it('before: the assignee may act only once the added signer has signed', async () => {
    const { c, taskId } = await proposal();
    const added = await post('ts-officer', `/api/tasks/${taskId}/signers`, { userId: userId('ts-reviewer'), position: 'before', reason: '请县里先把关收入核算' });
    expect(added.status).toBe(200);
    expect(added.body.signers).toEqual([{ userId: userId('ts-reviewer'), kind: 'before', status: 'pending', decision: null }]);
    const early = await driver.try('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(early.status).toBe(409);
    expect(early.body.details.code).toBe('AWAITING_SIGNERS');
    expect((await post('ts-officer2', `/api/tasks/${taskId}/sign`, { decision: 'agree' })).status).toBe(403);
    const signed = await post('ts-reviewer', `/api/tasks/${taskId}/sign`, { decision: 'agree', comment: '收入核算无误' });
    expect(signed.status).toBe(200);
    expect(signed.body.signers[0]).toMatchObject({ status: 'signed', decision: 'agree' });
    expect(steps(await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL))).toEqual(['support']);
  });

  it('after: the action is held until the signer agrees, then taken as the assignee', async () => {
    const { c, taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/signers`, { userId: userId('ts-officer2'), position: 'after', reason: '复核' });
    expect((await post('ts-officer2', `/api/tasks/${taskId}/sign`, { decision: 'agree' })).body.details.code).toBe('NOTHING_TO_SIGN');
    const held = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(steps(held)).toEqual(['propose']);
    expect(held.version).toBe(0);
    expect((await task(taskId)).pending_action).toMatchObject({ action: 'submit', actorId: userId('ts-officer') });

    const signed = await post('ts-officer2', `/api/tasks/${taskId}/sign`, { decision: 'agree' });
    expect(signed.status).toBe(200);
    expect(signed.body.status).toBe('completed');
    const after = await current(c.id);
    expect(steps(after)).toEqual(['support']);
    const history = await historyOf(c.id);
    expect(history.map((e) => e.eventType)).toEqual(['started', 'task.signer-added', 'task.action-held', 'task.signed', 'action']);
    expect(history[4].actor.username).toBe('ts-officer');
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });

  it('after: a disagreement drops the held action; the assignee decides again', async () => {
    const { c, taskId } = await proposal();
    await post('ts-officer', `/api/tasks/${taskId}/signers`, { userId: userId('ts-officer2'), position: 'after', reason: '复核' });
    await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const disagreed = await post('ts-officer2', `/api/tasks/${taskId}/sign`, { decision: 'disagree', comment: '劳动力情况需核实' });
    expect(disagreed.body).toMatchObject({ status: 'open', pendingAction: null, signers: [{ status: 'pending' }] });
    expect(steps(await current(c.id))).toEqual(['propose']);
    await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    await post('ts-officer2', `/api/tasks/${taskId}/sign`, { decision: 'agree' });
    expect(steps(await current(c.id))).toEqual(['support']);
  });

  it('refuses a signer outside the case’s jurisdiction (422) and a signer twice (409)', async () => {
    const { taskId } = await proposal();
    const outsider = await post('ts-officer', `/api/tasks/${taskId}/signers`, { userId: userId('kp-reviewer'), position: 'before', reason: 'x' });
    expect(outsider.status).toBe(422);
    await post('ts-officer', `/api/tasks/${taskId}/signers`, { userId: userId('ts-reviewer'), position: 'before', reason: 'x' });
    const twice = await post('ts-officer', `/api/tasks/${taskId}/signers`, { userId: userId('ts-reviewer'), position: 'after', reason: 'x' });
    expect(twice.status).toBe(409);
    expect((await task(taskId)).assignee_id).toBe(userId('ts-officer'));
  });
});

describe('a task that is closed', () => {
  it('cannot be claimed or transferred (409)', async () => {
    const { c, taskId } = await proposal();
    await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const claim = await post('ts-officer2', `/api/tasks/${taskId}/claim`);
    expect(claim.status).toBe(409);
    expect(claim.body.details.code).toBe('TASK_CLOSED');
  });

  it('answers 404 for an unknown task and 400 for a malformed id', async () => {
    expect((await post('ts-officer', `/api/tasks/7d8f0a3e-2c4b-4e1a-9f6d-0b1c2d3e4f50/claim`)).status).toBe(404);
    expect((await post('ts-officer', `/api/tasks/not-a-uuid/claim`)).status).toBe(400);
  });
});
