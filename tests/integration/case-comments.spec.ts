import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_RESIDENT_IDS } from '../../src/database/demo-payloads.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD } from '../support/case-driver.js';
import { TINY_PDF, tinyPng } from '../support/files.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * What the case page adds beside the actions: comments, written as rows of the case's
 * hash-chained history (replay skips them, the chain covers them), and the household's
 * attachments linked to the case.
 */

let testApp: TestApp;
let driver: CaseDriver;
let attachmentsDir: string;

beforeAll(async () => {
  attachmentsDir = mkdtempSync(join(tmpdir(), 'fupin-case-attachments-'));
  testApp = await createTestApp({ now: '2017-06-15T02:00:00Z', env: { ATTACHMENTS_DIR: attachmentsDir } });
  driver = new CaseDriver(testApp);
}, 60_000);

afterAll(async () => {
  await testApp?.close();
  rmSync(attachmentsDir, { recursive: true, force: true });
});

async function as(username: string) {
  const bearer = `Bearer ${await driver.token(username)}`;
  return {
    get: (url: string) => testApp.http.get(url).set('Authorization', bearer),
    post: (url: string, body: object) => testApp.http.post(url).set('Authorization', bearer).send(body),
    upload: (url: string, file: Buffer, name: string, fields: Record<string, string>) => {
      let request = testApp.http.post(url).set('Authorization', bearer);
      for (const [key, value] of Object.entries(fields)) request = request.field(key, value);
      return request.attach('file', file, name);
    },
  };
}

async function historyLength(caseId: string): Promise<number> {
  const [{ n }] = await testApp.dataSource.query(`SELECT count(*)::int AS n FROM case_history WHERE case_id = $1`, [caseId]);
  return n;
}

describe('comments on a case', () => {
  it('are rows of the history between the actions: the chain verifies, the replay still matches, the version stays', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '评论户' });
    const officer = await as('ts-officer');
    const first = await officer.post(`/api/cases/${c.id}/comments`, { text: '已电话联系户主，下周补交收入证明' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ seq: 2, at: '2017-06-15T02:00:00.000Z', actor: { kind: 'user', id: expect.any(String), username: 'ts-officer' }, text: '已电话联系户主，下周补交收入证明' });
    // The comment did not move the case: the version the officer's form holds is still good.
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect(c.currentSteps.map((s) => s.key)).toEqual(['support']);
    const second = await (await as('ts-reviewer')).post(`/api/cases/${c.id}/comments`, { text: 'x'.repeat(2000) });
    expect(second.status).toBe(201);

    const history = (await officer.get(`/api/cases/${c.id}/history`)).body as { seq: number; eventType: string; action: string | null; actor: { username: string }; payload: Record<string, unknown> }[];
    expect(history.map((h) => [h.seq, h.eventType, h.action])).toEqual([
      [1, 'started', null],
      [2, 'comment', null],
      [3, 'action', 'submit'],
      [4, 'comment', null],
    ]);
    expect(history[1]).toMatchObject({ actor: { username: 'ts-officer' }, payload: { text: '已电话联系户主，下周补交收入证明' } });
    expect((await driver.verify('ts-officer', c.id)).body).toEqual({ caseId: c.id, valid: true, length: 4, replayMatches: true });

    const listed = await (await as('auditor')).get(`/api/cases/${c.id}/comments`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((x: { seq: number; actor: { username: string } }) => [x.seq, x.actor.username])).toEqual([
      [2, 'ts-officer'],
      [4, 'ts-reviewer'],
    ]);
  });

  it('keep the last withdrawable action withdrawable: a comment is not an action', async () => {
    let c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '撤回户' });
    c = await driver.act('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    expect((await (await as('ts-officer')).post(`/api/cases/${c.id}/comments`, { text: '提交后补充说明' })).status).toBe(201);
    const withdrawn = await (await as('ts-officer')).post(`/api/cases/${c.id}/withdraw`, { expectedVersion: c.version });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.currentSteps.map((s: { key: string }) => s.key)).toEqual(['propose']);
    expect((await driver.verify('ts-officer', c.id)).body).toMatchObject({ valid: true, length: 4, replayMatches: true });
  });

  it('are refused to readers (403), to outsiders as if the case were missing (404, audited), and when empty or too long (400) — writing nothing', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '拒绝户' });
    const before = await historyLength(c.id);

    const reader = await (await as('auditor')).post(`/api/cases/${c.id}/comments`, { text: '审计意见' });
    expect(reader.status).toBe(403);
    expect(reader.body.details.code).toBe('READ_ONLY_ACCESS');

    const outsider = await (await as('kp-officer')).post(`/api/cases/${c.id}/comments`, { text: '越权评论' });
    expect(outsider.status).toBe(404);
    expect(outsider.body.details.code).toBe('CASE_NOT_FOUND');
    const [denied] = await testApp.dataSource.query(
      `SELECT details FROM audit_log WHERE kind = 'access.denied' AND actor_username = 'kp-officer' AND target_id = $1`,
      [c.id],
    );
    expect(denied.details).toEqual({ operation: 'comment' });
    expect((await (await as('kp-officer')).get(`/api/cases/${c.id}/comments`)).status).toBe(404);

    const officer = await as('ts-officer');
    for (const body of [{ text: 'x'.repeat(2001) }, { text: '   \n ' }, { text: '' }, {}, { text: 42 }]) {
      const refused = await officer.post(`/api/cases/${c.id}/comments`, body);
      expect([refused.status, refused.body.error]).toEqual([400, 'Bad Request']);
    }
    expect((await officer.post('/api/cases/not-a-uuid/comments', { text: '好' })).status).toBe(400);
    expect(await historyLength(c.id)).toBe(before);
    expect((await officer.get(`/api/cases/${c.id}/comments`)).body).toEqual([]);
  });
});

