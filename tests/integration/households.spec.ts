import { strFromU8, unzipSync } from 'fflate';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { DEMO_RESIDENT_IDS } from '../../src/database/demo-payloads.js';
import { residentIdCheckCharacter } from '../../src/org/resident-id.js';
import { TINY_PDF, tinyPng } from '../support/files.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Household files through the API: create, change, versions, authorization by
 * jurisdiction, resident IDs (never unmasked but in the audited reveal), visits and their
 * alert, attachments checked from their bytes, and the county export.
 */

let testApp: TestApp;
let attachmentsDir: string;
let village: string;
let otherTownVillage: string;
const tokens = new Map<string, string>();
/** Every response body of this file, searched for plain resident IDs at the end. */
const bodies: string[] = [];

/** A valid ID that is not the demo's: 台山, born 1990-01-01. */
const OTHER_ID = `44078119900101123${residentIdCheckCharacter('44078119900101123')}`;
const ID_RUN = /[0-9]{17}[0-9Xx]/;
const MAX_BYTES = 20_000;

async function as(username: string) {
  if (!tokens.has(username)) tokens.set(username, await testApp.login(username));
  const bearer = `Bearer ${tokens.get(username)}`;
  const keep = async (request: PromiseLike<{ status: number; body: unknown; text?: string }>) => {
    const response = await request;
    bodies.push(response.text ?? JSON.stringify(response.body));
    return response as Awaited<typeof request> & { body: any };
  };
  return {
    get: (url: string) => keep(testApp.http.get(url).set('Authorization', bearer)),
    post: (url: string, body: object = {}) => keep(testApp.http.post(url).set('Authorization', bearer).send(body)),
    put: (url: string, body: object) => keep(testApp.http.put(url).set('Authorization', bearer).send(body)),
    patch: (url: string, body: object) => keep(testApp.http.patch(url).set('Authorization', bearer).send(body)),
    delete: (url: string) => keep(testApp.http.delete(url).set('Authorization', bearer)),
    upload: (url: string, file: Buffer, name: string, fields: Record<string, string> = { kind: 'notice-photo' }) => {
      let request = testApp.http.post(url).set('Authorization', bearer);
      for (const [key, value] of Object.entries(fields)) request = request.field(key, value);
      return keep(request.attach('file', file, name));
    },
    raw: (url: string) => testApp.http.get(url).set('Authorization', bearer).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }),
  };
}

const HOUSEHOLD = () => ({
  villageCode: village,
  headName: '陈大明',
  address: '端芬镇大岭村12号',
  rural: true,
  dibao: false,
  consent: true,
  members: [
    { name: '陈大明', relation: '户主', residentId: DEMO_RESIDENT_IDS.householder, age: 46, labourAbility: true, schooling: 'junior', healthInsurance: true },
    { name: '李秀英', relation: '配偶', residentId: DEMO_RESIDENT_IDS.spouse, age: 44, labourAbility: true, disability: false, healthInsurance: true },
  ],
  plan: { measures: ['industry', 'employment'], pairedUnit: '台山市农业农村局', responsiblePerson: '黄志强', volunteers: [{ name: '党员甲', partyMember: true }] },
});

let household: { id: string; version: number; members: { id: string; residentId: string }[] };

