import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeadlineFiringService } from '../../src/deadlines/deadline-firing.service.js';
import { exportBpmn } from '../../src/engine/bpmn-export.js';
import { loadDefinition } from '../../src/engine/definition-validator.js';
import { DefinitionsService } from '../../src/definitions/definitions.service.js';
import { CaseDriver, ELIGIBLE_PROPOSAL, HOUSEHOLD, steps, type CaseBody } from '../support/case-driver.js';
import { loadSeedDefinition, seedWorkflowSource } from '../support/seed-workflows.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let driver: CaseDriver;
let admin: Record<string, string>;

// Monday 2026-03-02 09:00 Beijing time: no holiday within the next weeks.
const MONDAY = '2026-03-02T01:00:00.000Z';
const THURSDAY = '2026-03-05T02:00:00.000Z';

beforeAll(async () => {
  t = await createTestApp({ now: MONDAY });
  driver = new CaseDriver(t);
  admin = { Authorization: `Bearer ${await driver.token('admin')}` };
});

afterAll(async () => {
  await t.close();
});

/** Every row of the tables a definition change or a case could touch, to prove a request touched none. */
async function tables(): Promise<string> {
  const names = ['cases', 'case_history', 'tasks', 'task_signers', 'deadlines', 'outbox', 'notifications', 'audit_log', 'workflow_definitions', 'workflow_drafts', 'migration_runs'];
  const dump: Record<string, unknown> = {};
  for (const name of names) dump[name] = await t.dataSource.query(`SELECT * FROM ${name} ORDER BY 1`);
  return JSON.stringify(dump);
}

async function auditRows(kind: string): Promise<{ actor_username: string | null; target_id: string; details: Record<string, unknown> }[]> {
  return t.dataSource.query(`SELECT actor_username, target_id, details FROM audit_log WHERE kind = $1 ORDER BY id`, [kind]);
}

describe('only administrators reach the definition routes', () => {
  const routes: [method: 'get' | 'put' | 'post' | 'delete', path: string, body?: object][] = [
    ['put', '/api/workflows/poverty-entry/draft', { format: 'yaml', source: seedWorkflowSource('poverty-entry') }],
    ['get', '/api/workflows/poverty-entry/draft'],
    ['delete', '/api/workflows/poverty-entry/draft'],
    ['post', '/api/workflows/poverty-entry/draft/validate'],
    ['post', '/api/workflows/poverty-entry/draft/publish'],
    ['get', '/api/workflows/poverty-entry/versions/4'],
    ['post', '/api/workflows/poverty-entry/versions/4/deprecate'],
    ['post', '/api/workflows/poverty-entry/versions/4/restore'],
    ['get', '/api/workflows/poverty-entry/export'],
    ['post', '/api/workflows/poverty-entry/migrations', { fromVersion: 4, toVersion: 5, dryRun: true }],
    ['post', '/api/workflows/poverty-entry/migrations', { fromVersion: 4, toVersion: 5 }],
    ['get', '/api/workflows/poverty-entry/migrations'],
    ['get', '/api/workflows/poverty-entry/migrations/00000000-0000-4000-8000-000000000000'],
    ['post', '/api/workflows/poverty-entry/what-if', {}],
  ];

  it.each(['ts-officer', 'ts-reviewer', 'jm-approver', 'jm-supervisor', 'auditor'])('answers 403 to %s on every one, and changes nothing', async (username) => {
    const token = await driver.token(username);
    const before = await tables();
    for (const [method, path, body] of routes) {
      const response = await t.http[method](path).set('Authorization', `Bearer ${token}`).send(body);
      expect({ path, method, status: response.status, code: response.body.details?.code }).toEqual({ path, method, status: 403, code: 'FORBIDDEN_ROLE' });
    }
    expect(await tables()).toBe(before);
  });

  it('answers 403 to an administrator bound to a county: a definition applies to every county', async () => {
    const [hash] = await t.dataSource.query(`SELECT password_hash FROM users WHERE username = 'admin'`);
    await t.dataSource.query(`INSERT INTO users (username, display_name, password_hash, roles, jurisdiction_code) VALUES ('ts-admin', 'ts-admin', $1, '{administrator}', '440781')`, [
      hash.password_hash,
    ]);
    const token = await driver.token('ts-admin');
    const before = await tables();
    for (const [method, path, body] of routes) {
      const response = await t.http[method](path).set('Authorization', `Bearer ${token}`).send(body);
      expect({ path, status: response.status, code: response.body.details?.code }).toEqual({ path, status: 403, code: 'CITY_ADMINISTRATOR_REQUIRED' });
    }
    expect(await tables()).toBe(before);
  });

  it('answers 401 without a token', async () => {
    expect((await t.http.get('/api/workflows/poverty-entry/draft')).status).toBe(401);
  });
});

