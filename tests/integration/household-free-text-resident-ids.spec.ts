import { strFromU8, unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestHasher } from '../../src/cases/request-hash.js';
import { canonicalJson } from '../../src/common/canonical-json.js';
import { DisastersService } from '../../src/disasters/disasters.service.js';
import { LegacyTextSealer } from '../../src/households/legacy-text-sealer.js';
import { ResidentIdCipher } from '../../src/org/resident-id-cipher.js';
import { isValidResidentId, residentIdCheckCharacter } from '../../src/org/resident-id.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD } from '../support/case-driver.js';
import { tinyPng } from '../support/files.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Resident ID numbers typed into the free text of a household file (一户一档: address, plan,
 * volunteers, members' names, income notes, visits, attachment names, and the version log that
 * keeps their old values), into a disaster's description, and the idempotency keys of case
 * actions. The valid ones are sealed like a case's: masked in every answer, list, export and
 * version, never stored in clear, revealed only with the permission and an audit row; other
 * 18-digit numbers stay as typed. Text written before this was sealed at start-up.
 */

const withCheck = (first17: string) => first17 + residentIdCheckCharacter(first17);
const masked = (id: string) => `${id.slice(0, 4)}**********${id.slice(14)}`;
/** The householder's own ID: a structured field, sealed as before (once). */
const HEAD_ID = withCheck('44078119700301002');
const ADDRESS_ID = withCheck('44078119850615001');
const MEMBER_NAME_ID = withCheck('44078119880808122');
const RESPONSIBLE_ID = withCheck('44078319710203234');
const VOLUNTEER_ID = withCheck('44078119660912345');
const PLAN_ID = withCheck('44078120050101456');
const NOTE_ID = withCheck('44078119920229567');
const VISIT_ID = withCheck('44078519791130678');
const FILE_ID = withCheck('44078119751231789');
const DISASTER_ID = withCheck('44078119590707890');
const ACTION_ID = withCheck('44078119940404901');
const COMMENT_ID = withCheck('44078119630606013');
const LEGACY_IDS = [withCheck('44078319800101124'), withCheck('44078319800202235'), withCheck('44078319800303346'), withCheck('44078319800404457')];
const TYPED = [ADDRESS_ID, MEMBER_NAME_ID, RESPONSIBLE_ID, VOLUNTEER_ID, PLAN_ID, NOTE_ID, VISIT_ID, FILE_ID, DISASTER_ID, ACTION_ID, COMMENT_ID, ...LEGACY_IDS];
/** 18 digits with a valid shape and date but the wrong check character: not an ID, kept as typed. */
const NOT_AN_ID = `${ADDRESS_ID.slice(0, 17)}${ADDRESS_ID[17] === '0' ? '1' : '0'}`;

let t: TestApp;
let driver: CaseDriver;
let attachmentsDir: string;
let village: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  attachmentsDir = mkdtempSync(join(tmpdir(), 'fupin-attachments-'));
  // 2017-09-01 09:00 Beijing time.
  t = await createTestApp({ now: '2017-09-01T01:00:00.000Z', env: { ATTACHMENTS_DIR: attachmentsDir } });
  driver = new CaseDriver(t);
  [{ code: village }] = await t.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781109' AND level = 'village' ORDER BY code LIMIT 1`);
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(attachmentsDir, { recursive: true, force: true });
});

async function as(username: string) {
  if (!tokens.has(username)) tokens.set(username, await t.login(username));
  const bearer = `Bearer ${tokens.get(username)}`;
  return {
    get: (url: string) => t.http.get(url).set('Authorization', bearer),
    post: (url: string, body: object = {}) => t.http.post(url).set('Authorization', bearer).send(body),
    patch: (url: string, body: object) => t.http.patch(url).set('Authorization', bearer).send(body),
    put: (url: string, body: object) => t.http.put(url).set('Authorization', bearer).send(body),
    upload: (url: string, file: Buffer, name: string) => t.http.post(url).set('Authorization', bearer).field('kind', 'other').attach('file', file, name),
    raw: (url: string) =>
      t.http
        .get(url)
        .set('Authorization', bearer)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        }),
  };
}

