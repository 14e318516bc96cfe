import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BpmnModdle } from 'bpmn-moddle';
import { importBpmn, type BpmnImport } from '../../../src/engine/bpmn-import.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';
import { sharedBpmnFolder } from '../../support/shared-bpmn.js';
import { approver, CaseDriver, DAY, plus, reviewer, START, system, TAISHAN_VILLAGE } from '../../support/engine-fixtures.js';
import type { Actor } from '../../../src/engine/workflow-machine.js';

const SHARED = sharedBpmnFolder();

/**
 * What each shared file gives: none is in the subset the engine runs, so each is
 * rejected, and these are the elements named at the start of its errors (type and id).
 */
const REJECTED: Record<string, string[]> = {
  'bpmn-engine/boundary-timeout.bpmn': [
    'bpmn:BoundaryEvent boundTimeoutEvent',
    'bpmn:EndEvent end',
    'bpmn:ParallelGateway join',
  ],
  'bpmn-engine/call-activity.bpmn': [
    'bpmn:Participant Participant_1jbnoy7',
  ],
  'bpmn-engine/lanes.bpmn': [
    'bpmn:EndEvent mainEndEvent',
    'bpmn:IntermediateCatchEvent intermediate',
    'bpmn:MessageFlow fromCompleteTaskMessageFlow',
    'bpmn:MessageFlow fromMainTaskMessageFlow',
    'bpmn:Participant lane2',
    'bpmn:Task task1',
  ],
  'bpmn-engine/multiple-joins.bpmn': [
    'bpmn:EndEvent theEnd',
    'bpmn:ParallelGateway join1',
    'bpmn:ParallelGateway join2',
    'bpmn:ScriptTask scriptTask1',
    'bpmn:ScriptTask scriptTask2',
    'bpmn:SequenceFlow flow1',
    'bpmn:SequenceFlow flow7',
  ],
  'miwg/A.1.0.bpmn': [
    'bpmn:EndEvent _a47df184-085b-49f7-bb82-031c84625821',
    'bpmn:Task _820c21c0-45f3-473b-813f-06381cc637cd',
    'bpmn:Task _e70a6fcb-913c-4a7b-a65d-e83adc73d69c',
    'bpmn:Task _ec59e164-68b4-4f94-98de-ffb1c58a84af',
  ],
  'miwg/A.2.0.bpmn': [
    'bpmn:EndEvent _258f51eb-b764-4a71-b681-3a01cca14143',
    'bpmn:ExclusiveGateway _33c66216-391c-49c2-aa19-d8f0b7f5f91d',
    'bpmn:ExclusiveGateway _35fe57a7-1302-44e2-bf58-032f11af7ecb',
    'bpmn:Task _4f7d62d7-f0e6-46bc-be00-69e02da38f65',
    'bpmn:Task _5a972b87-735d-454a-b31c-f52fb3afc5c7',
    'bpmn:Task _7d399717-1aba-47ac-8d7d-8aaa033255e0',
    'bpmn:Task _e6eb725a-34bc-45c7-aed0-9f9596cd7bee',
  ],
  'miwg/A.3.0.bpmn': [
    'bpmn:EndEvent _10ce0b26-1b3e-46a2-85a5-62538ed2da13',
    'bpmn:EndEvent _ce253897-4300-4b24-b71f-4c9535698c70',
    'bpmn:SubProcess _1ae31d1b-2559-4f78-a3ec-47986a49db48',
    'bpmn:Task _2d2d0d29-896f-49f9-8109-77a7304309c5',
    'bpmn:Task _65f5459f-44ae-436d-a089-a91d6d78075b',
    'bpmn:Task _72204cd7-709c-4656-9554-3ae29b3844ce',
    'bpmn:Task _9fad8da5-a28c-4b6b-bb71-fbd5c65b9681',
  ],
  'miwg/C.1.1.bpmn': [
    'bpmn:DataObject Bpmn_DataObject_WUfQYrH1EeSuDf0W70XLGw',
    'bpmn:DataObject Bpmn_DataObject_aT_L0rH1EeSuDf0W70XLGw',
    'bpmn:DataObject Bpmn_DataObject_approver',
    'bpmn:DataObjectReference Bpmn_DataObjectReference_YGA4YLH1EeSuDf0W70XLGw',
    'bpmn:DataObjectReference Bpmn_DataObjectReference_assignApprover',
    'bpmn:DataObjectReference Bpmn_DataObjectReference_cdsDQLH1EeSuDf0W70XLGw',
    'bpmn:EndEvent invoiceProcessed',
    'bpmn:SequenceFlow invoiceApproved',
    'bpmn:SequenceFlow invoiceNotApproved',
    'bpmn:SequenceFlow reviewNotSuccessful',
    'bpmn:SequenceFlow reviewSuccessful',
    'bpmn:ServiceTask archiveInvoice',
    'bpmn:UserTask approveInvoice',
    'bpmn:UserTask assignApprover',
    'bpmn:UserTask prepareBankTransfer',
    'bpmn:UserTask reviewInvoice',
  ],
  'miwg/C.4.0.bpmn': [
    'bpmn:DataStoreReference _f00a95f6-043e-4ec1-8731-153a707e950c',
    'bpmn:EndEvent _36baf139-fb74-43ef-8936-d490238c2825',
    'bpmn:ExclusiveGateway _f9e3cd76-809a-48b5-be1c-e84fc4324268',
    'bpmn:IntermediateCatchEvent _74e2cc7b-99ca-426b-ad53-ad70a56506aa',
    'bpmn:IntermediateCatchEvent _db9147a9-7fbc-4657-a506-15e777f2cfd9',
    'bpmn:IntermediateCatchEvent _fe77c2f2-278f-4752-9d03-aa0c8a12af1e',
    'bpmn:IntermediateThrowEvent _855451b0-5298-48b2-a81d-84ecbcca0a85',
    'bpmn:ParallelGateway _19808f32-dfb5-462d-aaa6-e662f9932dba',
    'bpmn:ParallelGateway _80f70d22-fb42-403f-8bdb-6805e9467bb7',
    'bpmn:Participant _1422af8d-518b-49f1-9563-9b6939de2818',
    'bpmn:Participant _b5172765-a1c1-4c6e-8e57-9eabaf8cecdf',
    'bpmn:Participant _fab40827-7808-470a-93b6-4a3318bf0c0e',
    'bpmn:SequenceFlow _71b2c3f1-0d34-4cfb-956c-cedf83660dfb',
    'bpmn:UserTask _351b058e-c37c-4fb7-9d32-24075f53ce02',
    'bpmn:UserTask _52401cbb-02b8-4eaf-84f1-1edbc0854a4a',
    'bpmn:UserTask _aa275782-c989-49ba-bf94-c58916ca7bb5',
  ],
  'miwg/C.5.0.bpmn': [
    'bpmn:CallActivity _b9338c62-a257-47dd-8c2e-88b80b73c330',
    'bpmn:DataObject _0fa2af52-a3d6-4be6-9ecc-9fad8ca4d448',
    'bpmn:DataObject _79993b0e-60c2-487b-a12e-0cbecc2ef5c1',
    'bpmn:DataObjectReference _4257e72e-9c36-4832-8134-b68b8919de7e',
    'bpmn:DataObjectReference _4f982ccc-c9e4-43b1-832e-b82992d4d400',
    'bpmn:DataObjectReference _be9fc840-d916-4495-9061-989af6035030',
    'bpmn:DataObjectReference _dca1cc5b-74a4-453f-8ad2-61609dde35ff',
    'bpmn:DataObjectReference _dd653cc9-c874-4cfe-ba6c-146726809ea5',
    'bpmn:DataObjectReference _e0b6d1fe-4ddf-4e22-b84c-6d676afb389a',
    'bpmn:DataStoreReference _66f4a1ff-fd8a-4002-ade7-7a4d1b1d529c',
    'bpmn:DataStoreReference _c5285566-0657-47c5-a7ad-d09e144377f3',
    'bpmn:DataStoreReference _ffd44905-4f54-4fe0-a156-0312c2a7a3cc',
    'bpmn:EndEvent _1cf552d4-5152-4595-9218-84f31533bc70',
    'bpmn:EndEvent _8055ae64-cafd-4fd0-be36-2216e3b02e37',
    'bpmn:ExclusiveGateway _000a0565-911b-4f71-9993-1177021edd97',
    'bpmn:ExclusiveGateway _138f9ebc-0211-4051-b7c0-1c55695d5246',
    'bpmn:ExclusiveGateway _5f56934b-8a7e-4c35-b9f7-bf2605711bfd',
    'bpmn:ExclusiveGateway _a393c065-4412-4b16-b04f-52d07e76b518',
    'bpmn:ExclusiveGateway _a4936291-3787-404c-bec7-8a3f3c5fd6e5',
    'bpmn:Process _774bc005-0917-43d5-ab70-0f9fe123fbd1',
    'bpmn:Task _1da34f39-8338-4ecb-a93f-90349fa10260',
    'bpmn:UserTask _09074897-556d-4fd2-afb6-2f6c774e1820',
    'bpmn:UserTask _17db66a1-badd-4942-9ebd-02bc5595cdde',
    'bpmn:UserTask _1fc87527-9cad-4f8e-b9c7-ebe106cbe98d',
    'bpmn:UserTask _2fd5c7d3-797d-45a5-a0d8-dfa60654ba5e',
    'bpmn:UserTask _664f14a9-c1f1-490a-bbec-1f66ba4e7fe4',
    'bpmn:UserTask _87785f46-7026-4d3c-b2c0-6a9468da67f6',
    'bpmn:UserTask _9c5d383f-df57-4012-b490-fa36f9f90eed',
    'bpmn:UserTask _a73027a7-615e-4a4d-95ee-c4cd78ab30c4',
    'bpmn:UserTask _b360104e-8410-4b99-827a-776e2083fb96',
    'bpmn:UserTask _be6ea91a-4f8e-4240-86e8-f85036aee96f',
    'bpmn:UserTask _d22de266-6170-4783-91f9-40832e4cc58d',
    'bpmn:UserTask _f006114d-c7cb-4ce0-9bfe-f0938c36a53e',
    'bpmn:UserTask _f0422f0d-396b-4ee7-ad83-fdd34a8bab71',
  ],

};