/**
 * A poverty-entry draft whose proposal guard takes 4,000 yuan as the rural line (a literal:
 * the year's rules would override a param) and with a pre-check (1 working day) before the
 * support plan.
 */
const PRECHECK = `  precheck:
    label: 预审
    role: officer
    level: town
    deadline:
      duration: 1wd
      escalation:
        - { after: 0wd, notify: { role: supervisor, level: county } }
    actions:
      pass: { label: 预审通过, kind: submit, target: support }
`;
const WHAT_IF_DRAFT = seedWorkflowSource('poverty-entry')
  .replace('- var: params.ruralLowLine', '- 4000')
  .replace('        target: support\n', '        target: precheck\n')
  .replace('  support:\n    label: 精准扶持\n', `${PRECHECK}  support:\n    label: 精准扶持\n`);

describe('what-if: a draft replayed on the recorded cases', () => {
  let p: CaseBody;
  let q: CaseBody;
  let r: CaseBody;
  let s: CaseBody;

  beforeAll(async () => {
    // A minute apart, so that the report lists them in this order (by start).
    t.clock.set(MONDAY);
    p = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    t.clock.advanceMinutes(1);
    q = await driver.act('ts-officer', await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD), 'submit', ELIGIBLE_PROPOSAL);
    const poorer = { ...ELIGIBLE_PROPOSAL, perCapitaIncome: 3000 };
    t.clock.advanceMinutes(1);
    r = await driver.act('ts-officer', await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD), 'submit', poorer);
    t.clock.advanceMinutes(1);
    s = await driver.act('ts-officer', await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD), 'submit', poorer);
    s = await driver.act('ts-officer', s, 'return', { reason: '家庭成员信息不全' });
    t.clock.set(THURSDAY);
  });

  it('reports per case the same end state, a different one, or the event the draft refuses — and changes nothing', async () => {
    const before = await tables();
    const response = await t.http.post('/api/workflows/poverty-entry/what-if').set(admin).send({ format: 'yaml', source: WHAT_IF_DRAFT });
    expect(response.status).toBe(200);
    expect(await tables()).toBe(before);

    const guardMessage = loadSeedDefinition('poverty-entry').steps.propose.actions!.submit.guardMessage;
    expect(response.body).toEqual({
      workflow: 'poverty-entry',
      at: THURSDAY,
      totals: { cases: 4, same: 1, different: 1, refused: 2, skipped: 0, overdueNow: 0, overdueUnderDraft: 1 },
      cases: [
        { caseId: p.id, title: '陈大明', version: 4, outcome: 'same', overdueNow: [], overdueUnderDraft: [] },
        {
          caseId: q.id,
          title: '陈大明',
          version: 4,
          outcome: 'refused',
          refusedAt: { seq: 2, step: 'propose', action: 'submit', code: 'GUARD_FAILED', reason: guardMessage },
          overdueNow: [],
          overdueUnderDraft: null,
        },
        {
          caseId: r.id,
          title: '陈大明',
          version: 4,
          outcome: 'different',
          now: { steps: ['support'], status: 'active' },
          draft: { steps: ['precheck'], status: 'active' },
          overdueNow: [],
          // 1 working day from Monday 09:00: due Tuesday 17:30, past on Thursday.
          overdueUnderDraft: [{ step: 'precheck', enteredAt: '2026-03-02T01:02:00.000Z', duration: '1wd', dueAt: '2026-03-03T09:30:00.000Z' }],
        },
        {
          caseId: s.id,
          title: '陈大明',
          version: 4,
          outcome: 'refused',
          refusedAt: {
            seq: 3,
            step: 'support',
            action: 'return',
            code: 'ACTION_NOT_IN_STEP',
            reason: "Action 'return' of step 'support' is not allowed in the current step: precheck (预审)",
          },
          overdueNow: [],
          overdueUnderDraft: null,
        },
      ],
    });
  });

  it('takes the stored draft and a chosen set of cases, and names an id that is no case', async () => {
    expect((await t.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: WHAT_IF_DRAFT })).status).toBe(200);
    const ghost = '00000000-0000-4000-8000-000000000000';
    const response = await t.http.post('/api/workflows/poverty-entry/what-if').set(admin).send({ caseIds: [r.id, ghost] });
    expect(response.status).toBe(200);
    expect(response.body.totals).toEqual({ cases: 2, same: 0, different: 1, refused: 0, skipped: 1, overdueNow: 0, overdueUnderDraft: 1 });
    expect(response.body.cases.map((c: { caseId: string; outcome: string; reason?: string }) => [c.caseId, c.outcome, c.reason])).toEqual([
      [ghost, 'skipped', 'no such case'],
      [r.id, 'different', undefined],
    ]);
    expect((await t.http.delete('/api/workflows/poverty-entry/draft').set(admin)).status).toBe(204);
  });

  it('refuses a draft with errors, with the issues', async () => {
    const response = await t.http.post('/api/workflows/poverty-entry/what-if').set(admin).send({ source: WHAT_IF_DRAFT.replace('target: precheck', 'target: precheks') });
    expect(response.status).toBe(422);
    expect(response.body.details.code).toBe('INVALID_DEFINITION');
    expect(response.body.details.issues.filter((i: { severity: string }) => i.severity === 'error')).toEqual([
      expect.objectContaining({ path: 'steps.propose.actions.submit.target', message: expect.stringContaining("there is no step named 'precheks'") }),
    ]);
  });
});

