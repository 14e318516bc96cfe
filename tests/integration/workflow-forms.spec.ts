import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefinitionKeyOrder1795913952309 } from '../../migrations/1795913952309-definition-key-order.js';
import { dropDatabase } from '../../src/database/ensure-database.js';
import { compareJsonbKeys, inJsonbKeyOrder } from '../../src/definitions/definition-key-order.js';
import { definitionChecksum, DefinitionsService, workflowsDirectory } from '../../src/definitions/definitions.service.js';
import { loadDefinition } from '../../src/engine/definition-validator.js';
import type { StepDefinition, WorkflowDefinition } from '../../src/engine/workflow-definition.js';
import { CaseDriver, HOUSEHOLD } from '../support/case-driver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * What the web app's forms and inbox read from the definitions: the fields of every form
 * (and a table's columns) in the order the author wrote them, from a file, a draft or a BPMN
 * drawing through publishing and storage to each answer the web uses; the steps of the
 * inbox's step filter. And a database whose definitions were stored as jsonb (keys sorted
 * by length, then bytes) getting the author's order back.
 */

const MONDAY = '2026-03-02T01:00:00.000Z';

/**
 * A workflow whose field keys are in neither alphabetical nor jsonb order (the test below
 * checks that it is so, or it would prove nothing).
 */
const RELIEF_VISIT = `key: relief-visit
version: 1
label: 走访慰问
labelEn: Relief visit
titleField: householdName
start:
  role: officer
  level: town
  fields:
    householdName: { type: string, label: 户主姓名, required: true, maxLength: 50 }
    village: { type: string, label: 所在村, maxLength: 50 }
    age: { type: integer, label: 户主年龄, min: 0, max: 130 }
initial: visit
steps:
  visit:
    label: 入户走访
    labelEn: Home visit
    role: officer
    level: town
    deadline: { duration: 5wd }
    actions:
      record:
        label: 登记走访
        kind: submit
        target: done
        fields:
          visitedOn: { type: date, label: 走访日期, required: true }
          notes: { type: text, label: 走访记录 }
          aid: { type: number, label: 慰问金额, min: 0 }
          members:
            type: table
            label: 在家成员
            columns:
              relation: { type: string, label: 关系 }
              name: { type: string, label: 姓名 }
              idNumber: { type: residentId, label: 身份证号 }
              age: { type: integer, label: 年龄, min: 0, max: 130 }
  done:
    type: final
    label: 办结
    status: done
`;
const START_ORDER = ['householdName', 'village', 'age'];
const RECORD_ORDER = ['visitedOn', 'notes', 'aid', 'members'];
const COLUMN_ORDER = ['relation', 'name', 'idNumber', 'age'];

type Fields = Record<string, { columns?: Record<string, unknown> }>;

interface AvailableAction {
  step: string;
  action: string;
  fields: Fields;
}

/** The seed files as the validator reads them: the author's order. */
function seedFiles(): WorkflowDefinition[] {
  return readdirSync(workflowsDirectory())
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const { definition } = loadDefinition(readFileSync(join(workflowsDirectory(), file), 'utf8'), `workflows/${file}`, 'yaml');
      if (!definition) throw new Error(`workflows/${file} does not load`);
      return definition;
    });
}

function taskSteps(definition: WorkflowDefinition): { key: string; label: string; labelEn: string | null }[] {
  const out: { key: string; label: string; labelEn: string | null }[] = [];
  const walk = (steps: Record<string, StepDefinition>) => {
    for (const [key, step] of Object.entries(steps)) {
      if ((step.type ?? 'task') === 'task') out.push({ key, label: step.label, labelEn: step.labelEn ?? null });
      for (const region of Object.values(step.regions ?? {})) walk(region.steps);
    }
  };
  walk(definition.steps);
  return out;
}

function formOf(view: { availableActions: AvailableAction[] }, step: string, action: string): Fields {
  const found = view.availableActions.find((a) => a.step === step && a.action === action);
  if (!found) throw new Error(`no action ${step}.${action} among ${JSON.stringify(view.availableActions.map((a) => `${a.step}.${a.action}`))}`);
  return found.fields;
}

