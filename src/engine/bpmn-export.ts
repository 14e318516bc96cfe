/**
 * A workflow definition as BPMN 2.0 XML, with diagram interchange from an automatic
 * left-to-right layout, so that it opens in bpmn-js and Camunda Modeler and imports back
 * exactly (bpmn-import.ts reads what this writes; docs/workflow-definitions.md, "BPMN",
 * has the mapping table).
 *
 * Element ids are derived from the definition's keys, which never contain `.` or `-`:
 * a step is its key (`propose`), an action's flow `step.action`, an action's decision
 * `step.action.gateway` with flows `step.action.branch0…`, a parallel step's join
 * `step.join`, its region flows `step.region.R`; fixed ids (`start-event`, …) contain a
 * dash. So generated ids never collide, and the same definition always gives the same
 * bytes: export → import → export is stable.
 */
import type { BpmnModdle } from 'bpmn-moddle';
import {
  EXPRESSION_LANGUAGE,
  FUPIN_NS,
  createBpmnModdle,
  defined,
  extensionElements,
  fieldsToXml,
  jsonText,
  rungsToXml,
  type BpmnElement,
} from './bpmn-extensions.js';
import { layoutDiagram, type LayoutBoundary, type LayoutEdge, type LayoutNode } from './bpmn-layout.js';
import { returnToBranches } from './return-to.js';
import type { ActionDefinition, BranchDefinition, CountersignDefinition, Expression, StepDefinition, WorkflowDefinition } from './workflow-definition.js';

export const BPMN_IDS = {
  definitions: 'workflow-definitions',
  diagram: 'workflow-diagram',
  plane: 'workflow-plane',
  startEvent: 'start-event',
  startFlow: 'start-flow',
} as const;

const SIZES: Record<string, { width: number; height: number }> = {
  'bpmn:UserTask': { width: 100, height: 80 },
  'bpmn:CallActivity': { width: 100, height: 80 },
  'bpmn:ExclusiveGateway': { width: 50, height: 50 },
  'bpmn:ParallelGateway': { width: 50, height: 50 },
  'bpmn:StartEvent': { width: 36, height: 36 },
  'bpmn:EndEvent': { width: 36, height: 36 },
  'bpmn:IntermediateThrowEvent': { width: 36, height: 36 },
};
const BOUNDARY_SIZE = 36;

/** A countersign's completion condition, per mode (`all` has none: every voter must vote). */
export function completionConditionOf(countersign: CountersignDefinition): string | undefined {
  if (countersign.mode === 'any') return '${nrOfCompletedInstances >= 1}';
  if (countersign.mode === 'ratio') return `\${nrOfApprovals / nrOfInstances >= ${countersign.ratio}}`;
  return undefined;
}

/** `7d` → `P7D`, `12h` → `PT12H`, ISO as it is; working days have no ISO form (undefined). */
export function isoDuration(duration: string): string | undefined {
  const short = /^(\d+)(d|h)$/.exec(duration);
  if (short) return short[2] === 'd' ? `P${short[1]}D` : `PT${short[1]}H`;
  return duration.startsWith('P') ? duration : undefined;
}

export async function exportBpmn(definition: WorkflowDefinition): Promise<string> {
  const moddle = createBpmnModdle();
  const definitions = new BpmnWriter(moddle, definition).write();
  const { xml } = await moddle.toXML(definitions, { format: true });
  return xml;
}

class BpmnWriter {
  private readonly flowElements: BpmnElement[] = [];
  /** The node each step is entered at, by step key; created before any flow points at it. */
  private readonly stepNodes = new Map<string, BpmnElement>();
  private readonly layoutNodes: LayoutNode[] = [];
  private readonly boundaries: LayoutBoundary[] = [];
  private readonly layoutEdges: LayoutEdge[] = [];
  /** Top-level final steps a region step leads to: reaching them ends the case with other branches still open. */
  private readonly terminating = new Set<string>();

