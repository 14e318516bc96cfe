import { readdirSync, readFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { exportBpmn } from '../../../src/engine/bpmn-export.js';
import { importBpmn } from '../../../src/engine/bpmn-import.js';
import { loadDefinition, validateDefinition } from '../../../src/engine/definition-validator.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';

const SEEDS = readdirSync('workflows').filter((file) => /\.ya?ml$/.test(file)).sort();

function seed(file: string) {
  return loadDefinition(readFileSync(`workflows/${file}`, 'utf8'), file);
}

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}
type Element = { $type: string; id: string; [property: string]: unknown };

/** The exported file read back by plain bpmn-moddle (no fupin package): what bpmn-js and Camunda Modeler read. */
async function readBack(xml: string) {
  const { rootElement, warnings } = await new BpmnModdle().fromXML(xml);
  const process = (rootElement.rootElements as Element[]).find((element) => element.$type === 'bpmn:Process')!;
  const plane = (rootElement.diagrams as { plane: { bpmnElement: Element; planeElement: Element[] } }[])[0].plane;
  const shapes = new Map<string, Bounds>();
  const edges = new Map<string, { x: number; y: number }[]>();
  for (const di of plane.planeElement) {
    const id = (di.bpmnElement as Element).id;
    if (di.$type === 'bpmndi:BPMNShape') shapes.set(id, di.bounds as Bounds);
    else edges.set(id, di.waypoint as { x: number; y: number }[]);
  }
  return { warnings, process, plane, shapes, edges, flowElements: process.flowElements as Element[] };
}

const within = (point: { x: number; y: number }, b: Bounds) => point.x >= b.x && point.x <= b.x + b.width && point.y >= b.y && point.y <= b.y + b.height;
const overlap = (a: Bounds, b: Bounds) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('exportBpmn: the seed definitions', () => {
  it.each(SEEDS)('%s: is BPMN 2.0 that bpmn-moddle reads without a warning, with a shape for every flow node and an edge for every flow', async (file) => {
    const xml = await exportBpmn(seed(file).definition!);
    const { warnings, process, plane, shapes, edges, flowElements } = await readBack(xml);
    expect(warnings).toEqual([]);
    expect(process.isExecutable).toBe(true);
    expect(plane.bpmnElement).toBe(process);
    const nodes = flowElements.filter((element) => element.$type !== 'bpmn:SequenceFlow');
    const flows = flowElements.filter((element) => element.$type === 'bpmn:SequenceFlow');
    expect(nodes.filter((node) => !shapes.has(node.id)).map((node) => node.id)).toEqual([]);
    expect(flows.filter((flow) => !edges.has(flow.id)).map((flow) => flow.id)).toEqual([]);
    expect(shapes.size + edges.size).toBe(flowElements.length);

    // A readable drawing: no two nodes on top of each other (a boundary event sits on its
    // task), and every flow starts at its source and ends at its target.
    const placed = nodes.filter((node) => node.$type !== 'bpmn:BoundaryEvent');
    for (const [i, a] of placed.entries()) {
      for (const b of placed.slice(i + 1)) expect({ a: a.id, b: b.id, overlap: overlap(shapes.get(a.id)!, shapes.get(b.id)!) }).toEqual({ a: a.id, b: b.id, overlap: false });
    }
    for (const flow of flows) {
      const points = edges.get(flow.id)!;
      expect(points.length).toBeGreaterThanOrEqual(2);
      expect({ flow: flow.id, start: within(points[0], shapes.get((flow.sourceRef as Element).id)!) }).toEqual({ flow: flow.id, start: true });
      expect({ flow: flow.id, end: within(points[points.length - 1], shapes.get((flow.targetRef as Element).id)!) }).toEqual({ flow: flow.id, end: true });
      // Orthogonal: every segment horizontal or vertical.
      for (let k = 1; k < points.length; k++) expect(points[k].x === points[k - 1].x || points[k].y === points[k - 1].y).toBe(true);
    }
    for (const boundary of nodes.filter((node) => node.$type === 'bpmn:BoundaryEvent')) {
      const host = shapes.get((boundary.attachedToRef as Element).id)!;
      const b = shapes.get(boundary.id)!;
      expect(within({ x: b.x + b.width / 2, y: b.y + b.height / 2 }, host)).toBe(true);
    }
  });

  it.each(SEEDS)('%s: imports back to the same definition, with the same validation, and exports to the same bytes', async (file) => {
    const loaded = seed(file);
    const xml = await exportBpmn(loaded.definition!);
    const imported = await importBpmn(xml, `${file}.bpmn`);
    expect(imported.definition).toStrictEqual(loaded.definition);
    // Every element of the file is part of the definition somewhere.
    const { flowElements } = await readBack(xml);
    expect(flowElements.map((element) => element.id).filter((id) => imported.elements[id] === undefined)).toEqual([]);
    expect(imported.issues.map(({ path, message, severity }) => ({ path, message, severity }))).toEqual(
      loaded.issues.map(({ path, message, severity }) => ({ path, message, severity })),
    );
    expect(await exportBpmn(imported.definition!)).toBe(xml);
  });

  it('draws the parallel department confirmations as a split, regions ending in plain events, a join; a department’s denial as a terminate end', async () => {
    const xml = await exportBpmn(seed('disaster-reentry.yaml').definition!);
    const { flowElements } = await readBack(xml);
    const byId = new Map(flowElements.map((element) => [element.id, element]));
    expect(byId.get('confirmation')).toMatchObject({ $type: 'bpmn:ParallelGateway', gatewayDirection: 'Diverging', name: '部门认定（会签）' });
    expect(byId.get('confirmation.join')).toMatchObject({ $type: 'bpmn:ParallelGateway', gatewayDirection: 'Converging' });
    expect(byId.get('agricultureConfirmed')).toMatchObject({ $type: 'bpmn:IntermediateThrowEvent', name: '农业部门已认定' });
    expect(((byId.get('notConfirmed')!.eventDefinitions as Element[]) ?? []).map((d) => d.$type)).toEqual(['bpmn:TerminateEventDefinition']);
    expect(byId.get('rejected')!.eventDefinitions).toBeUndefined();
    expect((byId.get('confirmation.join.out')!.targetRef as Element).id).toBe('townApplication');
  });

  it('writes working days in the extension, natural days as the timer duration, and a return to a chosen step as a decision on returnStep', async () => {
    const xml = await exportBpmn(seed('poverty-entry.yaml').definition!);
    expect(xml).toContain(
      [
        '<bpmn:boundaryEvent id="publicNotice.deadline.timer" name="7d" attachedToRef="publicNotice">',
        '      <bpmn:extensionElements>',
        '        <fupin:deadline duration="7d" onExpire="conclude" />',
        '      </bpmn:extensionElements>',
        '      <bpmn:outgoing>publicNotice.deadline.expire</bpmn:outgoing>',
        '      <bpmn:timerEventDefinition>',
        '        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P7D</bpmn:timeDuration>',
        '      </bpmn:timerEventDefinition>',
      ].join('\n'),
    );
    expect(xml).toContain('<bpmn:boundaryEvent id="propose.deadline.timer" name="10wd" cancelActivity="false" attachedToRef="propose">');
    expect(xml).toContain('<fupin:deadline duration="10wd" reminderBefore="2wd">');
    expect(xml).toContain(
      '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="https://fupin-flow.example/schema/bpmn/expression">{"==":[{"var":"input.returnStep"},"propose"]}</bpmn:conditionExpression>',
    );
    // A 会签 county review is a multi-instance task; `all` needs no completion condition.
    expect(xml).toMatch(/<bpmn:userTask id="countyReview" name="县级审核">[\s\S]*?<fupin:countersign approve="approve" reject="return" \/>[\s\S]*?<bpmn:multiInstanceLoopCharacteristics \/>/);
  });
});