/** The flow elements of a file as bpmn-moddle reads it, independently of the import: every process's, pools and message flows. */
async function flowElementsOf(xml: string): Promise<{ type: string; id: string }[]> {
  const { rootElement } = await new BpmnModdle().fromXML(xml);
  const found: { type: string; id: string }[] = [];
  const walk = (elements: { $type: string; id?: string; flowElements?: unknown[] }[]) => {
    for (const element of elements) {
      if (element.id !== undefined) found.push({ type: element.$type, id: element.id });
      walk((element.flowElements ?? []) as typeof elements);
    }
  };
  for (const root of (rootElement.rootElements ?? []) as { $type: string; flowElements?: unknown[]; participants?: unknown[]; messageFlows?: unknown[] }[]) {
    if (root.$type === 'bpmn:Process') walk((root.flowElements ?? []) as never);
    if (root.$type === 'bpmn:Collaboration') walk([...(root.participants ?? []), ...(root.messageFlows ?? [])] as never);
  }
  return found;
}

/** The elements named at the start of the import's errors: `bpmn:Type id`. */
function rejectedElements(result: BpmnImport): string[] {
  const named = result.issues
    .filter((issue) => issue.severity === 'error')
    .map((issue) => /^(bpmn:\w+) '([^']+)'/.exec(issue.message))
    .map((match) => (match ? `${match[1]} ${match[2]}` : '(an error naming no element)'));
  return [...new Set(named)].sort();
}