/** The text of every row of every table that contains `needle`, as `table: row`. */
async function rowsContaining(needle: string): Promise<string[]> {
  const tables: { name: string }[] = await t.dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const found: string[] = [];
  for (const { name } of tables) {
    const rows: { row: string }[] = await t.dataSource.query(`SELECT row_to_json(x)::text AS row FROM "${name}" x WHERE row_to_json(x)::text LIKE $1`, [`%${needle}%`]);
    found.push(...rows.map((r) => `${name}: ${r.row.slice(0, 200)}`));
  }
  return found;
}

async function revealed(username: string, householdId: string, body: { path?: string; version?: number }) {
  return (await as(username)).post(`/api/households/${householdId}/resident-ids/reveal`, body);
}

async function revealedId(householdId: string, body: { path: string; version?: number }): Promise<string> {
  const response = await revealed('admin', householdId, body);
  expect({ body, status: response.status }).toEqual({ body, status: 200 });
  expect(response.headers['cache-control']).toBe('no-store');
  return response.body.residentId as string;
}

describe('resident IDs typed into a household file', () => {
  let file: {
    id: string;
    version: number;
    members: { id: string; name: string; residentId: string | null }[];
    visits: { id: string }[];
    incomes: { records: { id: string; note: string | null }[] }[];
  };
  const ADDRESS = `端芬镇大岭村12号（户主身份证${ADDRESS_ID}，旧证号${NOT_AN_ID}）`;
  const SUMMARY = `为${PLAN_ID}安排公益岗位`;

  it('the test numbers are what they claim to be', () => {
    expect([HEAD_ID, ...TYPED].every((id) => isValidResidentId(id, new Date('2017-09-01')))).toBe(true);
    expect(isValidResidentId(NOT_AN_ID)).toBe(false);
    expect(new Set([HEAD_ID, ...TYPED].map(masked)).size).toBe(TYPED.length + 1);
  });

  it('are masked in the answer and the stored columns, sealed beside them; the member’s own ID is sealed once, as before', async () => {
    const created = await (await as('ts-officer')).post('/api/households', {
      villageCode: village,
      headName: '陈大明',
      address: ADDRESS,
      rural: true,
      consent: true,
      members: [
        { name: '陈大明', relation: '户主', residentId: HEAD_ID, age: 46, labourAbility: true },
        { name: `李秀英${MEMBER_NAME_ID}`, relation: '配偶', age: 44, labourAbility: true },
      ],
      plan: {
        measures: ['industry'],
        pairedUnit: `台山市农业农村局${NOT_AN_ID}`,
        responsiblePerson: `黄志强${RESPONSIBLE_ID}`,
        volunteers: [
          { name: '党员甲', partyMember: true },
          { name: `党员乙${VOLUNTEER_ID}`, partyMember: true },
        ],
        summary: SUMMARY,
      },
    });
    expect(created.status).toBe(201);
    file = created.body;
    expect(created.body).toMatchObject({
      headName: '陈大明',
      address: ADDRESS.replace(ADDRESS_ID, masked(ADDRESS_ID)),
      plan: {
        pairedUnit: `台山市农业农村局${NOT_AN_ID}`,
        responsiblePerson: `黄志强${masked(RESPONSIBLE_ID)}`,
        volunteers: [{ name: '党员甲' }, { name: `党员乙${masked(VOLUNTEER_ID)}` }],
        summary: `为${masked(PLAN_ID)}安排公益岗位`,
      },
    });
    expect(created.body.members.map((m: { name: string; residentId: string | null }) => [m.name, m.residentId])).toEqual([
      ['陈大明', masked(HEAD_ID)],
      [`李秀英${masked(MEMBER_NAME_ID)}`, null],
    ]);

    const [stored] = await t.dataSource.query(`SELECT address, plan_summary, sealed_text FROM households WHERE id = $1`, [file.id]);
    expect(stored.address).toBe(created.body.address);
    expect(stored.sealed_text).toEqual({
      address: { sealedText: ['端芬镇大岭村12号（户主身份证', { masked: masked(ADDRESS_ID), token: expect.stringMatching(/^v1\./) }, `，旧证号${NOT_AN_ID}）`] },
      plan: {
        responsiblePerson: { sealedText: ['黄志强', { masked: masked(RESPONSIBLE_ID), token: expect.stringMatching(/^v1\./) }] },
        summary: { sealedText: ['为', { masked: masked(PLAN_ID), token: expect.stringMatching(/^v1\./) }, '安排公益岗位'] },
        volunteers: [null, { name: { sealedText: ['党员乙', { masked: masked(VOLUNTEER_ID), token: expect.stringMatching(/^v1\./) }] } }],
      },
    });
    // The member's own number: the mask, one token that opens to it, the blind index — nothing in sealed_text.
    const members = await t.dataSource.query(`SELECT name, resident_id_masked, resident_id_token, sealed_text FROM household_members WHERE household_id = $1 ORDER BY position`, [file.id]);
    expect(members[0]).toMatchObject({ name: '陈大明', resident_id_masked: masked(HEAD_ID), sealed_text: null });
    expect(new ResidentIdCipher(t.config.residentIdKey).decrypt(members[0].resident_id_token)).toBe(HEAD_ID);
    expect(members[1]).toMatchObject({ name: `李秀英${masked(MEMBER_NAME_ID)}`, resident_id_token: null, sealed_text: { name: expect.objectContaining({ sealedText: expect.any(Array) }) } });
  });

  it('in income notes, visits and an attachment’s name: masked in the file, the lists, the download and every version', async () => {
    const officer = await as('ts-officer');
    const incomes = await officer.put(`/api/households/${file.id}/incomes/2017`, {
      expectedVersion: file.version,
      records: [{ source: 'wage', amount: 6000, note: `在${NOTE_ID}名下的账户领取` }, { source: 'transfer', amount: 1200 }],
    });
    expect(incomes.status).toBe(200);
    // Listed by source: transfer, then wage.
    expect(incomes.body.incomes[0].records.map((r: { note: string | null }) => r.note)).toEqual([null, `在${masked(NOTE_ID)}名下的账户领取`]);
    const visit = await officer.post(`/api/households/${file.id}/visits`, { visitedOn: '2017-08-30', visitorName: '李明', visitorRole: '驻村第一书记', leader: false, notes: `核对了${VISIT_ID}的身份证` });
    expect(visit.status).toBe(201);
    const upload = await officer.upload(`/api/households/${file.id}/attachments`, tinyPng(), `${FILE_ID}身份证.png`);
    expect(upload.status).toBe(201);
    expect(upload.body.fileName).toBe(`${masked(FILE_ID)}身份证.png`);

    file = (await officer.get(`/api/households/${file.id}`)).body;
    expect(JSON.stringify(file)).toContain(`核对了${masked(VISIT_ID)}的身份证`);
    expect((await officer.get(`/api/households/${file.id}/attachments`)).body.map((a: { fileName: string }) => a.fileName)).toEqual([`${masked(FILE_ID)}身份证.png`]);
    const download = await officer.raw(`/api/households/${file.id}/attachments/${upload.body.id}`);
    expect(download.status).toBe(200);
    expect(decodeURIComponent(download.headers['content-disposition'])).toContain(`${masked(FILE_ID)}身份证.png`);

    const versions = (await officer.get(`/api/households/${file.id}/versions`)).body as { kind: string; changes: { path: string; to: unknown }[] }[];
    expect(versions.map((v) => v.kind)).toEqual(['created', 'incomes', 'visit', 'attachment']);
    const shown = JSON.stringify(versions);
    for (const id of [ADDRESS_ID, MEMBER_NAME_ID, RESPONSIBLE_ID, VOLUNTEER_ID, PLAN_ID, NOTE_ID, VISIT_ID, FILE_ID]) expect(shown).toContain(masked(id));
    expect(shown).not.toMatch(/v1\./);
    expect(versions[0].changes).toContainEqual({ path: 'address', from: null, to: ADDRESS.replace(ADDRESS_ID, masked(ADDRESS_ID)) });
    expect(versions[2].changes[0].to).toMatchObject({ notes: `核对了${masked(VISIT_ID)}的身份证`, visitorRole: '驻村第一书记' });
  });

  it('in the county export (CSV and XLSX): masked; a number that is not an ID as typed', async () => {
    const csv = await (await as('ts-reviewer')).raw('/api/households/export?county=440781&format=csv&year=2017');
    expect(csv.status).toBe(200);
    const text = (csv.body as Buffer).toString('utf8');
    const line = text.split('\r\n').find((l) => l.startsWith(file.id))!;
    expect(line).toContain(`,台山市农业农村局${NOT_AN_ID},黄志强${masked(RESPONSIBLE_ID)},`);
    const xlsx = await (await as('ts-reviewer')).raw('/api/households/export?county=440781&format=xlsx&year=2017');
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.body as Buffer))['xl/worksheets/sheet1.xml']);
    expect(sheet).toContain(`黄志强${masked(RESPONSIBLE_ID)}`);
    for (const id of TYPED) expect(`${text}${sheet}`).not.toContain(id);
  });

  it('sent back as shown, they stay sealed and unchanged; an edit that keeps the mask keeps the number', async () => {
    const officer = await as('ts-officer');
    const [before] = await t.dataSource.query(`SELECT sealed_text FROM households WHERE id = $1`, [file.id]);
    // The web form sends the whole address back as the file showed it, masked.
    const again = await officer.patch(`/api/households/${file.id}`, { expectedVersion: file.version, address: ADDRESS.replace(ADDRESS_ID, masked(ADDRESS_ID)), dibao: true });
    expect(again.status).toBe(200);
    const versions = (await officer.get(`/api/households/${file.id}/versions`)).body as { changes: { path: string }[] }[];
    expect(versions.at(-1)!.changes.map((c) => c.path)).toEqual(['dibao']);
    expect((await t.dataSource.query(`SELECT sealed_text FROM households WHERE id = $1`, [file.id]))[0].sealed_text).toEqual(before.sealed_text);
    // The same plan, with the clear number typed again: no change at all.
    const plan = await officer.put(`/api/households/${file.id}/plan`, {
      expectedVersion: again.body.version,
      measures: ['industry'],
      pairedUnit: `台山市农业农村局${NOT_AN_ID}`,
      responsiblePerson: `黄志强${RESPONSIBLE_ID}`,
      volunteers: [
        { name: '党员甲', partyMember: true },
        { name: `党员乙${masked(VOLUNTEER_ID)}`, partyMember: true },
      ],
      summary: SUMMARY,
    });
    expect(plan.body.version).toBe(again.body.version);

    const edited = await officer.patch(`/api/households/${file.id}`, { expectedVersion: again.body.version, address: `端芬镇大岭村14号（户主身份证${masked(ADDRESS_ID)}）` });
    expect(edited.body.address).toBe(`端芬镇大岭村14号（户主身份证${masked(ADDRESS_ID)}）`);
    expect(await revealedId(file.id, { path: 'address/0' })).toBe(ADDRESS_ID);
    // Then the number removed: it lives on, sealed, in the version log only.
    const removed = await officer.patch(`/api/households/${file.id}`, { expectedVersion: edited.body.version, address: '端芬镇大岭村14号' });
    expect(removed.status).toBe(200);
    file = removed.body;
    const last = ((await officer.get(`/api/households/${file.id}/versions`)).body as { version: number; changes: unknown[] }[]).at(-1)!;
    expect(last.changes).toEqual([{ path: 'address', from: `端芬镇大岭村14号（户主身份证${masked(ADDRESS_ID)}）`, to: '端芬镇大岭村14号' }]);
    expect(await revealedId(file.id, { version: last.version, path: 'changes/0/from/0' })).toBe(ADDRESS_ID);
    expect((await revealed('admin', file.id, { path: 'address/0' })).status).toBe(404);
  });

  it('go sealed into a case started from the file, which shows them masked and reveals them', async () => {
    // The address with an ID again, then the case.
    const withId = await (await as('ts-officer')).patch(`/api/households/${file.id}`, { expectedVersion: file.version, address: `大岭村${ADDRESS_ID}` });
    file = withId.body;
    const started = await (await as('ts-officer')).post(`/api/households/${file.id}/cases`, { workflow: 'poverty-entry', year: 2017 });
    expect(started.status).toBe(201);
    expect(started.body.case.data).toMatchObject({ address: `大岭村${masked(ADDRESS_ID)}`, householderId: masked(HEAD_ID) });
    const caseReveal = await (await as('admin')).post(`/api/cases/${started.body.case.id}/resident-ids/reveal`, { path: 'address/0' });
    expect(caseReveal.body).toEqual({ path: 'address/0', residentId: ADDRESS_ID });
  });

  it('are revealed with the permission, wherever they were typed, each reveal audited', async () => {
    const denied = await revealed('ts-officer', file.id, { path: 'plan/summary/0' });
    expect([denied.status, denied.body.details.code]).toEqual([403, 'PERMISSION_REQUIRED']);
    // A county reviewer may read the file, but not reveal without the permission either.
    expect((await revealed('ts-reviewer', file.id, { path: 'plan/summary/0' })).status).toBe(403);

    const member = file.members[1];
    const visit = file.visits[0];
    const note = file.incomes[0].records.find((r) => r.note !== null)!;
    const [attachment] = (await (await as('ts-officer')).get(`/api/households/${file.id}/attachments`)).body;
    const places: [string, string][] = [
      ['plan/summary/0', PLAN_ID],
      ['plan/responsiblePerson/0', RESPONSIBLE_ID],
      ['plan/volunteers/1/name/0', VOLUNTEER_ID],
      [`members/${member.id}/name/0`, MEMBER_NAME_ID],
      [`members/${file.members[0].id}/residentId`, HEAD_ID],
      [`incomes/${note.id}/note/0`, NOTE_ID],
      [`visits/${visit.id}/notes/0`, VISIT_ID],
      [`attachments/${attachment.id}/fileName/0`, FILE_ID],
    ];
    for (const [path, id] of places) expect({ path, id: await revealedId(file.id, { path }) }).toEqual({ path, id });

    // Nothing sealed there (a number that is not an ID, a second ID, a member without one, a version without it): 404.
    for (const body of [{ path: 'plan/pairedUnit/0' }, { path: 'plan/summary/1' }, { path: `members/${file.members[0].id}/name/0` }, { version: 1, path: 'changes/0/to/0' }, { version: 99, path: 'changes/0/to/0' }]) {
      const missing = await revealed('admin', file.id, body);
      expect({ body, status: missing.status, code: missing.body.details?.code }).toEqual({ body, status: 404, code: 'RESIDENT_ID_NOT_FOUND' });
    }
    for (const body of [{ path: '../address/0' }, { path: 'address/0', version: 0 }, {}]) expect((await revealed('admin', file.id, body)).status).toBe(400);
    // Another town's officer, given the permission, still cannot see the file: 404.
    await t.dataSource.query(`UPDATE users SET permissions = '{reveal-resident-id}' WHERE username = 'kp-officer'`);
    expect((await revealed('kp-officer', file.id, { path: 'plan/summary/0' })).status).toBe(404);

    const audit = await t.dataSource.query(
      `SELECT kind, actor_username, target_type, jurisdiction_code, details FROM audit_log WHERE target_id = $1 AND kind IN ('resident-id.revealed', 'access.denied') ORDER BY id`,
      [file.id],
    );
    expect(audit.filter((a: { kind: string }) => a.kind === 'access.denied').map((a: { actor_username: string }) => a.actor_username)).toEqual(['ts-officer', 'ts-reviewer', 'kp-officer']);
    const reveals = audit.filter((a: { kind: string }) => a.kind === 'resident-id.revealed');
    expect(reveals[0]).toEqual({
      kind: 'resident-id.revealed',
      actor_username: 'admin',
      target_type: 'household',
      jurisdiction_code: village,
      details: { householdId: file.id, path: 'address/0', masked: masked(ADDRESS_ID) },
    });
    expect(reveals[1].details).toEqual({ householdId: file.id, version: expect.any(Number), path: 'changes/0/from/0', masked: masked(ADDRESS_ID) });
    expect(reveals.slice(-places.length).map((a: { details: { path: string; masked: string } }) => [a.details.path, a.details.masked])).toEqual(places.map(([path, id]) => [path, masked(id)]));
  });
});