/**
 * Everything the model has, once: a call step (a single outcome, and outcomes through a
 * decision), countersigns any and ratio, a system action on expiry through a decision,
 * nested parallel steps, access, params, assignment, restartOnReturn, a step named like
 * the workflow, and text that needs escaping in XML.
 */
const EVERYTHING: WorkflowDefinition = {
  key: 'relief',
  version: 3,
  label: '救助 <全> & "一切"',
  labelEn: "Everything's here",
  description: 'Line one\n  line two, indented <b>not bold</b> & more\n',
  start: {
    role: 'officer',
    level: 'town',
    fields: {
      name: { type: 'string', label: '姓名', required: true, maxLength: 20 },
      members: {
        type: 'table',
        label: '成员',
        maxItems: 5,
        columns: {
          kind: { type: 'enum', label: '类别', options: ['a', 'b'], optionLabelsEn: { b: 'B' } },
          share: { type: 'number', label: '份额', min: 0.25, max: 1 },
        },
      },
    },
  },
  access: {},
  titleField: 'name',
  params: { line: 6600, counties: ['440781', '440783'], nested: { deep: [true, null, 'x'] } },
  initial: 'relief',
  steps: {
    relief: {
      label: '申请',
      role: 'officer',
      level: 'town',
      caseStatus: 'applying',
      assignment: { transfer: false, addSigner: false },
      deadline: {
        duration: 'PT12H',
        reminderBefore: '2h',
        restartOnReturn: true,
        onExpire: 'lapse',
        escalation: [
          { after: '0wd', notify: { role: 'supervisor', level: 'county' } },
          { after: '3wd', notify: { role: 'supervisor', level: 'city' }, openCase: 'accountability-interview' },
        ],
      },
      actions: {
        submit: { label: '提交', kind: 'submit', target: 'checks', guard: { '>': [{ var: 'data.line' }, 0] }, guardMessage: '第一行\n第二行 <>' },
        lapse: {
          label: '逾期',
          kind: 'complete',
          system: true,
          branches: [{ when: { var: 'data.name' }, target: 'checks', label: '有名' }, { target: 'closed' }],
        },
      },
    },
    checks: {
      label: '核查',
      type: 'parallel',
      caseStatus: 'checking',
      onDone: 'vote',
      regions: {
        first: {
          label: '一',
          initial: 'inner',
          steps: {
            inner: {
              label: '内并行',
              type: 'parallel',
              onDone: 'firstDone',
              regions: {
                x: { initial: 'xTask', steps: { xTask: { label: 'X', role: 'reviewer', level: 'county', actions: { ok: { label: '好', kind: 'approve', target: 'xDone' } } }, xDone: { label: 'X完', type: 'final' } } },
                y: { labelEn: 'Y', initial: 'yTask', steps: { yTask: { label: 'Y', role: 'reviewer', level: 'county', actions: { ok: { label: '好', kind: 'approve', target: 'yDone' }, no: { label: '否', kind: 'reject', target: 'closed' } } }, yDone: { label: 'Y完', type: 'final', status: 'ySaid' } } },
              },
            },
            firstDone: { label: '一完', type: 'final' },
          },
        },
        second: { initial: 'secondTask', steps: { secondTask: { label: '二', role: 'officer', level: 'village', actions: { ok: { label: '好', kind: 'approve', target: 'secondDone' } } }, secondDone: { label: '二完', type: 'final' } } },
      },
    },
    vote: {
      label: '票决',
      role: 'reviewer',
      level: 'county',
      countersign: { mode: 'ratio', ratio: 0.6, approve: 'yes', reject: 'no' },
      deadline: { duration: '5wd', onExpire: 'yes', escalation: [{ after: '1d', notify: { role: 'supervisor', level: 'county' } }] },
      actions: {
        yes: { label: '同意', kind: 'approve', target: 'any', allowSystem: true, withdrawable: true },
        no: { label: '退回', kind: 'return', returnTo: ['relief'], fields: { why: { type: 'text', label: '理由', required: true } } },
      },
    },
    any: {
      label: '或签',
      role: 'approver',
      level: 'city',
      countersign: { mode: 'any', approve: 'ok', reject: 'refuse' },
      deadline: { duration: '10d' },
      actions: {
        ok: { label: '同意', kind: 'approve', target: 'investigate' },
        refuse: { label: '不同意', kind: 'reject', target: 'closed' },
      },
    },
    investigate: {
      label: '调查',
      type: 'call',
      caseStatus: 'investigating',
      call: { workflow: 'accountability-interview', input: { unitName: { var: 'data.name' } } },
      outcomes: [{ when: { '==': [{ var: 'child.status' }, 'referred'] }, target: 'followUp', label: '追责' }, { target: 'done' }],
    },
    followUp: { label: '跟进', type: 'call', call: { workflow: 'rectification' }, outcomes: [{ target: 'done', label: '完' }] },
    done: { label: '完成', type: 'final', status: 'done' },
    closed: { label: '关闭', type: 'final' },
  },
};