/** poverty-entry with the proposal's deadline 15wd, and a version number publishing will replace. */
const LONGER_PROPOSAL = seedWorkflowSource('poverty-entry').replace('version: 4', 'version: 99').replace('      duration: 10wd', '      duration: 15wd');

describe('drafts: draft → validated → published', () => {
  it('publishes a validated draft as the newest version + 1, with the number in its text, and audits each step', async () => {
    const saved = await t.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: LONGER_PROPOSAL });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ key: 'poverty-entry', format: 'yaml', status: 'draft', issues: null, latestVersion: 4, source: LONGER_PROPOSAL });

    const early = await t.http.post('/api/workflows/poverty-entry/draft/publish').set(admin);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ message: "The draft of 'poverty-entry' has not been validated since it was last saved; validate it first", details: { code: 'DRAFT_NOT_VALIDATED' } });

    const validated = await t.http.post('/api/workflows/poverty-entry/draft/validate').set(admin);
    const warning = {
      file: 'workflows/poverty-entry.yaml',
      path: 'steps.publicNotice.deadline',
      message: 'deadline has no escalation: nobody is alerted when it is overdue',
      severity: 'warning',
      line: 264,
      column: 5,
    };
    expect(validated.status).toBe(200);
    expect(validated.body).toEqual({ key: 'poverty-entry', status: 'validated', valid: true, errors: 0, warnings: 1, issues: [warning] });
    expect((await t.http.get('/api/workflows/poverty-entry/draft').set(admin)).body).toMatchObject({ status: 'validated', issues: [warning] });

    const published = await t.http.post('/api/workflows/poverty-entry/draft/publish').set(admin);
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ key: 'poverty-entry', version: 5, definitionId: expect.any(String), status: 'published', warnings: [warning] });

    const version = await t.http.get('/api/workflows/poverty-entry/versions/5').set(admin);
    expect(version.body).toMatchObject({ key: 'poverty-entry', version: 5, status: 'published', sourceFormat: 'yaml', cases: 0, running: 0 });
    expect(version.body.source).toBe(LONGER_PROPOSAL.replace('version: 99', 'version: 5'));
    expect(version.body.definition.version).toBe(5);
    expect(version.body.definition.steps.propose.deadline.duration).toBe('15wd');
    expect((await t.http.get('/api/workflows/poverty-entry/draft').set(admin)).body.details.code).toBe('DRAFT_NOT_FOUND');

    // New cases start on it; the ones running on version 4 stay there.
    expect((await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD)).workflow.version).toBe(5);
    const list = await t.http.get('/api/workflows').set(admin);
    const entry = list.body.find((w: { key: string }) => w.key === 'poverty-entry');
    expect(entry).toMatchObject({ latestVersion: 5, acceptsNewCases: true, draft: null });
    expect(entry.versions.map((v: { version: number; status: string; running: number }) => [v.version, v.status, v.running])).toEqual([
      [4, 'published', 4],
      [5, 'published', 1],
    ]);

    const [draftSaved] = (await auditRows('definition.draft-saved')).slice(-1);
    expect(draftSaved).toMatchObject({ actor_username: 'admin', target_id: 'poverty-entry', details: { key: 'poverty-entry', format: 'yaml', replaced: false } });
    const [validatedRow] = (await auditRows('definition.draft-validated')).slice(-1);
    expect(validatedRow).toMatchObject({ actor_username: 'admin', target_id: 'poverty-entry', details: { errors: 0, warnings: 1 } });
    const [publishedRow] = (await auditRows('definition.published')).slice(-1);
    expect(publishedRow).toMatchObject({ actor_username: 'admin', target_id: 'poverty-entry@5', details: { key: 'poverty-entry', version: 5, definitionId: published.body.definitionId, warnings: 1 } });
  });

  it('makes a draft a draft again when its text changes after validation', async () => {
    const source = readFileSync('workflows/rectification.yaml', 'utf8');
    await t.http.put('/api/workflows/rectification/draft').set(admin).send({ format: 'yaml', source });
    expect((await t.http.post('/api/workflows/rectification/draft/validate').set(admin)).body.status).toBe('validated');
    // Saving the same text again keeps it validated; any other text makes it a draft, its issues unknown.
    expect((await t.http.put('/api/workflows/rectification/draft').set(admin).send({ format: 'yaml', source })).body).toMatchObject({ status: 'validated', issues: [] });
    const changed = await t.http.put('/api/workflows/rectification/draft').set(admin).send({ format: 'yaml', source: `${source}# 修改\n` });
    expect(changed.body).toMatchObject({ status: 'draft', issues: null, validatedAt: null });
    const refused = await t.http.post('/api/workflows/rectification/draft/publish').set(admin);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe("The draft of 'rectification' has not been validated since it was last saved; validate it first");
    expect((await auditRows('definition.draft-saved')).slice(-1)[0].details).toMatchObject({ replaced: true });
    expect((await t.http.delete('/api/workflows/rectification/draft').set(admin)).status).toBe(204);
    expect((await auditRows('definition.draft-discarded')).slice(-1)[0]).toMatchObject({ actor_username: 'admin', target_id: 'rectification' });
  });

  it('validates a new workflow with every error and warning at its line and column, and publishes it only once they are fixed', async () => {
    const source = `key: village-notice
version: 1
label: 村务公示
start: { role: officer, level: town }
initial: notice
steps:
  notice:
    label: 公示
    role: officer
    level: town
    deadline:
      duration: 5d
      calendar: lunar
      escalation:
        - { after: 0wd, notify: { role: supervisor, level: county }, openCase: village-audit }
    actions:
      object: { label: 登记异议, kind: object, target: done }
      close: { label: 公示结束, kind: complete, target: done }
  done: { label: 结束, type: final, status: closed }
`;
    expect((await t.http.put('/api/workflows/village-notice/draft').set(admin).send({ format: 'yaml', source })).status).toBe(200);
    const validated = await t.http.post('/api/workflows/village-notice/draft/validate').set(admin);
    const file = 'workflows/village-notice.yaml';
    expect(validated.body).toEqual({
      key: 'village-notice',
      status: 'draft',
      valid: false,
      errors: 2,
      warnings: 1,
      issues: [
        { file, path: 'steps.notice.deadline.calendar', severity: 'error', message: "unknown calendar 'lunar'; known calendars: statutory", line: 13, column: 7 },
        {
          file,
          path: 'steps.notice.deadline.escalation.0.openCase',
          severity: 'error',
          message: "openCase: there is no published workflow 'village-audit'; workflows that can be named here: accountability-interview, disaster-reentry, objection-investigation, poverty-entry, poverty-exit, rectification, village-notice",
          line: 15,
          column: 70,
        },
        {
          file,
          path: 'steps.notice.deadline.duration',
          severity: 'warning',
          message: "public notice period '5d' can end after 5 natural days, less than the 7 days a notice runs (compared in natural days; a working day counts as at least one day)",
          line: 12,
          column: 7,
        },
      ],
    });
    const refused = await t.http.post('/api/workflows/village-notice/draft/publish').set(admin);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ message: "The draft of 'village-notice' has errors; fix them and validate it again" });
    expect(refused.body.details).toEqual({ code: 'DRAFT_NOT_VALIDATED', workflow: 'village-notice', issues: validated.body.issues });

    const fixed = source.replace('      calendar: lunar\n', '').replace('openCase: village-audit', 'openCase: village-notice').replace('duration: 5d', 'duration: 7d');
    await t.http.put('/api/workflows/village-notice/draft').set(admin).send({ format: 'yaml', source: fixed });
    expect((await t.http.post('/api/workflows/village-notice/draft/validate').set(admin)).body).toMatchObject({ valid: true, issues: [] });
    const published = await t.http.post('/api/workflows/village-notice/draft/publish').set(admin);
    expect(published.body).toMatchObject({ key: 'village-notice', version: 1, status: 'published' });
    expect((await driver.start('ts-officer', 'village-notice', {})).currentSteps.map((c) => c.key)).toEqual(['notice']);
  });

  it('refuses a draft that declares another key, in YAML and in BPMN, at the line it is written', async () => {
    await t.http.put('/api/workflows/poverty-relief/draft').set(admin).send({ format: 'yaml', source: readFileSync('workflows/rectification.yaml', 'utf8') });
    const validated = await t.http.post('/api/workflows/poverty-relief/draft/validate').set(admin);
    expect(validated.body.issues).toEqual([
      expect.objectContaining({ path: 'key', severity: 'error', message: "the definition declares key 'rectification' but is a draft of workflow 'poverty-relief'", line: 4, column: 1 }),
    ]);
    const xml = await exportBpmn(loadDefinition(readFileSync('workflows/rectification.yaml', 'utf8'), 'rectification.yaml').definition!);
    await t.http.put('/api/workflows/poverty-relief/draft').set(admin).send({ format: 'bpmn', source: xml });
    const lines = xml.split('\n');
    const line = lines.findIndex((l) => l.includes('<bpmn:process id="rectification"'));
    expect((await t.http.post('/api/workflows/poverty-relief/draft/validate').set(admin)).body.issues).toEqual([
      {
        file: 'workflows/poverty-relief.bpmn',
        path: 'key',
        severity: 'error',
        message: "the definition declares key 'rectification' but is a draft of workflow 'poverty-relief'",
        line: line + 1,
        column: lines[line].indexOf('id="rectification"') + 1,
      },
    ]);
    await t.http.delete('/api/workflows/poverty-relief/draft').set(admin);
    const bad = await t.http.put('/api/workflows/Poverty_Relief/draft').set(admin).send({ format: 'yaml', source: 'x' });
    expect(bad.status).toBe(400);
  });

  it('publishes a draft drawn in BPMN, with the assigned number in its text, and exports it as drawn or as YAML', async () => {
    const definition = loadDefinition(readFileSync('workflows/rectification.yaml', 'utf8'), 'rectification.yaml').definition!;
    const xml = (await exportBpmn({ ...definition, label: '限期整改（修订）' })).replace('version="1"', 'version="7"');
    expect((await t.http.put('/api/workflows/rectification/draft').set(admin).send({ format: 'bpmn', source: xml })).body).toMatchObject({ format: 'bpmn', status: 'draft' });
    expect((await t.http.post('/api/workflows/rectification/draft/validate').set(admin)).body).toMatchObject({ valid: true });
    expect((await t.http.post('/api/workflows/rectification/draft/publish').set(admin)).body).toMatchObject({ key: 'rectification', version: 2 });

    const stored = (await t.http.get('/api/workflows/rectification/versions/2').set(admin)).body;
    expect(stored).toMatchObject({ sourceFormat: 'bpmn', definition: { key: 'rectification', version: 2, label: '限期整改（修订）' } });
    expect(stored.source).toBe(xml.replace('version="7"', 'version="2"'));
    const drawn = await t.http.get('/api/workflows/rectification/export?format=bpmn').set(admin);
    expect(drawn.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(drawn.text).toBe(stored.source);
    const yaml = await t.http.get('/api/workflows/rectification/export').set(admin);
    expect(loadDefinition(yaml.text, 'rectification.yaml').definition).toEqual(stored.definition);
  });
});

