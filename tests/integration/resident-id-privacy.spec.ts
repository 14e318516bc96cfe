import { DEMO_PASSWORD } from '../../src/database/seed-demo.js';
import { isValidResidentId, residentIdCheckCharacter } from '../../src/org/resident-id.js';
import { COUNTY_APPROVAL, ELIGIBLE_PROPOSAL, HOUSEHOLD, PASSING_APPRAISAL, SUPPORT_PLAN } from '../support/case-driver.js';
import { ensureBuilt, eventually, FAST_DELIVERY_ENV, processEnv, spawnCompiled, uniquePrefix, type SpawnedProcess } from '../support/processes.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Resident ID numbers never leave the server unmasked, except in the one audited reveal.
 * The compiled API and worker run as real processes (every line they print is kept), the
 * in-process app answers a few requests too (its output is kept as well); a poverty-entry
 * case with the householder's ID and the members' IDs goes through its steps, with a
 * refused invalid ID and a failing guard on the way. Then every log line, every response
 * body, every mail and every row of every table is searched for an 18-character ID run.
 */

const HEAD = HOUSEHOLD.householderId;
const MEMBERS = ELIGIBLE_PROPOSAL.members.map((m) => m.idNumber);
/** Checksum-correct but not the demo's: appears only in a refused request. */
const REFUSED_VALID_SHAPE = '440781199001011238';
/** A wrong check character: refused as invalid, and never repeated. */
const BAD_CHECKSUM = `${HEAD.slice(0, 17)}${HEAD[17] === '0' ? '1' : '0'}`;
const ID_RUN = /[0-9]{17}[0-9Xx]/;
/** sha256 hex of the history chain: long digit runs occur in them by chance. */
const HASH = /\b[0-9a-f]{64}\b/g;

let redis: PrivateRedis;
let smtp: TestSmtpServer;
let testApp: TestApp;
let api: SpawnedProcess;
let worker: SpawnedProcess;
let port: number;

/** Everything the in-process app printed while the test ran. */
const inProcessOutput: string[] = [];
const restoreWrites: (() => void)[] = [];

interface Exchange {
  via: 'api process' | 'in-process';
  what: string;
  status: number;
  body: string;
  headers: Record<string, string>;
}
const exchanges: Exchange[] = [];
const tokens = new Map<string, string>();

function capture(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    inProcessOutput.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  restoreWrites.push(() => {
    stream.write = original as typeof stream.write;
  });
}

beforeAll(async () => {
  ensureBuilt();
  capture(process.stdout);
  capture(process.stderr);
  redis = await startPrivateRedis();
  smtp = await startSmtpServer();
  testApp = await createTestApp({ env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, BULLMQ_PREFIX: uniquePrefix('resident-id') } });
  await testApp.dataSource.query(`UPDATE users SET email = username || '@fupin.test'`);
  port = await freePort();
  const env = processEnv(testApp.config, FAST_DELIVERY_ENV);
  api = spawnCompiled('api', 'main', { ...env, PORT: String(port) });
  worker = spawnCompiled('worker', 'worker', env);
  // Generous: other test files may be loading the machine.
  await Promise.all([api.waitFor(/API listening/, 60_000), worker.waitFor(/worker started/, 60_000)]);
}, 150_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill()]);
  await testApp?.close();
  await Promise.all([redis?.close(), smtp?.close()]);
  restoreWrites.forEach((restore) => restore());
});

