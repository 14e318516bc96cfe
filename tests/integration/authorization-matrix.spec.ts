import { hashPassword } from '../../src/org/password-hasher.js';
import { ROLES, type Role } from '../../src/engine/workflow-definition.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, type CaseBody } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * Who may do what to a case, as a table: every role, bound to a node in each relation to
 * the case's node, against every case route. The case is a poverty-entry case of 端芬镇,
 * 台山市 (440781109); poverty-entry allows reads by the county that helps 台山市 (新会区).
 */
const CASE_NODE = '440781109';
const RELATIONS = ['own', 'parent', 'child', 'sibling county', 'paired county'] as const;
type Relation = (typeof RELATIONS)[number];

const PASSWORD = 'matrix-password-2026';
let testApp: TestApp;
let driver: CaseDriver;
let subject: CaseBody;
const nodes = {} as Record<Relation, string>;

beforeAll(async () => {
  // 30 logins from one address in a minute: the per-address limit is raised for this file only.
  testApp = await createTestApp({ env: { LOGIN_MAX_PER_ADDRESS: '1000' } });
  driver = new CaseDriver(testApp);
  const [village] = await testApp.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = $1 ORDER BY code LIMIT 1`, [CASE_NODE]);
  Object.assign(nodes, { own: CASE_NODE, parent: '440781', child: village.code, 'sibling county': '440783', 'paired county': '440705' });
  const hash = await hashPassword(PASSWORD);
  for (const role of ROLES) {
    for (const relation of RELATIONS) {
      await testApp.dataSource.query(
        `INSERT INTO users (username, display_name, password_hash, roles, jurisdiction_code) VALUES ($1, $1, $2, $3, $4)`,
        [username(role, relation), hash, [role], nodes[relation]],
      );
    }
  }
  subject = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
});

afterAll(async () => {
  await testApp.close();
});

function username(role: Role, relation: Relation): string {
  return `m-${role}-${relation.replace(' ', '-')}`;
}

const tokens = new Map<string, string>();
async function token(name: string): Promise<string> {
  if (!tokens.has(name)) tokens.set(name, await testApp.login(name, PASSWORD));
  return tokens.get(name)!;
}

type Route = 'read' | 'history' | 'verify' | 'act' | 'claim';
const ROUTES: Route[] = ['read', 'history', 'verify', 'act', 'claim'];

async function call(route: Route, name: string) {
  const auth = { Authorization: `Bearer ${await token(name)}` };
  const { http } = testApp;
  switch (route) {
    case 'read':
      return http.get(`/api/cases/${subject.id}`).set(auth);
    case 'history':
      return http.get(`/api/cases/${subject.id}/history`).set(auth);
    case 'verify':
      return http.get(`/api/cases/${subject.id}/history/verify`).set(auth);
    case 'act':
      // A stale version: whoever gets past authorization is stopped by the version check,
      // so the case never changes while the table runs.
      return http.post(`/api/cases/${subject.id}/actions`).set(auth).send({ action: 'submit', data: ELIGIBLE_PROPOSAL, expectedVersion: 99 });
    case 'claim':
      return http.post(`/api/tasks/${subject.openTasks[0].id}/claim`).set(auth).send({});
  }
}

/** The expected status of one cell. */
function expected(role: Role, relation: Relation, route: Route): number {
  if (relation === 'child' || relation === 'sibling county') return 404;
  const readOnly = relation === 'paired county' || role === 'auditor';
  if (route === 'read' || route === 'history' || route === 'verify') return 200;
  if (readOnly) return 403;
  if (route === 'act') return 409;
  // claim: only the town's officers are offered the proposal step.
  return role === 'officer' && relation === 'own' ? 200 : 403;
}

const cells = ROLES.flatMap((role) => RELATIONS.flatMap((relation) => ROUTES.map((route) => [role, relation, route] as const)));

describe('authorization matrix: role × relation to the case’s node × route', () => {
  it.each(cells)('%s of the %s node → %s', async (role, relation, route) => {
    const name = username(role, relation);
    const deniedBefore = await deniedCount(name);
    const response = await call(route, name);
    const status = expected(role, relation, route);
    expect({ status: response.status, code: response.body?.details?.code }).toMatchObject({ status });
    if (status === 404) {
      // Out of scope looks exactly like a case that does not exist, and is audited.
      expect(response.body.details.code).toMatch(/^(CASE|TASK)_NOT_FOUND$/);
      expect(await deniedCount(name)).toBe(deniedBefore + 1);
    } else {
      expect(await deniedCount(name)).toBe(deniedBefore);
    }
    if (status === 403 && (relation === 'paired county' || role === 'auditor')) expect(response.body.details.code).toBe('READ_ONLY_ACCESS');
  });

  it('left the case as it was (nobody acted; only the town officer’s claim was recorded)', async () => {
    const after = (await driver.get('ts-officer', subject.id)).body as CaseBody;
    expect(after.version).toBe(0);
    expect(after.openTasks[0].assigneeId).not.toBeNull();
  });
});

describe('administrator and auditor routes', () => {
  // Roles are checked before the body: the administrator's empty bodies get 400, everybody
  // else 403 whatever they send.
  const ADMIN_ROUTES: [string, string, Role[], number][] = [
    ['GET', '/api/users', ['administrator'], 200],
    ['POST', '/api/users', ['administrator'], 400],
    ['POST', '/api/jurisdictions', ['administrator'], 400],
    ['PUT', '/api/calendar/years/2027', ['administrator'], 400],
    ['GET', '/api/admin/emails', ['administrator'], 200],
    ['GET', '/api/audit', ['administrator', 'auditor'], 200],
  ];
  const adminCells = ADMIN_ROUTES.flatMap(([method, path, allowed, ok]) => ROLES.map((role) => [method, path, role, allowed.includes(role) ? ok : 403] as const));

  it.each(adminCells)('%s %s as %s → %s', async (method, path, role, status) => {
    const auth = { Authorization: `Bearer ${await token(username(role, 'own'))}` };
    const call = testApp.http[method.toLowerCase() as 'get' | 'post' | 'put'](path).set(auth);
    const response = method === 'GET' ? await call : await call.send({});
    expect(response.status).toBe(status);
  });
});

async function deniedCount(name: string): Promise<number> {
  const [row] = await testApp.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_log WHERE kind = 'access.denied' AND actor_username = $1 AND target_id = $2`,
    [name, subject.id],
  );
  return row.n;
}