describe('the order of form fields', () => {
  let t: TestApp;
  let driver: CaseDriver;
  const as = async (username: string) => ({ Authorization: `Bearer ${await driver.token(username)}` });

  beforeAll(async () => {
    t = await createTestApp({ now: MONDAY });
    driver = new CaseDriver(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is neither alphabetical nor jsonb order in the workflow this test publishes', () => {
    for (const order of [START_ORDER, RECORD_ORDER, COLUMN_ORDER]) {
      expect(order).not.toEqual([...order].sort());
      expect(order).not.toEqual([...order].sort(compareJsonbKeys));
    }
  });

  it('is the author’s, from a YAML draft and from a BPMN drawing through publishing to the case, its definition and the stored version', async () => {
    const admin = await as('admin');
    expect((await t.http.put('/api/workflows/relief-visit/draft').set(admin).send({ format: 'yaml', source: RELIEF_VISIT })).status).toBe(200);
    expect((await t.http.post('/api/workflows/relief-visit/draft/validate').set(admin)).body).toMatchObject({ status: 'validated' });
    const published = await t.http.post('/api/workflows/relief-visit/draft/publish').set(admin);
    expect(published.status).toBe(201);

    const started = await driver.start('ts-officer', 'relief-visit', { householdName: '走访户', village: '大岭村', age: 61 });
    expect(started.workflow.version).toBe(1);
    const view = (await t.http.get(`/api/cases/${started.id}`).set(await as('ts-officer'))).body;
    const record = formOf(view, 'visit', 'record');
    expect(Object.keys(record)).toEqual(RECORD_ORDER);
    expect(Object.keys(record.members.columns!)).toEqual(COLUMN_ORDER);

    // The whole definition, every level of it, exactly as the file's text gives it.
    const { definition: written } = loadDefinition(RELIEF_VISIT, 'relief-visit.yaml', 'yaml');
    const pinned = (await t.http.get(`/api/cases/${started.id}/definition`).set(await as('ts-officer'))).body;
    expect(JSON.stringify(pinned.definition)).toBe(JSON.stringify(written));
    expect(Object.keys(pinned.definition.start.fields)).toEqual(START_ORDER);
    const stored = (await t.http.get('/api/workflows/relief-visit/versions/1').set(admin)).body;
    expect(JSON.stringify(stored.definition)).toBe(JSON.stringify(written));
    // A file written from the stored version keeps the order too.
    const exported = JSON.parse((await t.http.get('/api/workflows/relief-visit/export?format=json&version=1').set(admin)).text);
    expect(Object.keys(exported.steps.visit.actions.record.fields)).toEqual(RECORD_ORDER);

    // Drawn: the BPMN export of version 1, published as version 2 from the drawing.
    const drawing = (await t.http.get('/api/workflows/relief-visit/export?format=bpmn&version=1').set(admin)).text;
    expect((await t.http.put('/api/workflows/relief-visit/draft').set(admin).send({ format: 'bpmn', source: drawing })).status).toBe(200);
    expect((await t.http.post('/api/workflows/relief-visit/draft/validate').set(admin)).body).toMatchObject({ status: 'validated' });
    expect((await t.http.post('/api/workflows/relief-visit/draft/publish').set(admin)).status).toBe(201);
    const drawn = await driver.start('ts-officer', 'relief-visit', { householdName: '图绘户' });
    expect(drawn.workflow.version).toBe(2);
    const drawnRecord = formOf((await t.http.get(`/api/cases/${drawn.id}`).set(await as('ts-officer'))).body, 'visit', 'record');
    expect(Object.keys(drawnRecord)).toEqual(RECORD_ORDER);
    expect(Object.keys(drawnRecord.members.columns!)).toEqual(COLUMN_ORDER);
    const drawnDefinition = (await t.http.get(`/api/cases/${drawn.id}/definition`).set(await as('ts-officer'))).body.definition;
    expect(Object.keys(drawnDefinition.start.fields)).toEqual(START_ORDER);
  });

  it('of the seed workflows is their files’ as the API serves them: each stored version, a case’s definition, and the first form of a case started from a household file', async () => {
    const admin = await as('admin');
    for (const file of seedFiles()) {
      const stored = (await t.http.get(`/api/workflows/${file.key}/versions/${file.version}`).set(admin)).body;
      expect([file.key, JSON.stringify(stored.definition)]).toEqual([file.key, JSON.stringify(file)]);
    }
    const entry = seedFiles().find((d) => d.key === 'poverty-entry')!;
    const proposal = entry.steps.propose.actions!.submit.fields!;
    // The file's order of the proposal form is not jsonb's (dibao, consent, members … come first there).
    expect(Object.keys(proposal)).not.toEqual(Object.keys(proposal).sort(compareJsonbKeys));

    const officer = await as('ts-officer');
    const [{ code: village }] = await t.dataSource.query(`SELECT code FROM jurisdictions WHERE parent_code = '440781109' AND level = 'village' ORDER BY code LIMIT 1`);
    const household = await t.http
      .post('/api/households')
      .set(officer)
      .send({ villageCode: village, headName: '陈顺序', rural: true, dibao: false, consent: true, members: [{ name: '陈顺序', relation: '户主', age: 46, labourAbility: true }] });
    expect(household.status).toBe(201);
    const started = await t.http.post(`/api/households/${household.body.id}/cases`).set(officer).send({ workflow: 'poverty-entry', year: 2017 });
    expect(started.status).toBe(201);
    const fromFile = formOf(started.body.case, 'propose', 'submit');
    expect(Object.keys(fromFile)).toEqual(Object.keys(proposal));
    expect(Object.keys(fromFile.members.columns!)).toEqual(Object.keys(proposal.members.columns!));
    // What the case page reads afterwards.
    const caseId = started.body.case.id as string;
    expect(Object.keys(formOf((await t.http.get(`/api/cases/${caseId}`).set(officer)).body, 'propose', 'submit'))).toEqual(Object.keys(proposal));
    expect(JSON.stringify((await t.http.get(`/api/cases/${caseId}/definition`).set(officer)).body.definition)).toBe(JSON.stringify(entry));
  });

  it('GET /api/workflows/steps gives every logged-in user the steps of the workflows they can have tasks in, keys and labels only, in the files’ order', async () => {
    const files = new Map(seedFiles().map((d) => [d.key, d]));
    const officer = await t.http.get('/api/workflows/steps').set(await as('ts-officer'));
    expect(officer.status).toBe(200);
    // Every workflow with an officer's step (relief-visit was published above); not the
    // supervisors' and reviewers' accountability interview and rectification.
    expect(officer.body.map((w: { key: string }) => w.key)).toEqual(['disaster-reentry', 'objection-investigation', 'poverty-entry', 'poverty-exit', 'relief-visit']);
    for (const workflow of officer.body as { key: string; label: string; labelEn: string | null; steps: unknown[] }[]) {
      if (workflow.key === 'relief-visit') continue;
      const file = files.get(workflow.key)!;
      // All of its task steps, the county's and city's too (a colleague may add the officer as a signer).
      expect(workflow).toEqual({ key: file.key, label: file.label, labelEn: file.labelEn ?? null, steps: taskSteps(file) });
    }
    expect(officer.body.find((w: { key: string }) => w.key === 'poverty-entry').steps.slice(0, 3)).toEqual([
      { key: 'propose', label: '拟选对象', labelEn: expect.any(String) },
      { key: 'support', label: '精准扶持', labelEn: expect.any(String) },
      { key: 'appraisal', label: '民主评议', labelEn: expect.any(String) },
    ]);

    const supervisor = (await t.http.get('/api/workflows/steps').set(await as('jm-supervisor'))).body;
    expect(supervisor.map((w: { key: string }) => w.key)).toEqual(['accountability-interview', 'rectification']);
    expect((await t.http.get('/api/workflows/steps').set(await as('auditor'))).body).toEqual([]);
    expect((await t.http.get('/api/workflows/steps')).status).toBe(401);
  });

  it('GET /api/workflows/steps keeps the steps of an older version while cases still run on it', async () => {
    const admin = await as('admin');
    // Version 3 renames the step: the cases on versions 1 and 2 are still at 入户走访.
    const renamed = RELIEF_VISIT.replace('version: 1', 'version: 3').replace(/  visit:\n    label: 入户走访/, '  homeVisit:\n    label: 上门走访').replace('initial: visit', 'initial: homeVisit');
    expect((await t.http.put('/api/workflows/relief-visit/draft').set(admin).send({ format: 'yaml', source: renamed })).status).toBe(200);
    expect((await t.http.post('/api/workflows/relief-visit/draft/validate').set(admin)).body).toMatchObject({ status: 'validated' });
    expect((await t.http.post('/api/workflows/relief-visit/draft/publish').set(admin)).status).toBe(201);
    const relief = (await t.http.get('/api/workflows/steps').set(await as('ts-officer'))).body.find((w: { key: string }) => w.key === 'relief-visit');
    expect(relief.steps).toEqual([
      { key: 'homeVisit', label: '上门走访', labelEn: 'Home visit' },
      { key: 'visit', label: '入户走访', labelEn: 'Home visit' },
    ]);
  });
});

describe('a database whose definitions were stored as jsonb', () => {
  it('gets each version’s author order back at start-up from the version’s own source; no checksum, audit or history hash changes', async () => {
    const first = await createTestApp({ now: MONDAY, keepDatabase: true });
    let firstOpen = true;
    let second: TestApp | undefined;
    try {
      const driver = new CaseDriver(first);
      const admin = { Authorization: `Bearer ${await driver.token('admin')}` };
      // Versions from a file (the seeds), a YAML draft and a BPMN drawing.
      await first.http.put('/api/workflows/relief-visit/draft').set(admin).send({ format: 'yaml', source: RELIEF_VISIT });
      await first.http.post('/api/workflows/relief-visit/draft/validate').set(admin);
      expect((await first.http.post('/api/workflows/relief-visit/draft/publish').set(admin)).status).toBe(201);
      const drawing = (await first.http.get('/api/workflows/relief-visit/export?format=bpmn').set(admin)).text;
      await first.http.put('/api/workflows/relief-visit/draft').set(admin).send({ format: 'bpmn', source: drawing });
      await first.http.post('/api/workflows/relief-visit/draft/validate').set(admin);
      expect((await first.http.post('/api/workflows/relief-visit/draft/publish').set(admin)).status).toBe(201);
      const entryCase = await driver.start('ts-officer', 'poverty-entry', HOUSEHOLD);
      const visitCase = await driver.start('ts-officer', 'relief-visit', { householdName: '走访户' });

      // The database as it was before json: the column back to jsonb, then the upgrade's migration.
      const runner = first.dataSource.createQueryRunner();
      try {
        const migration = new DefinitionKeyOrder1795913952309();
        await migration.down(runner);
        await migration.up(runner);
      } finally {
        await runner.release();
      }
      // One version whose source no longer reads as its definition (as if the reader had changed).
      await first.dataSource.query(`UPDATE workflow_definitions SET source = replace(source, 'label: 限期整改\n', 'label: 限期整改（新）\n') WHERE key = 'rectification'`);
      const before: { id: string; key: string; version: number; checksum: string; text: string }[] = await first.dataSource.query(
        `SELECT id, key, version, checksum, definition::text AS text FROM workflow_definitions ORDER BY key, version`,
      );
      // The order is lost, as jsonb left it.
      expect(before.every((row) => inJsonbKeyOrder(JSON.parse(row.text)))).toBe(true);
      const hashes = await first.dataSource.query(`SELECT case_id, seq, hash FROM case_history ORDER BY case_id, seq`);
      const audit = await first.dataSource.query(`SELECT * FROM audit_log ORDER BY id`);
      await first.close();
      firstOpen = false;

      // The restart after the upgrade.
      second = await createTestApp({ now: MONDAY, databaseUrl: first.config.databaseUrl });
      const again = new CaseDriver(second);
      const officer = { Authorization: `Bearer ${await again.token('ts-officer')}` };

      const after: { id: string; key: string; version: number; checksum: string; definition: WorkflowDefinition; text: string }[] = await second.dataSource.query(
        `SELECT id, key, version, checksum, definition, definition::text AS text FROM workflow_definitions ORDER BY key, version`,
      );
      const files = new Map(seedFiles().map((d) => [d.key, d]));
      const { definition: written } = loadDefinition(RELIEF_VISIT, 'relief-visit.yaml', 'yaml');
      for (const row of after) {
        const old = before.find((b) => b.id === row.id)!;
        // Same content: the checksum recorded at publishing still identifies it.
        expect([row.key, row.checksum]).toEqual([row.key, old.checksum]);
        expect(definitionChecksum(row.definition)).toBe(row.checksum);
        if (row.key === 'rectification') {
          expect(row.text).toBe(old.text); // left as it was
        } else if (files.has(row.key)) {
          expect([row.key, JSON.stringify(row.definition)]).toEqual([row.key, JSON.stringify(files.get(row.key))]);
        }
      }
      const relief = after.filter((row) => row.key === 'relief-visit');
      expect(relief.map((row) => row.version)).toEqual([1, 2]);
      expect(JSON.stringify(relief[0].definition)).toBe(JSON.stringify(written));
      expect(Object.keys(relief[1].definition.steps.visit.actions!.record.fields!)).toEqual(RECORD_ORDER);

      // Through the API, as the case page reads it.
      const view = (await second.http.get(`/api/cases/${visitCase.id}`).set(officer)).body;
      expect(Object.keys(formOf(view, 'visit', 'record'))).toEqual(RECORD_ORDER);
      expect(Object.keys(formOf(view, 'visit', 'record').members.columns!)).toEqual(COLUMN_ORDER);
      const entry = (await second.http.get(`/api/cases/${entryCase.id}/definition`).set(officer)).body.definition;
      expect(JSON.stringify(entry)).toBe(JSON.stringify(files.get('poverty-entry')));

      // Audited, by the system, once per restored version; the rows written before are untouched.
      const restored = await second.dataSource.query(`SELECT actor_id, target_id, details FROM audit_log WHERE kind = 'definition.key-order-restored' ORDER BY target_id`);
      expect(restored.map((r: { target_id: string }) => r.target_id)).toEqual(before.filter((b) => b.key !== 'rectification').map((b) => `${b.key}@${b.version}`).sort());
      expect(restored.every((r: { actor_id: string | null; details: { checksum: string } }) => r.actor_id === null && typeof r.details.checksum === 'string')).toBe(true);
      expect((await second.dataSource.query(`SELECT * FROM audit_log ORDER BY id`)).slice(0, audit.length)).toEqual(audit);
      // The histories' hash chains: the same rows, still valid.
      expect(await second.dataSource.query(`SELECT case_id, seq, hash FROM case_history ORDER BY case_id, seq`)).toEqual(hashes);
      for (const id of [entryCase.id, visitCase.id]) {
        expect((await second.http.get(`/api/cases/${id}/history/verify`).set(officer)).body).toMatchObject({ valid: true, replayMatches: true });
      }

      // Another start finds nothing to restore and writes nothing.
      expect(await second.app.get(DefinitionsService).restoreKeyOrder()).toBe(0);
      expect(await second.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE kind = 'definition.key-order-restored'`)).toEqual([{ n: restored.length }]);
    } finally {
      if (firstOpen) await first.close();
      if (second) await second.close();
      else await dropDatabase(first.config.databaseUrl);
    }
  });
});