/** What a dotted path of `elements` points at in the definition. */
function at(definition: WorkflowDefinition, path: string): unknown {
  if (path === '') return definition;
  return path.split('.').reduce<unknown>((value, segment) => (value as Record<string, unknown> | undefined)?.[segment], definition);
}

/**
 * Nothing is lost silently: every flow element of the file became part of the definition
 * (and the path it went to exists there) or is named in an issue.
 */
async function expectEveryElementAccountedFor(xml: string, result: BpmnImport): Promise<void> {
  const lost = [];
  for (const { type, id } of await flowElementsOf(xml)) {
    const path = result.elements[id];
    const named = result.issues.some((issue) => issue.message.includes(`'${id}'`));
    if (path !== undefined && result.definition) expect({ id, found: at(result.definition, path) !== undefined }).toEqual({ id, found: true });
    if (path === undefined && !named) lost.push(`${type} ${id}`);
  }
  expect(lost).toEqual([]);
}

describe('importBpmn: the BPMN files of public projects (shared/bpmn)', () => {
  it('finds the shared folder and expects an outcome for every file in it', () => {
    if (!SHARED) {
      console.log('shared/bpmn is absent (a fresh clone without shared/): the BPMN files of public projects are not checked');
      return;
    }
    const files = readdirSync(SHARED, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.bpmn$/.test(file))
      .map((file) => file.split('\\').join('/'))
      .sort();
    expect(files).toEqual(Object.keys(REJECTED).sort());
  });

  it.each(Object.keys(REJECTED))('%s: is rejected with the list of unsupported elements, none lost silently', async (file) => {
    if (!SHARED) {
      console.log(`shared/bpmn is absent: ${file} is not checked`);
      return;
    }
    const xml = readFileSync(join(SHARED, file), 'utf8');
    const result = await importBpmn(xml, file);
    expect(result.definition).toBeUndefined();
    expect(rejectedElements(result)).toEqual(REJECTED[file]);
    // Each error is located in the file.
    for (const issue of result.issues.filter((i) => i.severity === 'error')) expect(issue.line).toEqual(expect.any(Number));
    await expectEveryElementAccountedFor(xml, result);
  });

  it('says why, where and what goes with an unsupported element', async () => {
    if (!SHARED) return console.log('shared/bpmn is absent: not checked');
    const file = join(SHARED, 'bpmn-engine', 'multiple-joins.bpmn');
    const result = await importBpmn(readFileSync(file, 'utf8'), 'multiple-joins.bpmn');
    expect(result.issues).toContainEqual({
      file: 'multiple-joins.bpmn',
      path: '',
      severity: 'error',
      line: 45,
      column: 5,
      message:
        "bpmn:ScriptTask 'scriptTask1' is not supported: the engine runs no scripts: only people act (user tasks); not imported either: bpmn:SequenceFlow 'scriptFlow', bpmn:SequenceFlow 'flow2'",
    });
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        line: 23,
        message: expect.stringContaining("bpmn:SequenceFlow 'flow7': a condition in JavaScript is not supported: conditions are JSON in the closed expression language"),
      }),
    );
  });
});