describe('export and the files as the published baseline', () => {
  it('exports a version as its published text (YAML) or as JSON', async () => {
    const stored = (await t.http.get('/api/workflows/poverty-entry/versions/5').set(admin)).body;
    const yaml = await t.http.get('/api/workflows/poverty-entry/export').set(admin);
    expect(yaml.status).toBe(200);
    expect(yaml.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(yaml.headers['content-disposition']).toBe('attachment; filename="poverty-entry.yaml"');
    expect(yaml.text).toBe(stored.source);
    const json = await t.http.get('/api/workflows/poverty-entry/export?format=json').set(admin);
    expect(JSON.parse(json.text)).toEqual(stored.definition);
    expect((await t.http.get('/api/workflows/poverty-entry/export?version=4').set(admin)).text).toBe(seedWorkflowSource('poverty-entry'));
    expect((await t.http.get('/api/workflows/poverty-entry/export?version=7').set(admin)).status).toBe(404);
  });

  it('writes the newest version back as a file with npm run workflows:export, which start-up then recognises', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    for (const file of readdirSync('workflows')) copyFileSync(join('workflows', file), join(dir, file));
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    await promisify(execFile)(tsx, ['scripts/export-workflow.ts', 'poverty-entry', '--out', join(dir, 'poverty-entry.yaml')], {
      env: { ...process.env, DATABASE_URL: t.config.databaseUrl },
    });
    const exported = readFileSync(join(dir, 'poverty-entry.yaml'), 'utf8');
    expect(exported).toBe((await t.http.get('/api/workflows/poverty-entry/versions/5').set(admin)).body.source);

    const published = (await auditRows('definition.published')).length;
    const loaded = await t.app.get(DefinitionsService).loadDirectory(dir);
    expect(loaded.map((p) => `${p.key}@${p.version}`)).toContain('poverty-entry@5');
    expect((await auditRows('definition.published')).length).toBe(published);
  });

  it('skips a file older than the database newest version, and still stops on the same version with other content', async () => {
    const definitions = t.app.get(DefinitionsService);
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    for (const file of readdirSync('workflows')) copyFileSync(join('workflows', file), join(dir, file));
    // The shipped file (version 4) is older than version 5: fine, and 5 stays in force.
    expect((await definitions.loadDirectory(dir)).map((p) => `${p.key}@${p.version}`)).toContain('poverty-entry@4');
    // A version 2 that the database never had is not slipped in under the newer ones.
    writeFileSync(join(dir, 'poverty-entry.yaml'), seedWorkflowSource('poverty-entry').replace('version: 4', 'version: 2'));
    expect((await definitions.loadDirectory(dir)).map((p) => p.key)).not.toContain('poverty-entry');
    expect(await t.dataSource.query(`SELECT version FROM workflow_definitions WHERE key = 'poverty-entry' ORDER BY version`)).toEqual([{ version: 4 }, { version: 5 }]);
    expect((await definitions.latest('poverty-entry')).version).toBe(5);

    writeFileSync(join(dir, 'poverty-entry.yaml'), seedWorkflowSource('poverty-entry').replace('version: 4', 'version: 5'));
    await expect(definitions.loadDirectory(dir)).rejects.toMatchObject({ code: 'VERSION_CHANGED' });
  });
});