/** A request to the spawned API, recorded. */
async function call(username: string | null, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Exchange & { json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(`http://127.0.0.1:${port}/api${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(username ? { authorization: `Bearer ${await token(username)}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const exchange = { via: 'api process' as const, what: `${method} ${path} as ${username}`, status: response.status, body: text, headers: Object.fromEntries(response.headers), json: text ? JSON.parse(text) : undefined };
  exchanges.push(exchange);
  return exchange;
}

async function token(username: string): Promise<string> {
  let value = tokens.get(username);
  if (!value) {
    const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    expect(response.status).toBe(200);
    value = ((await response.json()) as { accessToken: string }).accessToken;
    tokens.set(username, value);
  }
  return value;
}

/** A request to the in-process app, recorded. */
async function local(username: string, method: 'get' | 'post', path: string, body?: unknown) {
  const request = testApp.http[method](`/api${path}`).set('Authorization', `Bearer ${await token(username)}`);
  const response = body === undefined ? await request : await request.send(body as object);
  exchanges.push({ via: 'in-process', what: `${method.toUpperCase()} ${path} as ${username}`, status: response.status, body: response.text, headers: response.headers as Record<string, string> });
  return response;
}

async function act(username: string, c: { id: string; version: number }, action: string, data?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(username, 'POST', `/cases/${c.id}/actions`, { action, ...(data ? { data } : {}), expectedVersion: c.version }, headers);
}

async function actOk(username: string, c: { id: string; version: number }, action: string, data?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await act(username, c, action, data, headers);
  expect({ action, status: response.status, body: response.json }).toMatchObject({ status: 200 });
  return response.json as { id: string; version: number; data: Record<string, unknown>; currentSteps: { key: string }[] };
}

/** Every 18-character ID run in `text` (history hashes scrubbed first). */
function idRuns(text: string): string[] {
  return [...text.replace(HASH, '<hash>').matchAll(new RegExp(ID_RUN, 'g'))].map((m) => m[0]);
}

async function countRows(): Promise<Record<string, number>> {
  const [row] = await testApp.dataSource.query(
    `SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM case_history) AS history, (SELECT count(*)::int FROM outbox) AS outbox`,
  );
  return row;
}

describe('resident ID numbers', () => {
  it('are sealed, shown masked, revealed only with the permission and audited, and never logged', async () => {
    expect([HEAD, ...MEMBERS, REFUSED_VALID_SHAPE].every((id) => isValidResidentId(id))).toBe(true);
    expect(residentIdCheckCharacter(BAD_CHECKSUM.slice(0, 17))).not.toBe(BAD_CHECKSUM[17]);

    // An invalid ID is refused (400) without being repeated, and nothing is written.
    const before = await countRows();
    const invalidStart = await call('ts-officer', 'POST', '/cases', { workflow: 'poverty-entry', data: { ...HOUSEHOLD, householderId: BAD_CHECKSUM } });
    expect(invalidStart.status).toBe(400);
    expect(invalidStart.json.details).toMatchObject({ code: 'INVALID_INPUT', issues: [{ field: 'householderId', message: expect.stringContaining('resident ID') }] });
    expect(await countRows()).toEqual(before);

    // The case: the householder's ID on the start form, sealed before the engine.
    const started = await call('ts-officer', 'POST', '/cases', { workflow: 'poverty-entry', data: { ...HOUSEHOLD, address: '台山市端芬镇山底村' } });
    expect(started.status).toBe(201);
    let c = started.json as { id: string; version: number; data: Record<string, unknown>; currentSteps?: { key: string }[] };
    expect(c.data.householderId).toBe('4407**********2412');

    // A guard failure (income above the line) and an invalid member ID: refused, nothing written.
    const afterStart = await countRows();
    const guardFailed = await act('ts-officer', c, 'submit', { ...ELIGIBLE_PROPOSAL, perCapitaIncome: 9000 });
    expect(guardFailed.status).toBe(422);
    expect(guardFailed.json.details.code).toBe('GUARD_FAILED');
    const invalidMember = await act('ts-officer', c, 'submit', {
      ...ELIGIBLE_PROPOSAL,
      members: [ELIGIBLE_PROPOSAL.members[0], { ...ELIGIBLE_PROPOSAL.members[1], idNumber: BAD_CHECKSUM }],
    });
    expect(invalidMember.status).toBe(400);
    expect(invalidMember.json.details.issues).toEqual([{ field: 'members.1.idNumber', message: expect.any(String) }]);
    // A valid ID in a field the form does not have is refused by name only.
    const unknownField = await act('ts-officer', c, 'submit', { ...ELIGIBLE_PROPOSAL, spouseId: REFUSED_VALID_SHAPE });
    expect(unknownField.status).toBe(400);
    expect(await countRows()).toEqual(afterStart);

    // Through the steps: member IDs (a table column), an idempotent submit, a return for
    // correction (notification and mail by the worker), up to the public notice.
    const proposed = c;
    c = await actOk('ts-officer', proposed, 'submit', ELIGIBLE_PROPOSAL, { 'Idempotency-Key': 'privacy-submit-1' });
    expect((c.data.members as { idNumber: string }[]).map((m) => m.idNumber)).toEqual(['4407**********2412', '4407**********3127']);
    const repeated = await act('ts-officer', proposed, 'submit', ELIGIBLE_PROPOSAL, { 'Idempotency-Key': 'privacy-submit-1' });
    expect(repeated.json).toMatchObject({ version: c.version, data: { members: [{ idNumber: '4407**********2412' }, { idNumber: '4407**********3127' }] } });
    // Returned by the other officer, so that ts-officer is told (in the app and by mail).
    c = await actOk('ts-officer2', c, 'return', { reason: '请补充家庭成员身份证复印件' });
    // The worker tells whoever holds the case's open tasks when it delivers: wait for it here.
    await eventually('ts-officer told of the return, in the app and by mail', async () => {
      const [row] = await testApp.dataSource.query(
        `SELECT count(*)::int AS n FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'ts-officer' AND n.case_id = $1`,
        [c.id],
      );
      return row.n > 0 && smtp.messages.length > 0;
    });
    c = await actOk('ts-officer', c, 'submit', ELIGIBLE_PROPOSAL);
    c = await actOk('ts-officer', c, 'submit', SUPPORT_PLAN);
    c = await actOk('ts-officer', c, 'record', PASSING_APPRAISAL);
    c = await actOk('ts-reviewer', c, 'approve', COUNTY_APPROVAL);
    c = await actOk('jm-approver', c, 'approve', {});
    expect(c.currentSteps!.map((s) => s.key)).toEqual(['publicNotice']);

    // The worker has relayed the whole outbox.
    await eventually('the outbox delivered', async () => {
      const [row] = await testApp.dataSource.query(`SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS pending, count(*)::int AS total FROM outbox`);
      return row.total > 0 && row.pending === 0;
    });

    // Every read a user has: the case, its history, the verification, notifications, alerts.
    for (const user of ['ts-officer', 'ts-reviewer', 'jm-approver', 'admin']) {
      const view = await call(user, 'GET', `/cases/${c.id}`);
      expect(view.status).toBe(200);
      expect(view.json.data).toMatchObject({ householderId: '4407**********2412', members: [{ idNumber: '4407**********2412' }, { idNumber: '4407**********3127' }] });
    }
    const history = await call('ts-officer', 'GET', `/cases/${c.id}/history`);
    expect(history.status).toBe(200);
    expect(history.json[0].payload.data.householderId).toBe('4407**********2412');
    expect(history.body).not.toContain('"token"');
    const verified = await call('ts-officer', 'GET', `/cases/${c.id}/history/verify`);
    expect(verified.json).toMatchObject({ valid: true, replayMatches: true });
    const notifications = await call('ts-officer', 'GET', '/notifications');
    expect(notifications.status).toBe(200);
    expect(notifications.body).toContain('陈大明');
    expect((await call('ts-supervisor', 'GET', '/alerts/overdue')).status).toBe(200);
    expect((await call('jm-supervisor', 'GET', '/alerts/circular?from=2026-11-01&to=2026-12-31')).status).toBe(200);
    expect((await call('admin', 'GET', '/admin/emails')).status).toBe(200);
    expect((await call('ts-officer', 'GET', '/workflows')).status).toBe(200);
    expect((await local('ts-reviewer', 'get', `/cases/${c.id}`)).status).toBe(200);
    expect((await local('ts-reviewer', 'get', `/cases/${c.id}/history`)).status).toBe(200);

    // Reveal without the permission: 403, audited as access.denied, nothing revealed.
    const denied = await local('ts-officer', 'post', `/cases/${c.id}/resident-ids/reveal`, { path: 'householderId' });
    expect(denied.status).toBe(403);
    expect(denied.body.details).toEqual({ code: 'PERMISSION_REQUIRED', permission: 'reveal-resident-id' });

    // Bad requests for a reveal, by a user who may reveal: clear 4xx, nothing revealed or audited as revealed.
    const unknownCase = '6f1c1a52-3c2e-4c89-9a57-2d0f3b7a9e10';
    expect((await call('admin', 'POST', `/cases/${c.id}/resident-ids/reveal`, { path: 'householdName' })).json.details.code).toBe('RESIDENT_ID_NOT_FOUND');
    expect((await call('admin', 'POST', `/cases/${c.id}/resident-ids/reveal`, { path: 'members/7/idNumber' })).status).toBe(404);
    expect((await call('admin', 'POST', `/cases/${c.id}/resident-ids/reveal`, { path: '../members' })).status).toBe(400);
    expect((await call('admin', 'POST', `/cases/${c.id}/resident-ids/reveal`, {})).status).toBe(400);
    expect((await call('admin', 'POST', `/cases/${unknownCase}/resident-ids/reveal`, { path: 'householderId' })).json.details.code).toBe('CASE_NOT_FOUND');
    // The permission does not widen the jurisdiction: a 开平 reviewer may not read a 台山 case.
    await testApp.dataSource.query(`UPDATE users SET permissions = '{reveal-resident-id}' WHERE username = 'kp-reviewer'`);
    const outside = await call('kp-reviewer', 'POST', `/cases/${c.id}/resident-ids/reveal`, { path: 'householderId' });
    expect(outside.status).toBe(404);
    expect(outside.json.details.code).toBe('CASE_NOT_FOUND');

    // The one reveal: the plain number, not cached, audited in the same request.
    const revealed = await call('admin', 'POST', `/cases/${c.id}/resident-ids/reveal`, { path: 'householderId' });
    expect(revealed.status).toBe(200);
    expect(revealed.json).toEqual({ path: 'householderId', residentId: HEAD });
    expect(revealed.headers['cache-control']).toBe('no-store');

    const audit = await testApp.dataSource.query(
      `SELECT kind, actor_username, target_type, target_id, jurisdiction_code, details FROM audit_log
        WHERE kind IN ('resident-id.revealed', 'access.denied') ORDER BY id`,
    );
    expect(audit).toEqual([
      {
        kind: 'access.denied',
        actor_username: 'ts-officer',
        target_type: 'case',
        target_id: c.id,
        jurisdiction_code: null,
        details: { permission: 'reveal-resident-id', action: 'reveal-resident-id', path: 'householderId' },
      },
      {
        // The 开平 reviewer's attempt: outside their jurisdiction, answered 404 and audited.
        kind: 'access.denied',
        actor_username: 'kp-reviewer',
        target_type: 'case',
        target_id: c.id,
        jurisdiction_code: '440781109',
        details: { operation: 'read' },
      },
      {
        kind: 'resident-id.revealed',
        actor_username: 'admin',
        target_type: 'case',
        target_id: c.id,
        jurisdiction_code: '440781109',
        details: { caseId: c.id, path: 'householderId', masked: '4407**********2412' },
      },
    ]);

    // The processes stop cleanly and have printed everything they will print.
    expect(await Promise.all([api.stop(), worker.stop()])).toEqual([0, 0]);

    // No ID run anywhere but in the one reveal.
    const leaks: string[] = [];
    for (const exchange of exchanges) {
      if (exchange === revealed) continue;
      for (const run of idRuns(exchange.body)) leaks.push(`${exchange.via} ${exchange.what} → ${exchange.status}: ${run}`);
    }
    for (const spawned of [api, worker]) {
      for (const line of spawned.lines) for (const run of idRuns(line)) leaks.push(`${spawned.name} log: ${run} in ${line.slice(0, 200)}`);
    }
    for (const line of inProcessOutput) for (const run of idRuns(line)) leaks.push(`in-process output: ${run}`);
    for (const mail of smtp.messages) for (const run of idRuns(`${mail.subject}\n${mail.text}\n${mail.raw}`)) leaks.push(`mail ${mail.subject}: ${run}`);
    const tables: { name: string }[] = await testApp.dataSource.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    for (const { name } of tables) {
      const rows: { row: string }[] = await testApp.dataSource.query(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
      for (const { row } of rows) for (const run of idRuns(row)) leaks.push(`table ${name}: ${run}`);
    }
    expect(leaks).toEqual([]);

    // The checks above are not vacuous: the sealed values are there, and the logs were kept.
    const [stored] = await testApp.dataSource.query(`SELECT data, snapshot->'context'->'data' AS context FROM cases WHERE id = $1`, [c.id]);
    expect(stored.data.householderId).toEqual({ masked: '4407**********2412', token: expect.stringMatching(/^v1\./) });
    expect(stored.context.members[1].idNumber).toEqual({ masked: '4407**********3127', token: expect.stringMatching(/^v1\./) });
    expect(api.lines.some((line) => /API listening/.test(line))).toBe(true);
    expect(worker.lines.some((line) => /worker started/.test(line))).toBe(true);
    expect(exchanges.length).toBeGreaterThan(30);
  }, 120_000);
});