describe('a case’s attachments', () => {
  it('are the household’s attachments linked to the case: GET …/attachments?caseId= lists only those, and the case names its household', async () => {
    const officer = await as('ts-officer');
    const [{ code: village }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781109' AND level = 'village' ORDER BY code LIMIT 1`);
    const created = await officer.post('/api/households', {
      villageCode: village,
      headName: '陈附件',
      address: '端芬镇大岭村3号',
      rural: true,
      dibao: false,
      consent: true,
      members: [{ name: '陈附件', relation: '户主', residentId: DEMO_RESIDENT_IDS.householder, age: 46, labourAbility: true }],
    });
    expect(created.status).toBe(201);
    const household = created.body.id as string;
    const started = await officer.post(`/api/households/${household}/cases`, { workflow: 'poverty-entry', year: 2017 });
    expect(started.status).toBe(201);
    const caseId = started.body.case.id as string;
    expect(started.body.case.householdId).toBe(household);
    expect((await officer.get(`/api/cases/${caseId}`)).body.householdId).toBe(household);

    const unlinked = await officer.upload(`/api/households/${household}/attachments`, TINY_PDF, '户口本.pdf', { kind: 'other' });
    const linked = await officer.upload(`/api/households/${household}/attachments`, tinyPng(), '公示照片.png', { kind: 'notice-photo', caseId });
    expect([unlinked.status, linked.status]).toEqual([201, 201]);

    const forCase = await officer.get(`/api/households/${household}/attachments?caseId=${caseId}`);
    expect(forCase.status).toBe(200);
    expect(forCase.body.map((a: { fileName: string; kind: string; contentType: string; caseId: string }) => [a.fileName, a.kind, a.contentType, a.caseId])).toEqual([
      ['公示照片.png', 'notice-photo', 'image/png', caseId],
    ]);
    expect((await officer.get(`/api/households/${household}/attachments`)).body.map((a: { fileName: string }) => a.fileName).sort()).toEqual(['公示照片.png', '户口本.pdf'].sort());
    const other = await driver.start('ts-officer', 'poverty-entry', { ...HOUSEHOLD, householdName: '无户档' });
    expect(other).toMatchObject({ householdId: null });
    expect((await officer.get(`/api/households/${household}/attachments?caseId=${other.id}`)).body).toEqual([]);
    expect((await officer.get(`/api/households/${household}/attachments?caseId=nope`)).status).toBe(400);
  });
});