describe('exportBpmn: everything the model has', () => {
  it('is a valid definition to begin with', () => {
    const validation = validateDefinition(structuredClone(EVERYTHING), 'everything');
    expect(validation.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
  });

  it('round-trips exactly, and exports to the same bytes again', async () => {
    const xml = await exportBpmn(EVERYTHING);
    expect((await new BpmnModdle().fromXML(xml)).warnings).toEqual([]);
    const imported = await importBpmn(xml, 'everything.bpmn');
    expect(imported.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(imported.definition).toStrictEqual(EVERYTHING);
    expect(await exportBpmn(imported.definition!)).toBe(xml);
    // The process is named like the step `relief`, so it gets another id and the key goes in the extension.
    expect(xml).toContain('<bpmn:process id="process-relief" name="救助 &#60;全&#62; &#38; &#34;一切&#34;" isExecutable="true">');
    expect(xml).toContain('<fupin:workflow key="relief" version="3" labelEn="Everything&#39;s here" titleField="name">');
    // The system's action on expiry is the timer's own flow.
    expect(xml).toContain('<bpmn:sequenceFlow id="relief.lapse" name="逾期" sourceRef="relief.deadline.timer" targetRef="relief.lapse.gateway">');
    expect(xml).toContain('<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">${nrOfApprovals / nrOfInstances &gt;= 0.6}</bpmn:completionCondition>');
    expect(xml).toContain('<bpmn:callActivity id="investigate" name="调查" calledElement="accountability-interview">');
  });
});