// ---------------------------------------------------------------------------
// A definition drawn in BPMN
// ---------------------------------------------------------------------------

const FIXTURE = 'tests/fixtures/temporary-relief.bpmn';

async function temporaryRelief(): Promise<BpmnImport> {
  return importBpmn(readFileSync(FIXTURE, 'utf8'), FIXTURE);
}

describe('importBpmn: 临时救助 drawn in a modeler (tests/fixtures/temporary-relief.bpmn)', () => {
  it('imports and validates, with the validator\'s warnings located at the elements', async () => {
    const result = await temporaryRelief();
    expect(result.definition).toBeDefined();
    expect(result.issues).toEqual([
      expect.objectContaining({ severity: 'warning', line: 89, path: 'steps.checks.regions.village.steps.villageAppraisal', message: expect.stringContaining('task step has no deadline') }),
      expect.objectContaining({ severity: 'warning', line: 101, path: 'steps.checks.regions.toCivilAffairs.steps.civilAffairsCheck', message: expect.stringContaining('task step has no deadline') }),
      expect.objectContaining({ severity: 'warning', line: 177, path: 'steps.cityApproval.deadline', message: expect.stringContaining('deadline has no escalation') }),
    ]);
    expect(readFileSync(FIXTURE, 'utf8').split('\n')[88]).toContain('<bpmn:userTask id="villageAppraisal"');
    expect(readFileSync(FIXTURE, 'utf8').split('\n')[176]).toContain('<bpmn:boundaryEvent id="approvalTimer"');
    await expectEveryElementAccountedFor(readFileSync(FIXTURE, 'utf8'), result);
  });

  it('maps the process, the start event and the lanes', async () => {
    const definition = (await temporaryRelief()).definition!;
    expect(definition).toMatchObject({
      key: 'temporary-relief',
      version: 1,
      label: '临时救助审批',
      labelEn: 'Temporary relief approval',
      titleField: 'householdName',
      initial: 'checks',
    });
    expect(definition.description).toMatch(/^A household hit by a sudden hardship/);
    // The start event lies in the lane officer@town.
    expect(definition.start.role).toBe('officer');
    expect(definition.start.level).toBe('town');
    expect(Object.keys(definition.start.fields!)).toEqual(['householdName', 'amount', 'hardship', 'reason']);
    expect(definition.start.fields!.amount).toEqual({ type: 'number', label: '申请金额（元）', labelEn: 'Amount applied for (yuan)', required: true, min: 0, max: 20000 });
    expect(definition.start.fields!.hardship).toEqual({
      type: 'enum',
      label: '困难类型',
      labelEn: 'Hardship',
      required: true,
      options: ['illness', 'accident', 'disaster'],
      optionLabels: { illness: '重大疾病', accident: '意外事故', disaster: '自然灾害' },
    });
    expect(Object.keys(definition.steps)).toEqual(['checks', 'countyReview', 'cityApproval', 'approved', 'rejected']);
  });

  it('makes the parallel split and join a parallel step whose branches are regions', async () => {
    const { checks } = (await temporaryRelief()).definition!.steps;
    expect(checks).toEqual({
      label: '联合核查',
      type: 'parallel',
      onDone: 'countyReview',
      regions: {
        // A region key from fupin:region; the appraisal runs straight into the join, so its
        // region's final step is made up.
        village: {
          label: '村级评议',
          labelEn: 'Village appraisal',
          initial: 'villageAppraisal',
          steps: {
            villageAppraisal: {
              label: '村级民主评议',
              role: 'officer',
              level: 'village', // the lane officer@village
              actions: {
                pass: {
                  label: '评议通过',
                  kind: 'approve',
                  target: 'villageDone',
                  fields: { minutes: { type: 'text', label: '评议记录', labelEn: 'Minutes', required: true } },
                },
              },
            },
            villageDone: { label: '村级评议完成', type: 'final' },
          },
        },
        // No fupin:region: the key is the flow's id; a plain intermediate event before the join is the final step.
        toCivilAffairs: {
          label: '民政核查',
          initial: 'civilAffairsCheck',
          steps: {
            civilAffairsCheck: {
              label: '民政部门核查',
              role: 'reviewer', // camunda:candidateGroups="reviewer@county"
              level: 'county',
              actions: {
                checkPassed: { label: '核查属实', kind: 'submit', target: 'civilAffairsDone' },
                checkFailed: {
                  label: '不符合救助条件',
                  kind: 'reject',
                  target: 'rejected',
                  fields: { finding: { type: 'text', label: '核查结论', labelEn: 'Finding', required: true } },
                },
              },
            },
            civilAffairsDone: { label: '民政核查完成', type: 'final' },
          },
        },
      },
    });
  });

  it('makes a flow into an exclusive gateway an action with branches, conditions in the expression language, the default last', async () => {
    const { countyReview } = (await temporaryRelief()).definition!.steps;
    expect(countyReview.role).toBe('reviewer'); // potentialOwner reviewer@county
    expect(countyReview.level).toBe('county');
    expect(countyReview.actions!.decide).toEqual({
      label: '审核通过',
      kind: 'decide',
      branches: [
        { when: { '>': [{ var: 'data.amount' }, 3000] }, target: 'cityApproval', label: '超过3000元' },
        { target: 'approved', label: '3000元以内' },
      ],
      fields: { opinion: { type: 'text', label: '审核意见', labelEn: 'Opinion' } },
    });
    // Through the merge before the split, back into the parallel checks.
    expect(countyReview.actions!.sendBack).toEqual({
      label: '退回重新核查',
      kind: 'return',
      target: 'checks',
      fields: { reason: { type: 'text', label: '退回原因', labelEn: 'Reason', required: true } },
    });
  });

  it('makes timer boundary events deadlines: working days through fupin:deadline, an escalation event a rung, an interrupting timer the system action onExpire', async () => {
    const { countyReview, cityApproval, approved, rejected } = (await temporaryRelief()).definition!.steps;
    expect(countyReview.deadline).toEqual({
      duration: '5wd',
      reminderBefore: '1wd',
      escalation: [{ after: '0wd', notify: { role: 'supervisor', level: 'county' } }],
    });
    expect(cityApproval.deadline).toEqual({ duration: 'P10D', onExpire: 'autoApprove' });
    expect(cityApproval.actions).toEqual({
      approve: {
        label: '批准',
        kind: 'approve',
        target: 'approved',
        fields: { approvedAmount: { type: 'number', label: '批准金额（元）', labelEn: 'Amount approved (yuan)', required: true, min: 0 } },
        guard: { '<=': [{ var: 'data.approvedAmount' }, { var: 'data.amount' }] },
        guardMessage: '批准金额不能超过申请金额',
      },
      deny: { label: '不予批准', kind: 'reject', target: 'rejected' },
      autoApprove: { label: '逾期视为同意', kind: 'complete', target: 'approved', system: true },
    });
    expect(approved).toEqual({ label: '已批准', type: 'final', status: 'approved' });
    expect(rejected).toEqual({ label: '不予救助', type: 'final' });
  });

  it('runs a case to the end: both checks, the county decides, more than 3000 yuan goes to the city', () => {
    return temporaryRelief().then(({ definition }) => {
      const workflow = compileWorkflow(definition!);
      const villageOfficer: Actor = { kind: 'user', id: 'officer-village', roles: ['officer'], jurisdictionCode: TAISHAN_VILLAGE };
      const relief = { householdName: '李大福', amount: 5000, hardship: 'illness', reason: '重病住院' };
      const c = CaseDriver.start(workflow, relief);
      c.act(villageOfficer, 'pass', { minutes: '村民代表会议同意' });
      c.act(reviewer, 'checkPassed', {});
      c.act(reviewer, 'decide', { opinion: '情况属实' });
      expect(c.snapshot.value).toBe('cityApproval');
      c.act(approver, 'approve', { approvedAmount: 4000 });
      expect(c.snapshot.status).toBe('done');
      expect(c.last.effects).toContainEqual({ type: 'caseFinished', step: 'approved', status: 'approved' });

      // 3000 yuan or less: the county's approval ends it.
      const small = CaseDriver.start(workflow, { ...relief, amount: 2000 });
      small.act(reviewer, 'checkPassed', {});
      small.act(villageOfficer, 'pass', { minutes: '同意' });
      small.act(reviewer, 'decide', {});
      expect(small.last.effects).toContainEqual({ type: 'caseFinished', step: 'approved', status: 'approved' });

      // The city says nothing for ten days: the timer's system action approves.
      const silent = CaseDriver.start(workflow, { ...relief, amount: 8000 });
      silent.act(reviewer, 'checkPassed', {});
      silent.act(villageOfficer, 'pass', { minutes: '同意' });
      silent.act(reviewer, 'decide', {});
      silent.act(system, 'autoApprove', {}, { now: plus(START, 14 * DAY) });
      expect(silent.last.effects).toContainEqual({ type: 'caseFinished', step: 'approved', status: 'approved' });
    });
  });
});

