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

/** Adds an active user (for a second reviewer, a third officer …) and returns its id. */
async function addUser(username: string, role: string, jurisdictionCode: string): Promise<string> {
  const [template] = await testApp.dataSource.query(`SELECT password_hash FROM users WHERE username = 'ts-officer'`);
  const [row] = await testApp.dataSource.query(
    `INSERT INTO users (username, display_name, password_hash, roles, jurisdiction_code) VALUES ($1, $1, $2, $3, $4) RETURNING id`,
    [username, template.password_hash, [role], jurisdictionCode],
  );
  ids.set(username, row.id);
  return row.id;
}

describe('countersign (会签) on poverty-entry’s county review', () => {
  beforeAll(async () => {
    await addUser('ts-reviewer2', 'reviewer', '440781');
  });

  it('moves on only when every reviewer of the county approved; each votes once', async () => {
    const c = await driver.entryAtCountyReview();
    const first = await driver.act('ts-reviewer', c, 'approve', { opinion: '同意' });
    expect(steps(first)).toEqual(['countyReview']);
    expect(first.version).toBe(c.version);
    const again = await driver.try('ts-reviewer', first, 'approve', { opinion: '同意' });
    expect(again.status).toBe(409);
    expect(again.body.details.code).toBe('ALREADY_VOTED');
    const second = await driver.act('ts-reviewer2', first, 'approve', { opinion: '同意' });
    expect(steps(second)).toEqual(['cityApproval']);
    // The vote that did not decide is recorded with the tally; the deciding vote is the action.
    const history = await historyOf(c.id);
    const votes = history.filter((e) => e.eventType === 'task.voted');
    expect(votes.map((v) => [v.actor.username, v.payload.vote, v.payload.tally])).toEqual([['ts-reviewer', 'approve', { approvals: 1, rejections: 0, voters: 2 }]]);
    expect(history.filter((e) => e.eventType === 'action').at(-1)).toMatchObject({ action: 'approve', actor: { username: 'ts-reviewer2' } });
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });

  it('sends the case back to the town as soon as one reviewer returns it', async () => {
    const c = await driver.entryAtCountyReview();
    const first = await driver.act('ts-reviewer', c, 'approve', { opinion: '同意' });
    const back = await driver.act('ts-reviewer2', first, 'return', { reason: '收入核算缺少务工收入' });
    expect(steps(back)).toEqual(['propose']);
  });

  it('ends it with one reviewer’s rejection: under 会签 any “no” decides, and its action is taken', async () => {
    const c = await driver.entryAtCountyReview();
    const rejected = await driver.act('ts-reviewer2', c, 'reject', { reason: '家庭收入超过标准' });
    expect(rejected).toMatchObject({ finished: true, status: 'rejected' });
  });

  it('refuses a voter who is not a reviewer of the county, and claims on a countersign task', async () => {
    const c = await driver.entryAtCountyReview();
    expect((await driver.try('kp-reviewer', c, 'approve', {})).status).toBe(404);
    const officer = await driver.try('ts-officer', c, 'approve', {});
    expect(officer.status).toBe(403);
    expect(await historyOf(c.id).then((h) => h.filter((e) => e.eventType === 'task.voted'))).toEqual([]);
    const claim = await post('ts-reviewer', `/api/tasks/${c.openTasks[0].id}/claim`);
    expect(claim.status).toBe(422);
    expect(claim.body.details.code).toBe('COUNTERSIGN_TASK');
  });
});

/** A small procedure published for these tests: one town step decided by the town's officers. */
function jointDecision(key: string, countersign: Record<string, unknown> | undefined, assignment?: Record<string, boolean>) {
  return {
    key,
    version: 1,
    label: '联合决定',
    start: { role: 'officer', level: 'town', fields: { householdName: { type: 'string', label: '户主', required: true } } },
    titleField: 'householdName',
    initial: 'decide',
    steps: {
      decide: {
        label: '决定',
        role: 'officer',
        level: 'town',
        ...(countersign ? { countersign } : {}),
        ...(assignment ? { assignment } : {}),
        actions: {
          approve: { label: '同意', kind: 'approve', target: 'approved' },
          reject: { label: '不同意', kind: 'reject', target: 'rejected' },
        },
      },
      approved: { label: '通过', type: 'final', status: 'approved' },
      rejected: { label: '未通过', type: 'final', status: 'rejected' },
    },
  };
}