beforeAll(async () => {
  attachmentsDir = mkdtempSync(join(tmpdir(), 'fupin-attachments-'));
  testApp = await createTestApp({ now: '2017-06-15T02:00:00Z', env: { ATTACHMENTS_DIR: attachmentsDir, ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
  [{ code: village }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781109' AND level = 'village' ORDER BY code LIMIT 1`);
  const [{ code: otherTown }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781' AND level = 'town' AND code <> '440781109' ORDER BY code LIMIT 1`);
  [{ code: otherTownVillage }] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = $1 AND level = 'village' ORDER BY code LIMIT 1`, [otherTown]);
  const created = await (await as('admin')).post('/api/users', { username: 'ts-officer-other', displayName: '台山另一镇经办人', password: DEMO_PASSWORD, roles: ['officer'], jurisdictionCode: otherTown });
  expect(created.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await testApp?.close();
  rmSync(attachmentsDir, { recursive: true, force: true });
});

describe('a household file', () => {
  it('is created by the town’s officer with its members’ IDs masked, as version 1', async () => {
    const response = await (await as('ts-officer')).post('/api/households', HOUSEHOLD());
    expect(response.status).toBe(201);
    household = response.body;
    expect(response.body).toMatchObject({
      villageCode: village,
      county: { code: '440781', name: '台山市' },
      town: { code: '440781109', name: '端芬镇' },
      headName: '陈大明',
      registerStatus: 'none',
      registerStatusLabel: '未建档',
      version: 1,
      access: 'write',
      plan: { measures: ['industry', 'employment'], pairedUnit: '台山市农业农村局', volunteerGroupComplete: false },
    });
    expect(response.body.members.map((m: { residentId: string }) => m.residentId)).toEqual(['4407**********2412', '4407**********3127']);
    const [row] = await testApp.dataSource.query(`SELECT resident_id_token, resident_id_index FROM household_members WHERE household_id = $1 ORDER BY position LIMIT 1`, [household.id]);
    expect(row.resident_id_token).toMatch(/^v1\./);
    expect(row.resident_id_index).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records each change with who, when and what, and refuses a stale version with 409, changing nothing', async () => {
    const api = await as('ts-officer');
    const changed = await api.patch(`/api/households/${household.id}`, { expectedVersion: 1, dibao: true, address: '端芬镇大岭村13号' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ dibao: true, address: '端芬镇大岭村13号', version: 2 });
    const stale = await api.patch(`/api/households/${household.id}`, { expectedVersion: 1, dibao: false });
    expect(stale.status).toBe(409);
    expect(stale.body.details).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 1, currentVersion: 2 });
    const plan = await api.put(`/api/households/${household.id}/plan`, {
      expectedVersion: 2,
      measures: ['industry', 'ecommerce'],
      pairedUnit: '台山市农业农村局',
      responsiblePerson: '黄志强',
      volunteers: Array.from({ length: 10 }, (_, i) => ({ name: `党员${i + 1}`, partyMember: true })),
    });
    expect(plan.body).toMatchObject({ version: 3, plan: { measures: ['industry', 'ecommerce'], volunteerGroupComplete: true } });

    const versions = await api.get(`/api/households/${household.id}/versions`);
    expect(versions.body.map((v: { version: number; kind: string; actorUsername: string }) => [v.version, v.kind, v.actorUsername])).toEqual([
      [1, 'created', 'ts-officer'],
      [2, 'updated', 'ts-officer'],
      [3, 'plan', 'ts-officer'],
    ]);
    expect(versions.body[1].changes).toEqual([
      { path: 'address', from: '端芬镇大岭村12号', to: '端芬镇大岭村13号' },
      { path: 'dibao', from: false, to: true },
    ]);
    expect(versions.body[1].at).toBe('2017-06-15T02:00:00.000Z');
    expect(versions.body[0].changes).toContainEqual({ path: `members[${household.members[0].id}]`, from: null, to: expect.objectContaining({ name: '陈大明', residentId: '4407**********2412' }) });
  });

  it('changes members: an invalid ID is a 400 that does not repeat it, an ID already in a household a 409', async () => {
    const api = await as('ts-officer');
    const bad = `${OTHER_ID.slice(0, 17)}${OTHER_ID[17] === '0' ? '1' : '0'}`;
    const invalid = await api.post(`/api/households/${household.id}/members`, { expectedVersion: 3, name: '陈小明', relation: '子女', residentId: bad, age: 12, labourAbility: false });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe('residentId is not a valid resident ID number (GB 11643)');
    expect(JSON.stringify(invalid.body)).not.toContain(bad);
    const added = await api.post(`/api/households/${household.id}/members`, { expectedVersion: 3, name: '陈小明', relation: '子女', residentId: OTHER_ID, age: 12, labourAbility: false, schooling: 'primary', inSchool: true });
    expect(added.status).toBe(201);
    expect(added.body.members).toHaveLength(3);
    expect(added.body.version).toBe(4);

    const elsewhere = await api.post('/api/households', { ...HOUSEHOLD(), headName: '别户', members: [{ name: '陈小明', relation: '户主', residentId: OTHER_ID, age: 30, labourAbility: true }] });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.details.code).toBe('DUPLICATE_RESIDENT_ID');

    const child = added.body.members[2];
    const aged = await api.patch(`/api/households/${household.id}/members/${child.id}`, { expectedVersion: 4, age: 13 });
    expect(aged.body.members[2]).toMatchObject({ age: 13, residentId: '4407**********' + OTHER_ID.slice(14) });
    const removed = await api.delete(`/api/households/${household.id}/members/${child.id}?expectedVersion=5`);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ version: 6 });
    expect(removed.body.members).toHaveLength(2);
    const versions = (await api.get(`/api/households/${household.id}/versions`)).body;
    expect(versions.at(-1).changes).toEqual([{ path: `members[${child.id}]`, from: expect.objectContaining({ name: '陈小明', age: 13 }), to: null }]);
    household.version = 6;
  });

  it('reveals a member’s ID only with the permission, audited', async () => {
    const member = household.members[0];
    const refused = await (await as('ts-officer')).post(`/api/households/${household.id}/members/${member.id}/resident-id/reveal`);
    expect(refused.status).toBe(403);
    expect(refused.body.details.code).toBe('PERMISSION_REQUIRED');
    const revealed = await testApp.http
      .post(`/api/households/${household.id}/members/${member.id}/resident-id/reveal`)
      .set('Authorization', `Bearer ${tokens.get('admin')}`);
    expect(revealed.status).toBe(200);
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(revealed.body).toEqual({ path: `members/${member.id}/residentId`, residentId: DEMO_RESIDENT_IDS.householder });
    const rows = await testApp.dataSource.query(`SELECT kind, target_type, target_id, details FROM audit_log WHERE kind IN ('resident-id.revealed', 'access.denied') AND target_type = 'household' ORDER BY id`);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'access.denied', target_id: household.id }),
      { kind: 'resident-id.revealed', target_type: 'household', target_id: household.id, details: { householdId: household.id, memberId: member.id, masked: '4407**********2412' } },
    ]);
  });
});

describe('authorization by jurisdiction', () => {
  it('answers 404 to an officer of another town, and audits it', async () => {
    const response = await (await as('ts-officer-other')).get(`/api/households/${household.id}`);
    expect(response.status).toBe(404);
    expect(response.body.details.code).toBe('HOUSEHOLD_NOT_FOUND');
    const [row] = await testApp.dataSource.query(`SELECT actor_username, details FROM audit_log WHERE kind = 'access.denied' AND target_id = $1 AND actor_username = 'ts-officer-other'`, [household.id]);
    expect(row.details).toEqual({ operation: 'read' });
    expect((await (await as('kp-officer')).get(`/api/households/${household.id}`)).status).toBe(404);
    expect((await (await as('ts-officer-other')).patch(`/api/households/${household.id}`, { expectedVersion: household.version, dibao: false })).status).toBe(404);
  });

  it('lets the county read but not write, and the auditor neither write nor create (403)', async () => {
    const reviewer = await as('ts-reviewer');
    expect((await reviewer.get(`/api/households/${household.id}`)).body).toMatchObject({ access: 'read', headName: '陈大明' });
    const write = await reviewer.patch(`/api/households/${household.id}`, { expectedVersion: household.version, dibao: false });
    expect(write.status).toBe(403);
    expect(write.body.details.code).toBe('READ_ONLY_ACCESS');
    const auditor = await as('auditor');
    expect((await auditor.get(`/api/households/${household.id}`)).status).toBe(200);
    expect((await auditor.patch(`/api/households/${household.id}`, { expectedVersion: household.version, dibao: false })).status).toBe(403);
    expect((await auditor.post(`/api/households/${household.id}/visits`, { visitedOn: '2017-06-01', visitorName: '李明', leader: true })).status).toBe(403);
    expect((await auditor.post('/api/households', HOUSEHOLD())).status).toBe(403);
    expect((await auditor.put(`/api/households/${household.id}/incomes/2017`, { expectedVersion: household.version, records: [] })).status).toBe(403);
  });

  it('does not let an officer file a household in another town’s village', async () => {
    const response = await (await as('ts-officer')).post('/api/households', { ...HOUSEHOLD(), villageCode: otherTownVillage, members: [{ name: '某人', relation: '户主', age: 40, labourAbility: true }] });
    expect(response.status).toBe(422);
    expect(response.body.details.code).toBe('INVALID_VILLAGE');
  });

  it('lists only the households of the caller’s subtree, with filters and pages', async () => {
    const other = await (await as('ts-officer-other')).post('/api/households', { ...HOUSEHOLD(), villageCode: otherTownVillage, headName: '黄二', rural: false, members: [{ name: '黄二', relation: '户主', age: 40, labourAbility: true }] });
    expect(other.status).toBe(201);
    const county = await as('ts-reviewer');
    expect((await county.get('/api/households')).body).toMatchObject({ total: 2 });
    expect((await county.get('/api/households?rural=false')).body.items.map((h: { headName: string }) => h.headName)).toEqual(['黄二']);
    expect((await county.get('/api/households?jurisdiction=440781109&limit=1')).body).toMatchObject({ total: 1, limit: 1, items: [{ headName: '陈大明', memberCount: 2 }] });
    expect((await (await as('ts-officer')).get('/api/households')).body.total).toBe(1);
    expect((await (await as('kp-officer')).get('/api/households?jurisdiction=440781')).body).toMatchObject({ total: 0, items: [] });
    expect((await county.get('/api/households?status=registered')).body.total).toBe(0);
    expect((await county.get('/api/households?status=poor')).status).toBe(400);
  });
});

describe('visits and the leader-visit alert', () => {
  it('lists the registered households with fewer than two leader visits in the year, in the caller’s jurisdiction only', async () => {
    const officer = await as('ts-officer');
    const make = async (headName: string) =>
      (await officer.post('/api/households', { ...HOUSEHOLD(), headName, registerStatus: 'registered', registeredOn: '2015-12-31', members: [{ name: headName, relation: '户主', age: 50, labourAbility: true }] })).body.id as string;
    const twice = await make('走访两次');
    const once = await make('走访一次');
    const never = await make('未走访');
    const visit = (id: string, visitedOn: string, leader: boolean) => officer.post(`/api/households/${id}/visits`, { visitedOn, visitorName: '李明', visitorRole: '台山市委书记', leader, notes: '了解情况。' });
    expect((await visit(twice, '2017-03-01', true)).status).toBe(201);
    await visit(twice, '2017-05-20', true);
    await visit(once, '2017-04-01', true);
    await visit(once, '2017-04-02', false); // not a leader: does not count
    await visit(never, '2016-12-30', true); // last year: does not count
    const future = await visit(never, '2017-06-16', true);
    expect(future.status).toBe(422);

    const alerts = await (await as('ts-reviewer')).get('/api/households/visit-alerts?year=2017');
    expect(alerts.body).toMatchObject({ year: 2017, requiredLeaderVisits: 2, households: 3, short: 2 });
    expect(alerts.body.items.map((i: { headName: string; leaderVisits: number; missingVisits: number }) => [i.headName, i.leaderVisits, i.missingVisits])).toEqual([
      ['未走访', 0, 2],
      ['走访一次', 1, 1],
    ]);
    expect(alerts.body.items[1].lastLeaderVisitOn).toBe('2017-04-01');
    expect((await (await as('kp-officer')).get('/api/households/visit-alerts?year=2017')).body).toMatchObject({ households: 0, short: 0, items: [] });
    expect((await (await as('ts-officer-other')).get('/api/households/visit-alerts?year=2017')).body.households).toBe(0);
  });
});

describe('attachments', () => {
  it('stores a PNG under the household, serves it back with the type read from its bytes', async () => {
    const officer = await as('ts-officer');
    const png = tinyPng();
    const uploaded = await officer.upload(`/api/households/${household.id}/attachments`, png, '公示照片.png');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ kind: 'notice-photo', fileName: '公示照片.png', contentType: 'image/png', sizeBytes: png.length, version: household.version + 1 });
    household.version += 1;
    expect(readdirSync(join(attachmentsDir, 'households', household.id))).toEqual([uploaded.body.id]);
    const downloaded = await officer.raw(`/api/households/${household.id}/attachments/${uploaded.body.id}`);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-type']).toBe('image/png');
    expect(downloaded.headers['content-disposition']).toBe(`attachment; filename="____.png"; filename*=UTF-8''${encodeURIComponent('公示照片.png')}`);
    expect(Buffer.compare(downloaded.body as Buffer, png)).toBe(0);
    expect((await (await as('ts-reviewer')).get(`/api/households/${household.id}/attachments`)).body).toHaveLength(1);
    expect((await (await as('kp-officer')).get(`/api/households/${household.id}/attachments/${uploaded.body.id}`)).status).toBe(404);
  });

  it('refuses PDF bytes named .png (415) and a file over the limit (413), storing nothing', async () => {
    const officer = await as('ts-officer');
    const disguised = await officer.upload(`/api/households/${household.id}/attachments`, TINY_PDF, 'notice.png');
    expect(disguised.status).toBe(415);
    expect(disguised.body).toMatchObject({ message: "The file's name says .png but its content is application/pdf", details: { code: 'ATTACHMENT_TYPE_NOT_ALLOWED' } });
    const big = Buffer.concat([TINY_PDF, Buffer.alloc(MAX_BYTES)]);
    const tooLarge = await officer.upload(`/api/households/${household.id}/attachments`, big, 'minutes.pdf', { kind: 'meeting-minutes' });
    expect(tooLarge.status).toBe(413);
    const file = (await officer.get(`/api/households/${household.id}`)).body;
    expect(file.version).toBe(household.version);
    expect(file.attachments).toHaveLength(1);
    expect(readdirSync(join(attachmentsDir, 'households', household.id))).toHaveLength(1);
    expect((await (await as('auditor')).upload(`/api/households/${household.id}/attachments`, tinyPng(), 'x.png')).status).toBe(403);
  });

  it('keeps a case’s minutes with the household while the case moves on', async () => {
    const officer = await as('ts-officer');
    const negativeWage = await officer.put(`/api/households/${household.id}/incomes/2017`, { expectedVersion: household.version, records: [{ source: 'wage', amount: -1 }] });
    expect(negativeWage.status).toBe(422);
    expect(negativeWage.body.message).toBe('The income records are not valid: records[0]: a wage income cannot be negative (only net business and property incomes can be losses)');
    const incomes = await officer.put(`/api/households/${household.id}/incomes/2017`, {
      expectedVersion: household.version,
      records: [
        { source: 'wage', amount: 9000 },
        { source: 'business', amount: -1000, note: '养殖亏损' },
      ],
    });
    expect(incomes.body.incomes).toEqual([{ year: 2017, records: expect.any(Array), total: 8000, perCapita: 4000 }]);
    const started = await officer.post(`/api/households/${household.id}/cases`, { workflow: 'poverty-entry', year: 2017 });
    expect(started.status).toBe(201);
    expect(started.body.case.jurisdictionCode).toBe(village);
    const minutes = await officer.upload(`/api/households/${household.id}/attachments`, TINY_PDF, '民主评议会议记录.pdf', { kind: 'meeting-minutes', caseId: started.body.case.id });
    expect(minutes.status).toBe(201);
    const moved = await officer.post(`/api/cases/${started.body.case.id}/actions`, { action: 'cancel', data: { reason: '重新核实收入' }, expectedVersion: started.body.case.version });
    expect(moved.status).toBe(200);
    expect(moved.body.status).toBe('cancelled');
    const again = await officer.raw(`/api/households/${household.id}/attachments/${minutes.body.id}`);
    expect(again.headers['content-type']).toBe('application/pdf');
    expect(Buffer.compare(again.body as Buffer, TINY_PDF)).toBe(0);
    const duplicate = await officer.post(`/api/households/${household.id}/cases`, { workflow: 'poverty-exit', year: 2017 });
    expect(duplicate.status).toBe(422);
    expect(duplicate.body.details.code).toBe('WORKFLOW_NOT_ALLOWED');
  });
});

describe('the county export', () => {
  let trap: string;
  beforeAll(async () => {
    const created = await (await as('ts-officer')).post('/api/households', { ...HOUSEHOLD(), headName: '=HYPERLINK("http://evil","点我")', members: [{ name: '+SUM(1)', relation: '户主', age: 40, labourAbility: true }] });
    expect(created.status).toBe(201);
    trap = created.body.id;
  });

  it('is a CSV with a BOM, masked IDs and formulas neutralised; audited', async () => {
    const response = await (await as('ts-reviewer')).raw('/api/households/export?county=440781&format=csv&year=2017');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('households-440781-2017.csv');
    const bytes = response.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    bodies.push(text);
    const lines = text.split('\r\n');
    expect(lines[0].split(',').slice(0, 6)).toEqual(['户编号 Household ID', '县（市、区） County', '镇（街） Town', '村（居） Village', '户主姓名 Head', '户主身份证号 Resident ID (masked)']);
    const chen = lines.find((l) => l.startsWith(household.id))!;
    expect(chen).toContain(',台山市,端芬镇,');
    expect(chen).toContain(',陈大明,4407**********2412,农村,是,未建档,');
    expect(chen).toContain(',4000,'); // 2017: 8,000 yuan for two members
    expect(lines.find((l) => l.startsWith(trap))).toContain(`,"'=HYPERLINK(""http://evil"",""点我"")",`);
    expect(text).not.toMatch(ID_RUN);
    const [audit] = await testApp.dataSource.query(`SELECT actor_username, jurisdiction_code, details FROM audit_log WHERE kind = 'household.exported'`);
    expect(audit).toMatchObject({ actor_username: 'ts-reviewer', jurisdiction_code: '440781', details: { county: '440781', format: 'csv', year: 2017 } });
  });

  it('is an XLSX workbook with the same rows, IDs masked', async () => {
    const response = await (await as('ts-officer')).raw('/api/households/export?county=440781&format=xlsx&year=2017');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const sheet = strFromU8(unzipSync(new Uint8Array(response.body as Buffer))['xl/worksheets/sheet1.xml']);
    bodies.push(sheet);
    expect(sheet).toContain('<t xml:space="preserve">4407**********2412</t>');
    expect(sheet).toContain('<t xml:space="preserve">=HYPERLINK(&quot;http://evil&quot;,&quot;点我&quot;)</t>');
    expect(sheet).not.toContain('<f>');
    expect(sheet).not.toMatch(ID_RUN);
    // ts-officer sees the town's households only: the other town's 黄二 is not in the export.
    expect(sheet).not.toContain('黄二');
  });

  it('refuses a county outside the caller’s jurisdiction', async () => {
    const response = await (await as('kp-officer')).get('/api/households/export?county=440781&format=csv');
    expect(response.status).toBe(403);
    expect(response.body.details.code).toBe('OUTSIDE_JURISDICTION');
    expect((await (await as('kp-officer')).get('/api/households/export?county=440781&format=pdf')).status).toBe(400);
  });
});

describe('privacy', () => {
  it('no response of this file held a resident ID in full except the audited reveal', () => {
    const withIds = bodies.filter((body) => ID_RUN.test(body));
    expect(withIds).toEqual([]);
  });
});