  constructor(
    private readonly moddle: BpmnModdle,
    private readonly definition: WorkflowDefinition,
  ) {}

  write(): BpmnElement {
    const { moddle, definition } = this;
    this.createStepNodes(definition.steps, undefined);

    const start = this.node('bpmn:StartEvent', BPMN_IDS.startEvent, {
      extensionElements: extensionElements(moddle, [
        moddle.create('fupin:Start', { ...defined({ role: definition.start.role, level: definition.start.level }), fields: fieldsToXml(moddle, definition.start.fields) }),
      ]),
    });
    this.flow(BPMN_IDS.startFlow, start, this.entry(definition.initial), {});
    this.writeSteps(definition.steps, undefined);

    const ids = new Set(this.flowElements.map((element) => element.id as string));
    const processId = ids.has(definition.key) ? `process-${definition.key}` : definition.key;
    const workflow = moddle.create('fupin:Workflow', {
      ...defined({
        key: processId === definition.key ? undefined : definition.key,
        version: definition.version,
        labelEn: definition.labelEn,
        titleField: definition.titleField,
        access: definition.access ? moddle.create('fupin:Access', defined({ pairedCountyRead: definition.access.pairedCountyRead })) : undefined,
      }),
      params: Object.entries(definition.params ?? {}).map(([name, value]) => moddle.create('fupin:Param', { name, value: jsonText(value) })),
    });
    const process = moddle.create('bpmn:Process', {
      id: processId,
      name: definition.label,
      isExecutable: true,
      ...defined({ documentation: definition.description !== undefined ? [moddle.create('bpmn:Documentation', { text: definition.description })] : undefined }),
      extensionElements: extensionElements(moddle, [workflow]),
      flowElements: this.flowElements,
    });
    return moddle.create('bpmn:Definitions', {
      id: BPMN_IDS.definitions,
      targetNamespace: `${FUPIN_NS}/workflows`,
      exporter: 'fupin-flow',
      rootElements: [process],
      diagrams: [this.diagram(process)],
    });
  }

  // -------------------------------------------------------------------------
  // Steps
  // -------------------------------------------------------------------------

  private createStepNodes(steps: Record<string, StepDefinition>, parallel: string | undefined): void {
    const { moddle } = this;
    for (const [key, step] of Object.entries(steps)) {
      const type = step.type ?? 'task';
      const ext = (attributes: Record<string, unknown>) => moddle.create('fupin:Step', defined({ labelEn: step.labelEn, ...attributes }));
      let node: BpmnElement;
      if (type === 'task') {
        node = moddle.create('bpmn:UserTask', {
          id: key,
          name: step.label,
          ...defined({ loopCharacteristics: step.countersign ? this.multiInstance(step.countersign) : undefined }),
          extensionElements: extensionElements(moddle, [
            moddle.create('fupin:Step', {
              ...defined({ labelEn: step.labelEn, role: step.role, level: step.level, caseStatus: step.caseStatus }),
              ...defined({
                assignment: step.assignment ? moddle.create('fupin:Assignment', defined({ ...step.assignment })) : undefined,
                countersign: step.countersign
                  ? moddle.create('fupin:Countersign', { approve: step.countersign.approve, reject: step.countersign.reject })
                  : undefined,
              }),
            }),
          ]),
        });
      } else if (type === 'final' && parallel !== undefined) {
        // A region's final step: the branch is done and waits at the join.
        node = moddle.create('bpmn:IntermediateThrowEvent', { id: key, name: step.label, extensionElements: extensionElements(moddle, [ext({ status: step.status })]) });
      } else if (type === 'final') {
        node = moddle.create('bpmn:EndEvent', { id: key, name: step.label, extensionElements: extensionElements(moddle, [ext({ status: step.status })]) });
      } else if (type === 'parallel') {
        node = moddle.create('bpmn:ParallelGateway', {
          id: key,
          name: step.label,
          gatewayDirection: 'Diverging',
          extensionElements: extensionElements(moddle, [ext({ caseStatus: step.caseStatus })]),
        });
        for (const region of Object.values(step.regions ?? {})) this.createStepNodes(region.steps, key);
      } else {
        node = moddle.create('bpmn:CallActivity', {
          id: key,
          name: step.label,
          calledElement: step.call?.workflow,
          extensionElements: extensionElements(moddle, [
            moddle.create('fupin:Step', {
              ...defined({ labelEn: step.labelEn, caseStatus: step.caseStatus }),
              inputs: Object.entries(step.call?.input ?? {}).map(([name, value]) => moddle.create('fupin:Input', { name, value: jsonText(value) })),
            }),
          ]),
        });
      }
      this.stepNodes.set(key, node);
      if (parallel !== undefined) this.noteTerminating(step);
    }
  }

