import { createTestApp, type TestApp } from '../support/test-app.js';
import { CaseDriver, HOUSEHOLD, type CaseBody } from '../support/case-driver.js';

let testApp: TestApp;
let driver: CaseDriver;
let token: string;
let existing: CaseBody;

beforeAll(async () => {
  testApp = await createTestApp();
  driver = new CaseDriver(testApp);
  token = await driver.token('ts-officer');
  existing = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
});

afterAll(async () => {
  await testApp.close();
});

type Method = 'get' | 'post';
interface BadRequest {
  name: string;
  method: Method;
  path: () => string;
  body?: unknown;
  raw?: string;
  auth?: boolean;
  status: number;
}

const HUGE = 'x'.repeat(2 * 1024 * 1024);
const caseId = () => existing.id;

const table: BadRequest[] = [
  { name: 'login without password', method: 'post', path: () => '/api/auth/login', body: { username: 'ts-officer' }, auth: false, status: 400 },
  { name: 'login with a number as username', method: 'post', path: () => '/api/auth/login', body: { username: 42, password: 'x' }, auth: false, status: 400 },
  { name: 'login with an unknown field', method: 'post', path: () => '/api/auth/login', body: { username: 'a', password: 'b', admin: true }, auth: false, status: 400 },
  { name: 'login with malformed JSON', method: 'post', path: () => '/api/auth/login', raw: '{"username": "a",', auth: false, status: 400 },
  { name: 'login with a huge body', method: 'post', path: () => '/api/auth/login', body: { username: HUGE, password: 'x' }, auth: false, status: 413 },
  { name: 'workflows without a token', method: 'get', path: () => '/api/workflows', auth: false, status: 401 },
  { name: 'start without a token', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: HOUSEHOLD }, auth: false, status: 401 },
  { name: 'start without workflow', method: 'post', path: () => '/api/cases', body: { data: HOUSEHOLD }, status: 400 },
  { name: 'start without data', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry' }, status: 400 },
  { name: 'start with data as an array', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: [1, 2] }, status: 400 },
  { name: 'start with data as null', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: null }, status: 400 },
  { name: 'start with an unknown top-level field', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: HOUSEHOLD, status: 'registered' }, status: 400 },
  { name: 'start with an unknown form field', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: { ...HOUSEHOLD, income: 1 } }, status: 400 },
  { name: 'start with a wrong type in the form', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: { ...HOUSEHOLD, memberCount: 'four' } }, status: 400 },
  { name: 'start with a missing required form field', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: { rural: true, memberCount: 2 } }, status: 400 },
  { name: 'start of an unknown workflow', method: 'post', path: () => '/api/cases', body: { workflow: 'no-such-flow', data: {} }, status: 404 },
  { name: 'start with a malformed workflow key', method: 'post', path: () => '/api/cases', body: { workflow: '../../etc', data: {} }, status: 400 },
  { name: 'start with a malformed jurisdiction', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: HOUSEHOLD, jurisdiction: '44x' }, status: 400 },
  { name: 'start in another county', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: HOUSEHOLD, jurisdiction: '440783100' }, status: 422 },
  { name: 'start in a village code that names no division', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: HOUSEHOLD, jurisdiction: '440781109200' }, status: 422 },
  { name: 'start with a huge body', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: { ...HOUSEHOLD, address: HUGE } }, status: 413 },
  { name: 'start with a too-long string', method: 'post', path: () => '/api/cases', body: { workflow: 'poverty-entry', data: { ...HOUSEHOLD, address: 'x'.repeat(5000) } }, status: 400 },
  { name: 'read a non-UUID id', method: 'get', path: () => '/api/cases/not-a-uuid', status: 400 },
  { name: 'read an SQL-ish id', method: 'get', path: () => "/api/cases/1' OR '1'='1", status: 400 },
  { name: 'read an unknown case', method: 'get', path: () => '/api/cases/6f1c2a52-0d5b-4c1e-9a77-1b2c3d4e5f60', status: 404 },
  { name: 'history of a non-UUID id', method: 'get', path: () => '/api/cases/123/history', status: 400 },
  { name: 'verify of a non-UUID id', method: 'get', path: () => '/api/cases/123/history/verify', status: 400 },
  { name: 'act on a non-UUID id', method: 'post', path: () => '/api/cases/abc/actions', body: { action: 'submit', expectedVersion: 0 }, status: 400 },
  { name: 'act without expectedVersion', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit' }, status: 400 },
  { name: 'act with expectedVersion as a string', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit', expectedVersion: '0' }, status: 400 },
  { name: 'act with a negative expectedVersion', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit', expectedVersion: -1 }, status: 400 },
  { name: 'act without action', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { expectedVersion: 0 }, status: 400 },
  { name: 'act with an unknown field', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit', expectedVersion: 0, force: true }, status: 400 },
  { name: 'act with data as a string', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit', expectedVersion: 0, data: 'x' }, status: 400 },
  { name: 'act with an unknown action', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'teleport', expectedVersion: 0 }, status: 422 },
  { name: 'act with __proto__ as action', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: '__proto__', expectedVersion: 0 }, status: 400 },
  { name: 'act with missing form fields', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit', expectedVersion: 0, data: {} }, status: 400 },
  { name: 'act with a wrong form type', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'submit', expectedVersion: 0, data: { perCapitaIncome: 'low' } }, status: 400 },
  { name: 'act with a __proto__ form field', method: 'post', path: () => `/api/cases/${caseId()}/actions`, raw: '{"action":"cancel","expectedVersion":0,"data":{"__proto__":{"polluted":1},"reason":"x"}}', status: 400 },
  { name: 'act with a stale version', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'cancel', expectedVersion: 5, data: { reason: 'x' } }, status: 409 },
  { name: 'act with a huge comment', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'cancel', expectedVersion: 0, comment: HUGE }, status: 413 },
  { name: 'act with a too-long comment', method: 'post', path: () => `/api/cases/${caseId()}/actions`, body: { action: 'cancel', expectedVersion: 0, comment: 'x'.repeat(3000), data: { reason: 'x' } }, status: 400 },
  // The routes of issues 5–7.
  { name: 'household of a non-UUID id', method: 'get', path: () => '/api/households/not-a-uuid', status: 400 },
  { name: 'households with an unknown filter', method: 'get', path: () => '/api/households?color=red', status: 400 },
  { name: 'households with a malformed jurisdiction', method: 'get', path: () => '/api/households?jurisdiction=44x', status: 400 },
  { name: 'household file without members', method: 'post', path: () => '/api/households', body: { villageCode: '440781109200', headName: '甲', rural: true }, status: 400 },
  { name: 'household file with a bad resident ID', method: 'post', path: () => '/api/households', body: { villageCode: '440781109200', headName: '甲', rural: true, members: [{ name: '甲', relation: '户主', age: 40, labourAbility: true, residentId: '123' }] }, status: 400 },
  { name: 'eligibility of a non-UUID id', method: 'get', path: () => '/api/households/abc/eligibility?year=2017', status: 400 },
  { name: 'plan progress of a year that is no number', method: 'get', path: () => '/api/plans/twenty/progress', status: 400 },
  { name: 'plan progress export in an unknown format', method: 'get', path: () => '/api/plans/2017/progress/export?format=pdf', status: 400 },
  { name: 'rules of a year that is no number', method: 'get', path: () => '/api/rules/abc', status: 400 },
  { name: 'a comment too long', method: 'post', path: () => `/api/cases/${caseId()}/comments`, body: { text: 'x'.repeat(2001) }, status: 400 },
  { name: 'a comment without text', method: 'post', path: () => `/api/cases/${caseId()}/comments`, body: {}, status: 400 },
  { name: 'a diagram of a non-UUID case', method: 'get', path: () => '/api/cases/xyz/diagram', status: 400 },
  { name: 'a workflow diff without versions', method: 'get', path: () => '/api/workflows/poverty-entry/diff', status: 400 },
  { name: 'a public notice with a forged id', method: 'get', path: () => '/api/public/notices/AAAAforged/form-token', auth: false, status: 404 },
  { name: 'an objection without a form token', method: 'post', path: () => '/api/public/notices/AAAAforged/objections', body: { text: '不符合条件' }, auth: false, status: 400 },
  { name: 'public notices with an unknown filter', method: 'get', path: () => '/api/public/notices?limit=abc', auth: false, status: 400 },
];

describe('bad input gets a 4xx JSON error, never a 500', () => {
  it.each(table.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    let request = testApp.http[row.method](row.path());
    if (row.auth !== false) request = request.set('Authorization', `Bearer ${token}`);
    const response = row.raw !== undefined
      ? await request.set('Content-Type', 'application/json').send(row.raw)
      : row.body !== undefined
        ? await request.send(row.body as object)
        : await request;
    expect(response.status).toBe(row.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual(expect.objectContaining({ statusCode: row.status, error: expect.any(String), message: expect.any(String) }));
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    for (const key of ['x'.repeat(201), 'with space']) {
      const response = await testApp.http
        .post(`/api/cases/${existing.id}/actions`)
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', key)
        .send({ action: 'cancel', expectedVersion: 0, data: { reason: 'x' } });
      expect(response.status).toBe(400);
      expect(response.body.details).toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY' });
    }
  });

  it('left the case untouched and no prototype polluted', async () => {
    const response = await driver.get('ts-officer', existing.id);
    expect(response.body).toMatchObject({ version: 0, status: 'active' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