describe('resident IDs typed into a disaster’s description', () => {
  let disaster: { id: string; description: string; reentries: { caseId: string }[] };
  const DESCRIPTION = `台风“天鸽”过境，房屋受损；受灾户主身份证${DISASTER_ID}，另报${NOT_AN_ID}`;

  it('are masked in the disaster, its list and the re-entry cases it starts, which keep them sealed', async () => {
    const exited = await (await as('ts-officer')).post('/api/households', {
      villageCode: village,
      headName: '黄已脱贫',
      rural: true,
      consent: true,
      registerStatus: 'exited',
      registeredOn: '2015-12-31',
      exitedOn: '2016-12-20',
      members: [{ name: '黄已脱贫', relation: '户主', age: 50, labourAbility: true }],
    });
    expect(exited.status).toBe(201);
    const recorded = await (await as('admin')).post('/api/disasters', { type: 'typhoon', date: '2017-08-23', affectedTowns: ['440781109'], description: DESCRIPTION });
    expect(recorded.status).toBe(201);
    disaster = recorded.body;
    const shown = DESCRIPTION.replace(DISASTER_ID, masked(DISASTER_ID));
    expect(disaster.description).toBe(shown);
    expect((await (await as('ts-reviewer')).get('/api/disasters')).body.items.map((d: { description: string }) => d.description)).toEqual([shown]);
    expect((await (await as('ts-officer')).get(`/api/disasters/${disaster.id}`)).body.description).toBe(shown);
    const [row] = await t.dataSource.query(`SELECT description, sealed_text FROM disasters WHERE id = $1`, [disaster.id]);
    expect(row).toEqual({ description: shown, sealed_text: { description: { sealedText: [expect.any(String), { masked: masked(DISASTER_ID), token: expect.stringMatching(/^v1\./) }, `，另报${NOT_AN_ID}`] } } });

    expect(disaster.reentries).toHaveLength(1);
    const reentry = (await driver.get('ts-officer', disaster.reentries[0].caseId)).body;
    expect(reentry.data.lossDescription).toBe(shown);
    const fromCase = await (await as('admin')).post(`/api/cases/${reentry.id}/resident-ids/reveal`, { path: 'lossDescription/0' });
    expect(fromCase.body.residentId).toBe(DISASTER_ID);
  });

  it('are revealed with the permission to those who may read the disaster, audited', async () => {
    await t.dataSource.query(`UPDATE users SET permissions = '{reveal-resident-id}' WHERE username = 'kp-officer'`);
    const denied = await (await as('ts-officer')).post(`/api/disasters/${disaster.id}/resident-ids/reveal`, { path: 'description/0' });
    expect([denied.status, denied.body.details.code]).toEqual([403, 'PERMISSION_REQUIRED']);
    expect((await (await as('kp-officer')).post(`/api/disasters/${disaster.id}/resident-ids/reveal`, { path: 'description/0' })).status).toBe(404);
    const shown = await (await as('admin')).post(`/api/disasters/${disaster.id}/resident-ids/reveal`, { path: 'description/0' });
    expect(shown.status).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.body).toEqual({ path: 'description/0', residentId: DISASTER_ID });
    expect((await (await as('admin')).post(`/api/disasters/${disaster.id}/resident-ids/reveal`, { path: 'description/1' })).status).toBe(404);
    expect((await (await as('admin')).post(`/api/disasters/${disaster.id}/resident-ids/reveal`, { path: 'type' })).status).toBe(400);
    const audit = await t.dataSource.query(`SELECT kind, actor_username, target_type, details FROM audit_log WHERE target_id = $1 AND kind IN ('resident-id.revealed', 'access.denied') ORDER BY id`, [disaster.id]);
    expect(audit).toEqual([
      expect.objectContaining({ kind: 'access.denied', actor_username: 'ts-officer', target_type: 'disaster' }),
      { kind: 'resident-id.revealed', actor_username: 'admin', target_type: 'disaster', details: { disasterId: disaster.id, path: 'description/0', masked: masked(DISASTER_ID) } },
    ]);
  });
});