  /** A region step's way to a top-level final step ends the case while other branches are open: a terminate end. */
  private noteTerminating(step: StepDefinition): void {
    const targets = [
      ...Object.values(step.actions ?? {}).flatMap((action) => [action.target, ...(action.branches ?? []).map((b) => b.target), ...(action.returnTo ?? [])]),
      ...(step.outcomes ?? []).map((outcome) => outcome.target),
    ];
    for (const target of targets) {
      if (target !== undefined && Object.hasOwn(this.definition.steps, target) && this.definition.steps[target].type === 'final') {
        this.terminating.add(target);
      }
    }
  }

  private multiInstance(countersign: CountersignDefinition): BpmnElement {
    const condition = completionConditionOf(countersign);
    return this.moddle.create('bpmn:MultiInstanceLoopCharacteristics', {
      ...defined({ completionCondition: condition !== undefined ? this.moddle.create('bpmn:FormalExpression', { body: condition }) : undefined }),
    });
  }

  /** Document order: each step, then what hangs off it (boundary, decisions, flows), regions inside their parallel step. */
  private writeSteps(steps: Record<string, StepDefinition>, parallel: string | undefined): void {
    for (const [key, step] of Object.entries(steps)) {
      const node = this.stepNodes.get(key)!;
      const type = step.type ?? 'task';
      if (type === 'final' && !parallel && this.terminating.has(key)) {
        node.eventDefinitions = [this.moddle.create('bpmn:TerminateEventDefinition')];
      }
      this.add(node);
      if (type === 'task') this.writeTask(key, step, node);
      else if (type === 'call') {
        this.writeDeadline(key, step, node, undefined);
        this.writeOutcomes(key, step, node);
      }
      else if (type === 'final' && parallel !== undefined) this.flow(`${key}.done`, node, this.joinOf(parallel), {});
      else if (type === 'parallel') this.writeParallel(key, step, node);
    }
  }

  private readonly joins = new Map<string, BpmnElement>();

  private joinOf(parallel: string): BpmnElement {
    let join = this.joins.get(parallel);
    if (!join) {
      join = this.moddle.create('bpmn:ParallelGateway', { id: `${parallel}.join`, gatewayDirection: 'Converging' });
      this.joins.set(parallel, join);
    }
    return join;
  }

  private writeParallel(key: string, step: StepDefinition, split: BpmnElement): void {
    const { moddle } = this;
    for (const [regionKey, region] of Object.entries(step.regions ?? {})) {
      this.flow(`${key}.region.${regionKey}`, split, this.entry(region.initial), {
        ...defined({ name: region.label }),
        extensionElements: extensionElements(moddle, [moddle.create('fupin:Region', defined({ key: regionKey, labelEn: region.labelEn }))]),
      });
    }
    for (const region of Object.values(step.regions ?? {})) this.writeSteps(region.steps, key);
    const join = this.add(this.joinOf(key));
    if (step.onDone !== undefined) this.flow(`${key}.join.out`, join, this.entry(step.onDone), {});
  }