// ---------------------------------------------------------------------------
// Mapping rules, on small processes
// ---------------------------------------------------------------------------

/** A process `small` around the given elements, each element on its own line from line 5 on. */
function bpmn(...elements: string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    '    xmlns:fupin="https://fupin-flow.example/schema/bpmn" id="d" targetNamespace="https://example.org">',
    '  <bpmn:process id="small" name="小流程" isExecutable="true">',
    ...elements.map((element) => `    ${element}`),
    '  </bpmn:process>',
    '</bpmn:definitions>',
  ].join('\n');
}

const START_EVENT = '<bpmn:startEvent id="begin"><bpmn:extensionElements><fupin:start role="officer" level="town" /></bpmn:extensionElements></bpmn:startEvent>';
const flow = (id: string, from: string, to: string, inner = '') => `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}">${inner}</bpmn:sequenceFlow>`;
const userTask = (id: string, who: string, inner = '') =>
  `<bpmn:userTask id="${id}" name="${id}"><bpmn:extensionElements><fupin:step role="${who.split('@')[0]}" level="${who.split('@')[1]}" /></bpmn:extensionElements>${inner}</bpmn:userTask>`;
const kind = (key: string, actionKind: string) => `<bpmn:extensionElements><fupin:action key="${key}" kind="${actionKind}" /></bpmn:extensionElements>`;