describe('idempotency keys of case actions', () => {
  it('keep a keyed hash of the request and its masked answer: a retry gets the answer, another request under the key 422', async () => {
    const c = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    const body = {
      action: 'submit',
      data: { ...ELIGIBLE_PROPOSAL, members: [{ ...ELIGIBLE_PROPOSAL.members[0], idNumber: ACTION_ID }] },
      comment: `已核对${COMMENT_ID}`,
      expectedVersion: c.version,
    };
    const send = async (sent: object) =>
      t.http
        .post(`/api/cases/${c.id}/actions`)
        .set({ Authorization: `Bearer ${await driver.token('ts-officer')}`, 'Idempotency-Key': 'free-text-submit-1' })
        .send(sent);
    const first = await send(body);
    expect(first.status).toBe(200);
    expect(first.body.data.members[0].idNumber).toBe(masked(ACTION_ID));
    const retry = await send(body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const other = await send({ ...body, comment: `已核对${COMMENT_ID}。` });
    expect([other.status, other.body.details.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);

    const [row] = await t.dataSource.query(`SELECT request_hash, response::text AS response FROM idempotency_keys WHERE key = 'free-text-submit-1'`);
    expect(row.response).toContain(masked(ACTION_ID));
    for (const id of [ACTION_ID, COMMENT_ID]) expect(row.response).not.toContain(id);
    // Not a plain hash of the request, which anyone could test guesses against; the HMAC keyed by IDEMPOTENCY_SECRET.
    const request = { id: c.id, ...body };
    expect(row.request_hash).not.toBe(createHash('sha256').update(canonicalJson(request)).digest('hex'));
    expect(row.request_hash).toBe(new RequestHasher(t.config.idempotencySecret).hash(request));
    expect(row.request_hash).not.toBe(new RequestHasher('another-secret-of-at-least-thirty-two-chars').hash(request));
  });
});

describe('free text written before it was sealed', () => {
  it('is sealed at start-up: masked, revealable, the same afterwards', async () => {
    const [address, visitNotes, oldValue, description] = LEGACY_IDS;
    const plain = await (await as('ts-officer')).post('/api/households', {
      villageCode: village,
      headName: '旧档户',
      rural: true,
      members: [{ name: '旧档户', relation: '户主', age: 60, labourAbility: true }],
    });
    const id = plain.body.id as string;
    // As an older version wrote them: the numbers in clear, nothing sealed.
    await t.dataSource.query(`UPDATE households SET address = $2 WHERE id = $1`, [id, `旧址${address}`]);
    const [{ id: visitId }] = await t.dataSource.query(
      `INSERT INTO household_visits (household_id, visited_on, visitor_name, leader, notes, recorded_at) VALUES ($1, '2016-05-01', '王五', false, $2, now()) RETURNING id`,
      [id, `见${visitNotes}`],
    );
    await t.dataSource.query(`UPDATE household_versions SET changes = $2 WHERE household_id = $1 AND version = 1`, [id, JSON.stringify([{ path: 'address', from: `曾住${oldValue}`, to: null }])]);
    const [{ id: disasterId }] = await t.dataSource.query(
      `INSERT INTO disasters (type, occurred_on, affected_towns, description, jurisdiction_code, recorded_by, recorded_at)
       SELECT 'flood', '2016-06-01', '{440781109}', $1, '440700', id, now() FROM users WHERE username = 'admin' RETURNING id`,
      [`洪水，${description}户受灾`],
    );

    expect(await t.app.get(LegacyTextSealer).sealAll()).toMatchObject({ households: 1, household_visits: 1, household_versions: 1, household_members: 0 });
    await t.app.get(DisastersService).onModuleInit();

    const view = (await (await as('ts-officer')).get(`/api/households/${id}`)).body;
    expect(view.address).toBe(`旧址${masked(address)}`);
    expect(view.visits.find((v: { id: string }) => v.id === visitId).notes).toBe(`见${masked(visitNotes)}`);
    expect((await (await as('ts-officer')).get(`/api/households/${id}/versions`)).body[0].changes).toEqual([{ path: 'address', from: `曾住${masked(oldValue)}`, to: null }]);
    expect((await (await as('ts-officer')).get(`/api/disasters/${disasterId}`)).body.description).toBe(`洪水，${masked(description)}户受灾`);
    expect(await revealedId(id, { path: 'address/0' })).toBe(address);
    expect(await revealedId(id, { path: `visits/${visitId}/notes/0` })).toBe(visitNotes);
    expect(await revealedId(id, { version: 1, path: 'changes/0/from/0' })).toBe(oldValue);
    expect((await (await as('admin')).post(`/api/disasters/${disasterId}/resident-ids/reveal`, { path: 'description/0' })).body.residentId).toBe(description);

    // A second start finds nothing left to seal (the numbers that are not IDs still match, and stay).
    expect(Object.values(await t.app.get(LegacyTextSealer).sealAll())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('the database', () => {
  it('holds none of the numbers in clear, while the number that is not an ID is kept as typed', async () => {
    for (const id of [HEAD_ID, ...TYPED]) expect({ id, rows: await rowsContaining(id) }).toEqual({ id, rows: [] });
    expect((await rowsContaining(NOT_AN_ID)).length).toBeGreaterThan(0);
  });
});