  private writeTask(key: string, step: StepDefinition, task: BpmnElement): void {
    const { moddle } = this;
    const deadline = step.deadline;
    const onExpire = deadline?.onExpire !== undefined ? step.actions?.[deadline.onExpire] : undefined;
    // A system-only action taken when the time is up is the timer's own flow; any other
    // onExpire action is a user's flow too, and the timer points at where it leads.
    const timerAction = onExpire?.system === true ? deadline!.onExpire : undefined;
    const timer = this.writeDeadline(key, step, task, timerAction);
    const entries = new Map<string, BpmnElement>();
    for (const [actionKey, action] of Object.entries(step.actions ?? {})) {
      const source = actionKey === timerAction ? timer! : task;
      entries.set(actionKey, this.writeAction(`${key}.${actionKey}`, source, actionKey, action));
    }
    if (timer && onExpire && timerAction === undefined) {
      this.flow(`${key}.deadline.expire`, timer, entries.get(deadline!.onExpire!)!, {});
    }
  }

  /**
   * A step's deadline as a timer boundary event: interrupting when an action is taken when the
   * time is up (`onExpire`), otherwise non-interrupting (it reminds and escalates). `timerAction`:
   * the system-only action that is the timer's own flow, if any.
   */
  private writeDeadline(key: string, step: StepDefinition, host: BpmnElement, timerAction: string | undefined): BpmnElement | undefined {
    const { moddle } = this;
    const deadline = step.deadline;
    if (!deadline) return undefined;
    const onExpire = deadline.onExpire !== undefined;
    const iso = isoDuration(deadline.duration);
    const timer = this.add(
      moddle.create('bpmn:BoundaryEvent', {
        id: `${key}.deadline.timer`,
        name: deadline.duration,
        attachedToRef: host,
        ...(onExpire ? {} : { cancelActivity: false }),
        eventDefinitions: [
          moddle.create('bpmn:TimerEventDefinition', defined({ timeDuration: iso !== undefined ? moddle.create('bpmn:FormalExpression', { body: iso }) : undefined })),
        ],
        extensionElements: extensionElements(moddle, [
          moddle.create('fupin:Deadline', {
            ...defined({
              duration: iso === deadline.duration ? undefined : deadline.duration,
              reminderBefore: deadline.reminderBefore,
              restartOnReturn: deadline.restartOnReturn,
              onExpire: timerAction === undefined ? deadline.onExpire : undefined,
            }),
            escalation: rungsToXml(moddle, deadline.escalation),
          }),
        ]),
      }),
    );
    this.boundaries.push({ id: timer.id as string, host: key, size: BOUNDARY_SIZE });
    return timer;
  }

  /** An action's flow, through a decision when it has branches; returns where the flow enters. */
  private writeAction(id: string, source: BpmnElement, key: string, action: ActionDefinition): BpmnElement {
    const { moddle } = this;
    const attributes = {
      name: action.label,
      ...defined({ conditionExpression: action.guard !== undefined ? this.condition(action.guard) : undefined }),
      extensionElements: extensionElements(moddle, [
        moddle.create('fupin:Action', {
          ...defined({
            key,
            kind: action.kind,
            labelEn: action.labelEn,
            system: action.system,
            allowSystem: action.allowSystem,
            withdrawable: action.withdrawable,
            guardMessage: action.guardMessage,
          }),
          fields: fieldsToXml(moddle, action.fields),
        }),
      ]),
    };
    if (action.target !== undefined) return this.flow(id, source, this.entry(action.target), attributes).targetRef as BpmnElement;
    // A return to a chosen step is a decision on the `returnStep` the user picked.
    const branches = action.branches ?? returnToBranches(action.returnTo ?? []);
    const gateway = this.decision(`${id}.gateway`, id, branches, action.branches !== undefined);
    this.flow(id, source, gateway, attributes);
    return gateway;
  }

