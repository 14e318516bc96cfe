import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * What the web app's case page reads besides the case itself: the due time of each open
 * task, the definition the case is pinned to, a task's assignment with the colleagues it may
 * go to — and the built web app served at / without ever answering for /api.
 */

let testApp: TestApp;
let driver: CaseDriver;
let webDist: string;

beforeAll(async () => {
  webDist = mkdtempSync(join(tmpdir(), 'fupin-web-'));
  mkdirSync(join(webDist, 'assets'));
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>web app</title>');
  writeFileSync(join(webDist, 'assets', 'index-abc123.js'), 'console.log(1)');
  testApp = await createTestApp({ now: '2026-03-02T02:00:00Z', env: { WEB_DIST: webDist } });
  driver = new CaseDriver(testApp);
});

afterAll(async () => {
  await testApp?.close();
  rmSync(webDist, { recursive: true, force: true });
});

async function get(username: string, path: string) {
  return testApp.http.get(path).set('Authorization', `Bearer ${await driver.token(username)}`);
}

describe('the due time of open tasks', () => {
  it('is on the case as the inbox shows it: 10 working days after Monday 2026-03-02, at 17:30 Beijing time', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '期限户' });
    expect(c.openTasks).toEqual([expect.objectContaining({ step: 'propose', dueAt: '2026-03-16T09:30:00.000Z' })]);
    expect((await driver.get('ts-officer', c.id)).body.openTasks[0].dueAt).toBe('2026-03-16T09:30:00.000Z');
    const inbox = await get('ts-officer', '/api/tasks?q=期限户');
    expect(inbox.body.items.map((i: { dueAt: string }) => i.dueAt)).toEqual(['2026-03-16T09:30:00.000Z']);
  });

  it('is in the answer of the resubmission that resumes a clock a return paused', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '补正户' });
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await driver.act('ts-officer', c, 'return', { reason: '收入证明缺失' });
    const resubmitted = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(resubmitted.openTasks).toEqual([expect.objectContaining({ step: 'support', dueAt: expect.any(String) })]);
    expect((await driver.get('ts-officer', c.id)).body.openTasks).toEqual(resubmitted.openTasks);
  });
});

describe('GET /api/cases/:id/definition', () => {
  it('gives whoever may read the case its pinned definition, and answers 404 outside the jurisdiction', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const response = await get('ts-reviewer', `/api/cases/${c.id}/definition`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ key: 'poverty-entry', version: c.workflow.version, definition: { key: 'poverty-entry', initial: 'propose', titleField: 'householdName' } });
    expect(response.body.definition.steps.propose.actions.submit).toMatchObject({ label: '提交拟选对象', kind: 'submit', withdrawable: true });
    expect(response.body.definition.start.fields.householdName).toEqual({ type: 'string', label: '户主姓名', labelEn: 'Head of household', required: true, maxLength: 50 });
    const outside = await get('kp-officer', `/api/cases/${c.id}/definition`);
    expect(outside.status).toBe(404);
    expect(outside.body.details.code).toBe('CASE_NOT_FOUND');
  });
});

describe('GET /api/cases/:id/diagram', () => {
  it("gives whoever may read the case the BPMN of its pinned version, the administrators' export of it, with the steps' keys as element ids", async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const response = await get('ts-officer', `/api/cases/${c.id}/diagram`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/xml; charset=utf-8');
    const exported = await get('admin', `/api/workflows/poverty-entry/export?format=bpmn&version=${c.workflow.version}`);
    expect(response.text).toBe(exported.text);
    expect(response.text).toContain('<bpmn:userTask id="propose" name="拟选对象"');
    // The officer may not use the administrators' route; the case's own route is theirs.
    expect((await get('ts-officer', `/api/workflows/poverty-entry/export?format=bpmn`)).status).toBe(403);
    const outside = await get('kp-officer', `/api/cases/${c.id}/diagram`);
    expect(outside.status).toBe(404);
    expect(outside.body.details.code).toBe('CASE_NOT_FOUND');
  });
});

describe('GET /api/tasks/:id', () => {
  it('lists who may take the task over and who may sign it, the caller and read-only users left out', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const response = await get('ts-officer', `/api/tasks/${c.openTasks[0].id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: c.openTasks[0].id,
      caseId: c.id,
      step: 'propose',
      status: 'open',
      role: 'officer',
      jurisdictionCode: '440781109',
      assigneeId: null,
      allowed: { transfer: true, delegate: true, addSigner: true },
      signers: [],
    });
    const usernames = (list: { username: string }[]) => list.map((u) => u.username);
    expect(usernames(response.body.handOverTo)).toEqual(['ts-officer2']);
    // Everyone bound on the path 江门市 → 台山市 → 端芬镇 who may act there; the auditor only reads.
    expect(usernames(response.body.signerCandidates)).toEqual(['admin', 'jm-approver', 'jm-supervisor', 'ts-reviewer', 'ts-supervisor', 'ts-officer2']);
    expect(response.body.handOverTo[0]).toEqual({ id: expect.any(String), username: 'ts-officer2', displayName: '台山市端芬镇扶贫办 经办人（二）' });
  });

  it('allows no hand-over on a countersign step, and is not found outside the jurisdiction', async () => {
    const c = await driver.entryAtCountyReview();
    const task = c.openTasks[0];
    const response = await get('ts-reviewer', `/api/tasks/${task.id}`);
    expect(response.body).toMatchObject({ step: 'countyReview', allowed: { transfer: false, delegate: false, addSigner: false }, handOverTo: [], signerCandidates: [] });
    const outside = await get('kp-reviewer', `/api/tasks/${task.id}`);
    expect(outside.status).toBe(404);
    expect(outside.body.details.code).toBe('TASK_NOT_FOUND');
  });

  it('still answers for a task once closed, with nothing allowed', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    const response = await get('ts-officer', `/api/tasks/${c.openTasks[0].id}`);
    expect(response.body).toMatchObject({ status: 'completed', allowed: { transfer: false, delegate: false, addSigner: false }, handOverTo: [], signerCandidates: [] });
  });
});

describe('the web app at /', () => {
  it('serves its files and answers every other page address with index.html', async () => {
    const root = await testApp.http.get('/');
    expect(root.status).toBe(200);
    expect(root.text).toBe('<!doctype html><title>web app</title>');
    expect(root.headers['cache-control']).toBe('no-cache');
    const deep = await testApp.http.get('/cases/6a0a5b8e-0000-4000-8000-000000000000');
    expect(deep.status).toBe(200);
    expect(deep.text).toBe('<!doctype html><title>web app</title>');
    const asset = await testApp.http.get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.text).toBe('console.log(1)');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('never answers for the API: an unknown API route stays a JSON 404, in any letter case, and other methods are not served', async () => {
    for (const path of ['/api/nope', '/API/nope', '/api']) {
      const response = await testApp.http.get(path);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: `Cannot GET ${path}` });
    }
    const post = await testApp.http.post('/cases/x').send({});
    expect(post.status).toBe(404);
    expect(post.text).not.toContain('web app');
  });
});