describe('deprecation', () => {
  it('stops new cases on a deprecated newest version while running cases continue', async () => {
    const running = await driver.start('ts-officer', 'poverty-exit', HOUSEHOLD);
    const deprecated = await t.http.post('/api/workflows/poverty-exit/versions/2/deprecate').set(admin);
    expect(deprecated.status).toBe(200);
    expect(deprecated.body).toMatchObject({ key: 'poverty-exit', version: 2, status: 'deprecated', cases: 1, running: 1 });

    const start = await t.http.post('/api/cases').set('Authorization', `Bearer ${await driver.token('ts-officer')}`).send({ workflow: 'poverty-exit', data: HOUSEHOLD });
    expect(start.status).toBe(422);
    expect(start.body).toMatchObject({
      message: "Workflow 'poverty-exit' takes no new cases: its newest version 2 is deprecated. Cases already running continue; an administrator restores it or publishes a new version to start cases again",
      details: { code: 'WORKFLOW_DEPRECATED', workflow: 'poverty-exit', version: 2 },
    });
    const moved = await driver.act('ts-officer', running, 'submit', {
      perCapitaIncome: 9000,
      foodAndClothing: true,
      compulsoryEducation: true,
      basicMedical: true,
      housingSafety: true,
    });
    expect(steps(moved)).toEqual(['support']);

    const again = await t.http.post('/api/workflows/poverty-exit/versions/2/deprecate').set(admin);
    expect(again.status).toBe(409);
    expect(again.body.details.code).toBe('ALREADY_DEPRECATED');
    const list = await t.http.get('/api/workflows').set('Authorization', `Bearer ${await driver.token('ts-officer')}`);
    expect(list.body.find((w: { key: string }) => w.key === 'poverty-exit')).toMatchObject({ acceptsNewCases: false, versions: [{ version: 2, status: 'deprecated' }] });
    expect((await auditRows('definition.deprecated')).slice(-1)[0]).toMatchObject({
      actor_username: 'admin',
      target_id: 'poverty-exit@2',
      details: { key: 'poverty-exit', version: 2, runningCases: 1 },
    });
  });

  it('refuses to publish a draft opening a workflow deprecated since its validation, and an escalation then records why it opened nothing', async () => {
    const overdue = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
    await t.http.put('/api/workflows/poverty-entry/draft').set(admin).send({ format: 'yaml', source: LONGER_PROPOSAL });
    expect((await t.http.post('/api/workflows/poverty-entry/draft/validate').set(admin)).body.valid).toBe(true);
    expect((await t.http.post('/api/workflows/accountability-interview/versions/1/deprecate').set(admin)).status).toBe(200);

    const refused = await t.http.post('/api/workflows/poverty-entry/draft/publish').set(admin);
    expect(refused.status).toBe(422);
    expect(refused.body.details.code).toBe('INVALID_DEFINITION');
    expect(refused.body.details.issues.filter((i: { severity: string }) => i.severity === 'error').map((i: { path: string }) => i.path)).toEqual([
      'steps.propose.deadline.escalation.2.openCase',
      'steps.countyReview.deadline.escalation.1.openCase',
    ]);

    // The last rung of the proposal's escalation would open an interview: now it cannot.
    const [rung] = await t.dataSource.query(`SELECT id, generation, due_at FROM deadlines WHERE case_id = $1 AND kind = 'escalation' AND rung = 3`, [overdue.id]);
    t.clock.set(new Date(rung.due_at.getTime() + 60_000));
    expect(await t.app.get(DeadlineFiringService).fire(rung.id, rung.generation)).toBe('fired');
    const [last] = await t.dataSource.query(`SELECT event_type, action, payload FROM case_history WHERE case_id = $1 ORDER BY seq DESC LIMIT 1`, [overdue.id]);
    expect(last).toMatchObject({ event_type: 'deadline', action: 'case-open-refused', payload: { workflow: 'accountability-interview' } });
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM cases WHERE workflow_key = 'accountability-interview'`)).toEqual([{ n: 0 }]);
  });

  it('is undone by restoring the version: new cases start on it again, audited; restoring a version in force is a 409 that changes nothing', async () => {
    const officer = { Authorization: `Bearer ${await driver.token('ts-officer')}` };
    const restored = await t.http.post('/api/workflows/poverty-exit/versions/2/restore').set(admin);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ key: 'poverty-exit', version: 2, status: 'published', running: 1 });
    const started = await t.http.post('/api/cases').set(officer).send({ workflow: 'poverty-exit', data: HOUSEHOLD });
    expect({ status: started.status, version: started.body.workflow?.version }).toEqual({ status: 201, version: 2 });
    const list = await t.http.get('/api/workflows').set(officer);
    expect(list.body.find((w: { key: string }) => w.key === 'poverty-exit')).toMatchObject({ acceptsNewCases: true, versions: [{ version: 2, status: 'published' }] });
    expect(await auditRows('definition.restored')).toEqual([
      { actor_username: 'admin', target_id: 'poverty-exit@2', details: { key: 'poverty-exit', version: 2, definitionId: restored.body.id, runningCases: 1 } },
    ]);

    const before = await tables();
    const again = await t.http.post('/api/workflows/poverty-exit/versions/2/restore').set(admin);
    expect({ status: again.status, code: again.body.details.code }).toEqual({ status: 409, code: 'NOT_DEPRECATED' });
    expect((await t.http.post('/api/workflows/poverty-exit/versions/9/restore').set(admin)).status).toBe(404);
    expect(await tables()).toBe(before);
  });
});