  private writeOutcomes(key: string, step: StepDefinition, call: BpmnElement): void {
    const outcomes = step.outcomes ?? [];
    const only = outcomes.length === 1 && outcomes[0].when === undefined ? outcomes[0] : undefined;
    if (only) {
      this.flow(`${key}.outcome`, call, this.entry(only.target), defined({ name: only.label }));
    } else if (outcomes.length > 0) {
      const gateway = this.decision(`${key}.outcome.gateway`, `${key}.outcome`, outcomes, true);
      this.flow(`${key}.outcome`, call, gateway, {});
    }
  }

  /** An exclusive gateway with one flow per branch, in order; the unconditional last one is its default. */
  private decision(id: string, flowPrefix: string, branches: BranchDefinition[], withDefault: boolean): BpmnElement {
    const gateway = this.add(this.moddle.create('bpmn:ExclusiveGateway', { id, gatewayDirection: 'Diverging' }));
    branches.forEach((branch, index) => {
      const flow = this.flow(`${flowPrefix}.branch${index}`, gateway, this.entry(branch.target), {
        ...defined({ name: branch.label, conditionExpression: branch.when !== undefined ? this.condition(branch.when) : undefined }),
      });
      if (withDefault && branch.when === undefined) gateway.default = flow;
    });
    return gateway;
  }

  private condition(expression: Expression): BpmnElement {
    return this.moddle.create('bpmn:FormalExpression', { language: EXPRESSION_LANGUAGE, body: jsonText(expression) });
  }

  // -------------------------------------------------------------------------
  // Nodes, flows and the diagram
  // -------------------------------------------------------------------------

  private entry(stepKey: string): BpmnElement {
    const node = this.stepNodes.get(stepKey);
    // Only reached with an invalid definition; the flow then points at nothing and the
    // import reports it.
    return node ?? this.moddle.create('bpmn:EndEvent', { id: stepKey });
  }

  private node(type: string, id: string, attributes: Record<string, unknown>): BpmnElement {
    return this.add(this.moddle.create(type, { id, ...attributes }));
  }

  private add(element: BpmnElement): BpmnElement {
    this.flowElements.push(element);
    const size = SIZES[element.$type];
    if (size) this.layoutNodes.push({ id: element.id as string, ...size });
    return element;
  }

  private flow(id: string, source: BpmnElement, target: BpmnElement, attributes: Record<string, unknown>): BpmnElement {
    const flow = this.moddle.create('bpmn:SequenceFlow', { id, ...attributes, sourceRef: source, targetRef: target });
    this.flowElements.push(flow);
    source.outgoing = [...((source.outgoing as BpmnElement[] | undefined) ?? []), flow];
    target.incoming = [...((target.incoming as BpmnElement[] | undefined) ?? []), flow];
    this.layoutEdges.push({ id, source: source.id as string, target: target.id as string });
    return flow;
  }

  private diagram(process: BpmnElement): BpmnElement {
    const { moddle } = this;
    const layout = layoutDiagram(this.layoutNodes, this.boundaries, this.layoutEdges);
    const planeElement: BpmnElement[] = [];
    for (const element of this.flowElements) {
      const id = element.id as string;
      const bounds = layout.shapes.get(id);
      if (bounds) {
        planeElement.push(
          moddle.create('bpmndi:BPMNShape', {
            id: `${id}-di`,
            bpmnElement: element,
            ...(element.$type === 'bpmn:ExclusiveGateway' ? { isMarkerVisible: true } : {}),
            bounds: moddle.create('dc:Bounds', bounds),
          }),
        );
      }
      const waypoints = layout.edges.get(id);
      if (waypoints) {
        planeElement.push(
          moddle.create('bpmndi:BPMNEdge', { id: `${id}-di`, bpmnElement: element, waypoint: waypoints.map((point) => moddle.create('dc:Point', point)) }),
        );
      }
    }
    return moddle.create('bpmndi:BPMNDiagram', {
      id: BPMN_IDS.diagram,
      plane: moddle.create('bpmndi:BPMNPlane', { id: BPMN_IDS.plane, bpmnElement: process, planeElement }),
    });
  }
}