describe('importBpmn: mapping rules', () => {
  it('makes a multi-instance user task a countersign: no completion condition is all, one completion any, a share of approvals ratio', async () => {
    const vote = (id: string, loop: string) => [
      `<bpmn:userTask id="${id}" name="会签"><bpmn:extensionElements><fupin:step role="reviewer" level="county" /></bpmn:extensionElements>${loop}</bpmn:userTask>`,
      flow(`${id}Yes`, id, 'done', kind('approve', 'approve')),
      flow(`${id}No`, id, 'done', kind('return', 'return')),
    ];
    const xml = bpmn(
      START_EVENT,
      flow('f0', 'begin', 'all'),
      ...vote('all', '<bpmn:multiInstanceLoopCharacteristics />').slice(0, 1),
      flow('allYes', 'all', 'any', kind('approve', 'approve')),
      flow('allNo', 'all', 'done', kind('return', 'return')),
      '<bpmn:userTask id="any" name="或签"><bpmn:extensionElements><fupin:step role="reviewer" level="county" /></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${nrOfCompletedInstances &gt;= 1}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>',
      flow('anyYes', 'any', 'ratio', kind('approve', 'approve')),
      flow('anyNo', 'any', 'done', kind('reject', 'reject')),
      '<bpmn:userTask id="ratio" name="票签"><bpmn:extensionElements><fupin:step role="reviewer" level="county"><fupin:countersign approve="agree" reject="disagree" /></fupin:step></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${nrOfApprovals / nrOfInstances &gt;= 0.6}</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>',
      flow('ratioYes', 'ratio', 'done', kind('agree', 'approve')),
      flow('ratioNo', 'ratio', 'done', kind('disagree', 'reject')),
      '<bpmn:endEvent id="done" />',
    );
    const result = await importBpmn(xml, 'votes.bpmn');
    expect(result.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    const { steps } = result.definition!;
    expect(steps.all.countersign).toEqual({ mode: 'all', approve: 'approve', reject: 'return' });
    expect(steps.any.countersign).toEqual({ mode: 'any', approve: 'approve', reject: 'reject' });
    expect(steps.ratio.countersign).toEqual({ mode: 'ratio', ratio: 0.6, approve: 'agree', reject: 'disagree' });
    // Our countersign's voters vote at the same time: a sequential one is read as such, with a warning.
    expect(result.issues).toContainEqual(
      expect.objectContaining({ severity: 'warning', line: 10, message: expect.stringContaining("bpmn:UserTask 'any': sequential multi-instance is read as a countersign") }),
    );
  });

  it('reports an unsupported element at its line and column, with its flows, and imports nothing', async () => {
    const xml = bpmn(
      START_EVENT,
      flow('f0', 'begin', 'notify'),
      '<bpmn:sendTask id="notify" name="发通知" />',
      flow('f1', 'notify', 'done'),
      '<bpmn:endEvent id="done" />',
    );
    const result = await importBpmn(xml, 'send.bpmn');
    expect(result.definition).toBeUndefined();
    expect(result.issues).toEqual([
      {
        file: 'send.bpmn',
        path: '',
        severity: 'error',
        line: 7,
        column: 5,
        message:
          "bpmn:SendTask 'notify' is not supported: the engine sends no messages from the process (notices go out by themselves); not imported either: bpmn:SequenceFlow 'f0', bpmn:SequenceFlow 'f1'",
      },
      { file: 'send.bpmn', path: '', severity: 'error', line: 9, column: 5, message: "bpmn:EndEvent 'done' is not supported: it is reached only through elements that are not supported" },
    ]);
  });

  it("locates the validator's errors at the BPMN element their path came from", async () => {
    const xml = bpmn(
      START_EVENT,
      flow('f0', 'begin', 'review'),
      '<bpmn:userTask id="review" name="审核" />',
      flow('approve', 'review', 'done', kind('approve', 'approve')),
      '<bpmn:endEvent id="done" />',
    );
    const result = await importBpmn(xml, 'norole.bpmn');
    expect(result.definition).toBeUndefined();
    expect(result.issues).toContainEqual(
      expect.objectContaining({ severity: 'error', path: 'steps.review', line: 7, column: 5, message: expect.stringContaining("a task step needs a 'role'") }),
    );
  });

  it('refuses a flow that leaves a parallel branch for a step outside it (not well-nested)', async () => {
    const xml = bpmn(
      START_EVENT,
      flow('f0', 'begin', 'split'),
      '<bpmn:parallelGateway id="split" />',
      flow('r1', 'split', 'a'),
      flow('r2', 'split', 'b'),
      userTask('a', 'officer@town'),
      flow('aDone', 'a', 'join'),
      userTask('b', 'officer@town'),
      flow('bDone', 'b', 'join'),
      flow('bSkip', 'b', 'after'),
      '<bpmn:parallelGateway id="join" />',
      flow('f3', 'join', 'after'),
      userTask('after', 'reviewer@county'),
      flow('f4', 'after', 'done'),
      '<bpmn:endEvent id="done" />',
    );
    const result = await importBpmn(xml, 'escape.bpmn');
    expect(result.definition).toBeUndefined();
    expect(rejectedElements(result)).toEqual(['bpmn:SequenceFlow bSkip']);
    expect(result.issues[0]).toMatchObject({
      line: 14,
      message: expect.stringContaining(
        "bpmn:SequenceFlow 'bSkip' crosses the boundary of the parallel block of 'split': 'after' is reached by it and also by bpmn:SequenceFlow 'f3'",
      ),
    });
  });

  it('makes a call activity a call step, its outcomes through a decision on child.status', async () => {
    const xml = bpmn(
      START_EVENT,
      flow('f0', 'begin', 'investigate'),
      '<bpmn:callActivity id="investigate" name="立案调查" calledElement="accountability-interview"><bpmn:extensionElements><fupin:step><fupin:input name="reason">{"var":"data.objection"}</fupin:input></fupin:step></bpmn:extensionElements></bpmn:callActivity>',
      flow('f1', 'investigate', 'outcome'),
      '<bpmn:exclusiveGateway id="outcome" default="otherwise" />',
      flow(
        'upheld',
        'outcome',
        'redo',
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{"==": [{"var": "child.status"}, "referred"]}</bpmn:conditionExpression>',
      ),
      flow('otherwise', 'outcome', 'done'),
      userTask('redo', 'officer@town'),
      flow('f2', 'redo', 'done'),
      '<bpmn:endEvent id="done" />',
    );
    const result = await importBpmn(xml, 'call.bpmn');
    expect(result.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(result.definition!.steps.investigate).toEqual({
      label: '立案调查',
      type: 'call',
      call: { workflow: 'accountability-interview', input: { reason: { var: 'data.objection' } } },
      outcomes: [{ when: { '==': [{ var: 'child.status' }, 'referred'] }, target: 'redo' }, { target: 'done' }],
    });
    expect(result.elements).toMatchObject({ f1: 'steps.investigate.outcomes', outcome: 'steps.investigate.outcomes', upheld: 'steps.investigate.outcomes.0' });
  });

  it('reads what is not BPMN as an error, without crashing', async () => {
    expect(await importBpmn('<html><body>not bpmn</body></html>', 'page.bpmn')).toEqual({
      issues: [expect.objectContaining({ severity: 'error', message: expect.stringMatching(/^not BPMN 2\.0 XML: /) })],
      elements: {},
    });
    expect((await importBpmn('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" />', 'empty.bpmn')).issues).toEqual([
      expect.objectContaining({ severity: 'error', message: 'the file holds no process (bpmn:process): there is nothing to import' }),
    ]);
  });
});

describe('importBpmn: the fupin extension', () => {
  it('refuses a misspelt attribute or element and an extension where nothing reads it, instead of dropping them', async () => {
    const xml = bpmn(
      START_EVENT,
      flow('f0', 'begin', 'review'),
      userTask('review', 'reviewer@county'),
      flow('approve', 'review', 'done', '<bpmn:extensionElements><fupin:action key="approve" kidn="approve" /></bpmn:extensionElements>'),
      '<bpmn:endEvent id="done"><bpmn:extensionElements><fupin:action key="x" /></bpmn:extensionElements></bpmn:endEvent>',
    );
    const result = await importBpmn(xml, 'typo.bpmn');
    expect(result.definition).toBeUndefined();
    expect(result.issues).toEqual([
      expect.objectContaining({ severity: 'error', line: 8, message: "unknown attribute <kidn> (on fupin:Action in bpmn:SequenceFlow 'approve')" }),
      expect.objectContaining({ severity: 'error', line: 9, message: "bpmn:EndEvent 'done': fupin:action has no meaning on a bpmn:EndEvent; it belongs on bpmn:SequenceFlow" }),
    ]);
  });
});