describe('countersign modes (或签 any-one, 票签 ratio) and steps that forbid hand-overs', () => {
  beforeAll(async () => {
    await addUser('ts-officer3', 'officer', '440781109');
    const { loadDefinition } = await import('../../src/engine/definition-validator.js');
    const { DefinitionsService } = await import('../../src/definitions/definitions.service.js');
    const definitions = testApp.app.get(DefinitionsService);
    for (const definition of [
      jointDecision('joint-any', { mode: 'any', approve: 'approve', reject: 'reject' }),
      jointDecision('joint-ratio', { mode: 'ratio', ratio: 0.6, approve: 'approve', reject: 'reject' }),
      jointDecision('locked-step', undefined, { transfer: false, delegate: false, addSigner: false }),
    ]) {
      const source = JSON.stringify(definition);
      const loaded = loadDefinition(source, `${definition.key}.json`);
      expect(loaded.issues.filter((i) => i.severity === 'error')).toEqual([]);
      await definitions.publish(loaded.definition!, source, 'json');
    }
  });

  it('或签: the first vote decides, whichever way', async () => {
    const c = await driver.start('ts-officer', 'joint-any', { householdName: '黄一' });
    const decided = await driver.act('ts-officer2', c, 'reject');
    expect(decided).toMatchObject({ finished: true, status: 'rejected' });
  });

  it('票签 at 60 %: two of three officers approving decide; two rejecting decide the other way', async () => {
    const yes = await driver.start('ts-officer', 'joint-ratio', { householdName: '黄二' });
    const afterOne = await driver.act('ts-officer', yes, 'approve');
    expect(afterOne.finished).toBe(false);
    expect(await driver.act('ts-officer3', afterOne, 'approve')).toMatchObject({ finished: true, status: 'approved' });

    const no = await driver.start('ts-officer', 'joint-ratio', { householdName: '黄三' });
    const oneNo = await driver.act('ts-officer2', no, 'reject');
    expect(oneNo.finished).toBe(false);
    expect(await driver.act('ts-officer3', oneNo, 'reject')).toMatchObject({ finished: true, status: 'rejected' });
  });

  it.each([
    ['transfer', { to: 'ts-officer2', reason: '转办' }],
    ['delegate', { to: 'ts-officer2', reason: '委托' }],
    ['signers', { userId: 'ts-reviewer', position: 'before', reason: '加签' }],
  ])('a step whose definition forbids it refuses %s (422) and stays as it was', async (route, body) => {
    const c = await driver.start('ts-officer', 'locked-step', { householdName: '黄四' });
    const taskId = c.openTasks[0].id;
    const resolved = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k === 'to' || k === 'userId' ? userId(v) : v]));
    const refused = await post('ts-officer', `/api/tasks/${taskId}/${route}`, resolved);
    expect(refused.status).toBe(422);
    expect(refused.body.details.code).toBe('NOT_ALLOWED_BY_DEFINITION');
    expect(await task(taskId)).toMatchObject({ assignee_id: null, owner_id: null });
    expect((await historyOf(c.id)).map((e) => e.eventType)).toEqual(['started']);
  });
});

describe('withdraw (撤回)', () => {
  it('takes the proposal back to the officer who submitted it while the support step is untouched', async () => {
    const { c } = await proposal();
    const submitted = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const response = await post('ts-officer', `/api/cases/${c.id}/withdraw`, { expectedVersion: submitted.version, reason: '漏填家庭成员' });
    expect(response.status).toBe(200);
    expect(steps(response.body)).toEqual(['propose']);
    expect(response.body.currentSteps[0].entry).toBe(2);
    const last = (await historyOf(c.id)).at(-1)!;
    expect(last).toMatchObject({ eventType: 'action', action: '$withdraw', actor: { username: 'ts-officer' } });
    const [supportTask] = await testApp.dataSource.query(`SELECT status, outcome FROM tasks WHERE case_id = $1 AND step = 'support'`, [c.id]);
    expect(supportTask).toEqual({ status: 'completed', outcome: 'withdrawn' });
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, replayMatches: true });
  });

  it('is refused to anybody but the submitter, once the next step claimed the case, and for an action that is not withdrawable', async () => {
    const { c } = await proposal();
    const submitted = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const byColleague = await post('ts-officer2', `/api/cases/${c.id}/withdraw`, { expectedVersion: submitted.version });
    expect(byColleague.status).toBe(422);
    expect(byColleague.body.details.code).toBe('WITHDRAW_NOT_ALLOWED');

    await post('ts-officer2', `/api/tasks/${submitted.openTasks[0].id}/claim`);
    const afterClaim = await post('ts-officer', `/api/cases/${c.id}/withdraw`, { expectedVersion: submitted.version });
    expect(afterClaim.status).toBe(422);
    await post('ts-officer2', `/api/tasks/${submitted.openTasks[0].id}/release`);

    const supported = await driver.act('ts-officer', submitted, 'submit', { measures: ['industry'], pairedUnit: '台山市农业农村局', responsiblePerson: '黄志强' });
    const notWithdrawable = await post('ts-officer', `/api/cases/${c.id}/withdraw`, { expectedVersion: supported.version });
    expect(notWithdrawable.status).toBe(422);
    expect(steps(await current(c.id))).toEqual(['appraisal']);
  });

  it('answers 409 to a stale version and 404 outside the jurisdiction', async () => {
    const { c } = await proposal();
    await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect((await post('ts-officer', `/api/cases/${c.id}/withdraw`, { expectedVersion: 0 })).status).toBe(409);
    expect((await post('kp-officer', `/api/cases/${c.id}/withdraw`, { expectedVersion: 1 })).status).toBe(404);
  });
});

describe('return to a chosen step (驳回到指定节点)', () => {
  async function atCityApproval(): Promise<CaseBody> {
    const c = await driver.entryAtCountyReview();
    return driver.act('ts-reviewer', c, 'approve', { opinion: '同意' }).then(async (voted) =>
      steps(voted).includes('countyReview') ? driver.act('ts-reviewer2', voted, 'approve', { opinion: '同意' }) : voted,
    );
  }

  it('sends the case from the city straight back to the town’s proposal when the approver picks it', async () => {
    const c = await atCityApproval();
    expect(steps(c)).toEqual(['cityApproval']);
    const offered = c.availableActions.find((a) => a.action === 'returnToStep');
    expect(offered).toBeUndefined(); // ts-officer's view: not theirs to take
    const back = await driver.act('jm-approver', c, 'returnToStep', { returnStep: 'propose', reason: '户籍人口信息有误' });
    expect(steps(back)).toEqual(['propose']);
  });

  it('refuses a step that is not among the definition’s choices (400)', async () => {
    const c = await atCityApproval();
    const refused = await driver.try('jm-approver', c, 'returnToStep', { returnStep: 'appraisal', reason: 'x' });
    expect(refused.status).toBe(400);
    expect(steps(await current(c.id))).toEqual(['cityApproval']);
  });
});
