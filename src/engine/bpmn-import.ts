/**
 * BPMN 2.0 XML → workflow definition: the subset the engine runs, mapped to steps,
 * actions, branches, parallel regions and deadlines; everything else reported per
 * element (type, id, line:column), never dropped silently. The result goes through the
 * same validator as a YAML file (validateDefinition), its issues located at the BPMN
 * element each path came from. docs/workflow-definitions.md, "BPMN", has the mapping.
 *
 * In two passes over the chosen process:
 * 1. scopes: from the start event, along the flows, every step node is given to the top
 *    level or to one branch (region) of a parallel split; a split's branches must meet
 *    again at one parallel join (well-nested), and nothing but an end event may be reached
 *    across a block's boundary;
 * 2. steps: each node becomes a step of its scope, in document order (so that what
 *    bpmn-export.ts wrote comes back in the order it was written), each flow leaving a user
 *    task an action — through an exclusive gateway, an action with branches.
 * Exclusive gateways are not steps: a decision (one way in, several out) gives branches to
 * the flow that enters it, a merge (several in, one out) is seen through.
 */
import type { BpmnModdle } from 'bpmn-moddle';
import {
  EXPRESSION_LANGUAGE,
  createBpmnModdle,
  defined,
  extensionOf,
  fieldsFromXml,
  parseJsonText,
  rungFromXml,
  setOwn,
  type BpmnElement,
} from './bpmn-extensions.js';
import { isoDuration } from './bpmn-export.js';
import { sourceTooLarge, type SourcePosition } from './definition-source.js';
import { DURATION_PATTERN, NAME_PATTERN, WORKFLOW_KEY_PATTERN } from './definition-schema.js';
import { validateDefinition, type DefinitionIssue } from './definition-validator.js';
import { returnToBranches } from './return-to.js';
import type {
  ActionDefinition,
  ActionKind,
  BranchDefinition,
  CountersignDefinition,
  DeadlineDefinition,
  EscalationRung,
  Expression,
  Level,
  RegionDefinition,
  Role,
  StepDefinition,
  WorkflowDefinition,
} from './workflow-definition.js';

export interface BpmnImport {
  /** Present only when there is no error (warnings do not block). */
  definition?: WorkflowDefinition;
  issues: DefinitionIssue[];
  /**
   * Where each BPMN element went: element id → the dotted path in the definition it became
   * (part of), e.g. `steps.review.actions.approve` for a sequence flow, `` for the process.
   * With the issues, it accounts for every flow element of the file.
   */
  elements: Record<string, string>;
}

type El = BpmnElement;

/** What a flow element is to the import; `unsupported` ones are reported where classified. */
type NodeClass = 'start' | 'task' | 'call' | 'end' | 'decision' | 'merge' | 'split' | 'join' | 'regionEnd' | 'boundary' | 'flow' | 'unsupported';

/**
 * Where a sequence flow leads once exclusive gateways are seen through. `through`: the
 * merge gateways (and the flows after them) on the way, which belong to whatever the way
 * becomes.
 */
type Way =
  | { kind: 'node'; node: El; through: El[] }
  /** Straight into a parallel join: the end of a region. */
  | { kind: 'join'; join: El; flow: El; through: El[] }
  | { kind: 'decision'; gateway: El; branches: { flow: El; way: Way }[]; through: El[] };

interface Scope {
  /** A branch of a parallel split; absent for the top level. */
  region?: { split: El; flow: El };
  members: El[];
  /** Joins this branch reaches, and the flows that reach them. */
  joins: Set<El>;
  joinFlows: Set<El>;
  /** The final step made up for a branch whose flows run straight into the join. */
  synthetic?: string;
  /** How many parallel blocks it is inside. */
  depth: number;
}

/** Where each fupin: element is read (bpmn-extensions.ts has what each holds). */
const EXTENSION_PLACES: Record<string, string[]> = {
  'fupin:Workflow': ['bpmn:Process'],
  'fupin:Start': ['bpmn:StartEvent'],
  'fupin:Step': ['bpmn:UserTask', 'bpmn:EndEvent', 'bpmn:ParallelGateway', 'bpmn:CallActivity', 'bpmn:IntermediateThrowEvent'],
  'fupin:Action': ['bpmn:SequenceFlow'],
  'fupin:Region': ['bpmn:SequenceFlow'],
  'fupin:Deadline': ['bpmn:BoundaryEvent'],
  'fupin:Escalation': ['bpmn:BoundaryEvent'],
};

/**
 * Bounds on what the (recursive) resolution of gateways and of nested parallel blocks may be
 * asked to do by a hostile file; far above what a procedure needs.
 */
const LIMITS = { gatewaysInARow: 50, parallelNesting: 10 } as const;

const STEP_CLASSES: ReadonlySet<NodeClass> = new Set(['task', 'call', 'end', 'split', 'regionEnd']);
const NAME = new RegExp(NAME_PATTERN);
const DURATION = new RegExp(DURATION_PATTERN);

/** Why an element type is outside the subset, said the way an administrator can act on it. */
const UNSUPPORTED: Record<string, string> = {
  'bpmn:Task': 'an abstract task says nobody acts on it; make it a user task',
  'bpmn:ManualTask': 'make it a user task: the engine only knows steps someone acts on',
  'bpmn:ServiceTask': 'the engine runs no code: only people act (user tasks)',
  'bpmn:ScriptTask': 'the engine runs no scripts: only people act (user tasks)',
  'bpmn:BusinessRuleTask': 'the engine runs no rules: put the rule in a condition of the closed expression language',
  'bpmn:SendTask': 'the engine sends no messages from the process (notices go out by themselves)',
  'bpmn:ReceiveTask': 'the engine waits for no messages: a user task records what arrived',
  'bpmn:SubProcess': 'sub-processes are not supported: draw their steps in the process, or call another workflow (call activity)',
  'bpmn:Transaction': 'transactions are not supported',
  'bpmn:AdHocSubProcess': 'ad-hoc sub-processes are not supported',
  'bpmn:InclusiveGateway': 'only exclusive and parallel gateways are supported',
  'bpmn:ComplexGateway': 'only exclusive and parallel gateways are supported',
  'bpmn:EventBasedGateway': 'only exclusive and parallel gateways are supported',
  'bpmn:IntermediateCatchEvent': 'intermediate events are not supported',
  'bpmn:IntermediateThrowEvent': 'intermediate events are not supported (a plain one right before a parallel join marks the end of a branch)',
  'bpmn:DataObject': 'data objects are not supported: case data are the fields of the forms (fupin:field)',
  'bpmn:DataObjectReference': 'data objects are not supported: case data are the fields of the forms (fupin:field)',
  'bpmn:DataStoreReference': 'data stores are not supported: case data are the fields of the forms (fupin:field)',
  'bpmn:ChoreographyTask': 'choreographies are not supported',
};

export async function importBpmn(xml: string, file: string): Promise<BpmnImport> {
  const tooLarge = typeof xml === 'string' ? sourceTooLarge(xml) : 'definition source must be text';
  if (tooLarge !== undefined) return { issues: [{ file, path: '', message: tooLarge, severity: 'error' }], elements: {} };
  const source = new SourceText(xml);
  const moddle = createBpmnModdle();
  let parsed: Awaited<ReturnType<BpmnModdle['fromXML']>>;
  try {
    parsed = await moddle.fromXML(xml);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { issues: [{ file, path: '', severity: 'error', message: `not BPMN 2.0 XML: ${oneLine(message)}`, ...source.positionInMessage(message) }], elements: {} };
  }
  return new BpmnReader(file, source, parsed.rootElement).read(parsed.warnings);
}

// ---------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------

/** Line and column of an element in the XML text, found by its `id="…"`. */
class SourceText {
  private lineStarts?: number[];
  /** Where each `id="…"` is first written, built on the first lookup in one pass over the text. */
  private ids?: Map<string, number>;

  constructor(private readonly text: string) {}

  positionOfId(id: string | undefined): SourcePosition | undefined {
    if (!id) return undefined;
    if (!this.ids) {
      this.ids = new Map();
      for (const match of this.text.matchAll(/\sid\s*=\s*(["'])([^"'<>]*)\1/g)) {
        if (!this.ids.has(match[2])) this.ids.set(match[2], match.index);
      }
    }
    const offset = this.ids.get(id);
    if (offset === undefined) return undefined;
    // The start of the element's tag, where an editor should put the cursor.
    const tag = this.text.lastIndexOf('<', offset);
    return this.positionAt(tag >= 0 ? tag : offset);
  }

  /** moddle's messages say `line: N` and `column: M` (0-based); as 1-based, like the YAML positions. */
  positionInMessage(message: string): { line?: number; column?: number } {
    const line = /line: (\d+)/.exec(message);
    const column = /column: (\d+)/.exec(message);
    return line ? { line: Number(line[1]) + 1, column: column ? Number(column[1]) + 1 : 1 } : {};
  }

  private positionAt(offset: number): SourcePosition {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low] + 1 };
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

// ---------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------

class BpmnReader {
  private readonly issues: DefinitionIssue[] = [];
  /** Ids of the flow elements that were mapped or named in an issue. */
  private readonly accounted = new Set<string>();
  /** Where each definition path came from, for the validator's positions, and the other way round. */
  private readonly origins = new Map<string, El>();
  private readonly elements: Record<string, string> = {};

  private process!: El;
  private flowElements: El[] = [];
  private readonly order = new Map<El, number>();
  private readonly classes = new Map<El, NodeClass>();
  private readonly outgoing = new Map<El, El[]>();
  private readonly incoming = new Map<El, El[]>();
  private readonly boundariesOf = new Map<El, El[]>();
  /** A task's deadline timer and escalation boundary events, once found to be in the subset. */
  private readonly timerOf = new Map<El, El>();
  private readonly escalationsOf = new Map<El, El[]>();
  private readonly laneOf = new Map<El, string>();
  private readonly keys = new Map<El, string>();
  private readonly usedKeys = new Set<string>();

  private readonly ways = new Map<El, Way | undefined>();
  private readonly top: Scope = { members: [], joins: new Set(), joinFlows: new Set(), depth: 0 };
  private readonly owner = new Map<El, Scope>();
  /** The flow by which each step was first reached, for the message when another scope reaches it too. */
  private readonly claimedVia = new Map<El, El | undefined>();
  private readonly joinOf = new Map<El, El>();
  private readonly splitOf = new Map<El, El>();
  private readonly onDoneOf = new Map<El, El>();
  private readonly regionsOf = new Map<El, Scope[]>();
  /** Joins reached from outside any branch, with the flows that reach them. */
  private readonly strayJoins = new Map<El, El[]>();

  constructor(
    private readonly file: string,
    private readonly source: SourceText,
    private readonly root: El,
  ) {}

  read(warnings: { message: string; element?: El }[]): BpmnImport {
    for (const warning of warnings) {
      // Only the encoding is harmless (the text was read as UTF-8 anyway); anything else
      // the lax reader skipped is a part of the file that did not make it into the model.
      const harmless = /unsupported document encoding/.test(warning.message);
      const position = this.source.positionInMessage(warning.message);
      this.issues.push({
        file: this.file,
        path: '',
        severity: harmless ? 'warning' : 'error',
        message: `${oneLine(warning.message.replace(/\s*line: \d+\s*column: \d+/, ''))}${warning.element ? ` (on ${within(warning.element)})` : ''}`,
        ...(position.line !== undefined ? position : this.position(warning.element)),
      });
    }
    const rejected = { issues: this.issues, elements: this.elements };
    if (this.root.$type !== 'bpmn:Definitions') {
      this.error(undefined, `the document is a ${this.root.$type}, not bpmn:definitions`);
      return rejected;
    }
    if (!this.selectProcess()) return rejected;

    this.index();
    const start = this.findStart();
    const first = start ? this.startWay(start) : undefined;
    if (start) this.visit(this.top, first);
    this.reportStrayJoins();
    this.sweep();
    // Built even after errors: the problems of the elements that are in the subset (a
    // condition that is not JSON, a performer that is not role@level) are reported too.
    const definition = start ? this.build(start, first) : undefined;
    // In the order of the file, as an editor lists them.
    this.issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    if (!definition || this.hasError()) return rejected;

    const validation = validateDefinition(definition, this.file, (path) => {
      const { line, column } = this.position(this.origins.get(path.join('.')));
      return line !== undefined ? { line, column: column ?? 1 } : undefined;
    });
    const issues = [...this.issues, ...validation.issues];
    return validation.definition ? { definition: validation.definition, issues, elements: this.elements } : { issues, elements: this.elements };
  }

  private hasError(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }

  // -------------------------------------------------------------------------
  // Issues
  // -------------------------------------------------------------------------

  private position(element: El | undefined): { line?: number; column?: number } {
    for (let current = element; current; current = current.$parent as El | undefined) {
      const position = this.source.positionOfId(current.id as string | undefined);
      if (position) return position;
    }
    return {};
  }

  private error(element: El | undefined, message: string): void {
    this.issues.push({ file: this.file, path: '', message, severity: 'error', ...this.position(element) });
    if (element?.id) this.accounted.add(element.id as string);
  }

  private warning(element: El | undefined, message: string): void {
    this.issues.push({ file: this.file, path: '', message, severity: 'warning', ...this.position(element) });
  }

  /** Reports an element outside the subset, naming what hangs off it (flows, boundary events), which goes too. */
  private unsupported(element: El, why: string): void {
    const along = this.attachedTo(element).filter((other) => !this.accounted.has(other.id as string));
    for (const other of along) this.accounted.add(other.id as string);
    this.error(element, `${describe(element)} is not supported: ${why}${notImported(along)}`);
  }

  /** The flows in and out of a node, its boundary events and their flows, and what a sub-process contains. */
  private attachedTo(element: El): El[] {
    const attached = [...(this.incoming.get(element) ?? []), ...(this.outgoing.get(element) ?? [])];
    for (const boundary of this.boundariesOf.get(element) ?? []) attached.push(boundary, ...(this.outgoing.get(boundary) ?? []));
    attached.push(...nestedElements(element));
    return [...new Set(attached)];
  }

  // -------------------------------------------------------------------------
  // The process
  // -------------------------------------------------------------------------

  /**
   * A file holds one workflow: the only process, or the only executable one, or the
   * first pool's. Other pools and their processes, and message flows, are reported.
   */
  private selectProcess(): boolean {
    const rootElements = (this.root.rootElements ?? []) as El[];
    const processes = rootElements.filter((element) => element.$type === 'bpmn:Process');
    const collaborations = rootElements.filter((element) => element.$type === 'bpmn:Collaboration');
    const participants = collaborations.flatMap((collaboration) => (collaboration.participants ?? []) as El[]);
    if (processes.length === 0) {
      this.error(undefined, 'the file holds no process (bpmn:process): there is nothing to import');
      return false;
    }
    const executable = processes.filter((process) => process.isExecutable === true);
    this.process =
      processes.length === 1
        ? processes[0]
        : executable.length === 1
          ? executable[0]
          : ((participants.find((participant) => participant.processRef)?.processRef as El | undefined) ?? processes[0]);
    const chosen = this.process;
    const poolOf = (process: El) => participants.find((participant) => participant.processRef === process);

    for (const participant of participants) {
      if (participant.processRef === chosen) {
        // The pool around the process: only a drawing.
        if (participant.id !== undefined) this.elements[participant.id as string] ??= '';
        continue;
      }
      const elements = participant.processRef ? allFlowElements(participant.processRef as El) : [];
      for (const element of elements) this.accounted.add(element.id as string);
      this.error(participant, `${describe(participant)} is not supported: a file holds one workflow, the process '${chosen.id}'; other participants (pools) are not${notImported(elements)}`);
    }
    for (const process of processes) {
      if (process === chosen || poolOf(process)) continue;
      const elements = allFlowElements(process);
      for (const element of elements) this.accounted.add(element.id as string);
      this.error(process, `${describe(process)} is not imported: a file holds one workflow, the process '${chosen.id}'${notImported(elements)}`);
    }
    for (const collaboration of collaborations) {
      for (const flow of (collaboration.messageFlows ?? []) as El[]) {
        this.error(flow, `${describe(flow)} is not supported: the engine exchanges no messages between participants`);
      }
    }
    return true;
  }

  /** Classifies every flow element of the process, reporting those outside the subset. */
  private index(): void {
    this.flowElements = ((this.process.flowElements ?? []) as El[]).filter((element) => element.id !== undefined);
    this.flowElements.forEach((element, index) => this.order.set(element, index));
    for (const flow of this.flowElements.filter((element) => element.$type === 'bpmn:SequenceFlow')) {
      this.classes.set(flow, 'flow');
      const { sourceRef: from, targetRef: to } = flow as { sourceRef?: El; targetRef?: El };
      if (from) this.outgoing.set(from, [...(this.outgoing.get(from) ?? []), flow]);
      if (to) this.incoming.set(to, [...(this.incoming.get(to) ?? []), flow]);
      if (!from || !to) this.error(flow, `${describe(flow)} has no ${from ? 'target' : 'source'}`);
    }
    for (const element of this.flowElements) {
      if (element.$type === 'bpmn:BoundaryEvent' && element.attachedToRef) {
        const host = element.attachedToRef as El;
        this.boundariesOf.set(host, [...(this.boundariesOf.get(host) ?? []), element]);
      }
    }
    this.indexLanes((this.process.laneSets ?? []) as El[]);
    for (const element of this.flowElements) {
      if (element.$type !== 'bpmn:SequenceFlow') this.classes.set(element, this.classify(element));
    }
    this.checkBoundaries();
    this.checkDataFlow();
    this.checkExtensionPlaces();
    // Keys in document order, so that the same file always gives the same keys.
    for (const element of this.flowElements) {
      if (STEP_CLASSES.has(this.classes.get(element)!)) this.keys.set(element, this.newKey(String(element.id), 's_'));
    }
  }

  /** A fupin: element where nothing reads it would be dropped silently: it is an error instead. */
  private checkExtensionPlaces(): void {
    for (const element of [this.process, ...this.flowElements]) {
      for (const value of (element.extensionElements?.values ?? []) as El[]) {
        const type = String(value.$type);
        if (!type.startsWith('fupin:') || EXTENSION_PLACES[type]?.includes(element.$type)) continue;
        const places = EXTENSION_PLACES[type];
        this.error(
          element,
          `${describe(element)}: ${type.toLowerCase()} has no meaning on a ${element.$type}; ${places ? `it belongs on ${places.join(', ')}` : 'it belongs inside another fupin element'}`,
        );
      }
    }
  }

  /** Data inputs and outputs of activities belong to data objects, which are not supported. */
  private checkDataFlow(): void {
    for (const element of this.flowElements) {
      const kind = this.classes.get(element);
      if (kind !== 'task' && kind !== 'call') continue;
      const associations = [...((element.dataInputAssociations ?? []) as El[]), ...((element.dataOutputAssociations ?? []) as El[])];
      if (!element.ioSpecification && associations.length === 0) continue;
      const named = associations.filter((association) => association.id !== undefined).map((association) => `'${association.id}'`);
      this.error(
        element,
        `${describe(element)}: its data inputs and outputs (ioSpecification, data associations${named.length > 0 ? ` ${named.join(', ')}` : ''}) are not supported: case data are the fields of the forms (fupin:field)`,
      );
    }
  }

  /**
   * Boundary events in the subset: on a user task, one timer (its deadline: interrupting
   * with one flow, where the case goes when the time is up, or non-interrupting with none)
   * and escalation boundary events without flows (rungs of its escalation ladder).
   */
  private checkBoundaries(): void {
    for (const [host, boundaries] of this.boundariesOf) {
      // On an unsupported element they were named with it.
      if (this.classes.get(host) === 'unsupported') continue;
      for (const boundary of boundaries) {
        const definitions = (boundary.eventDefinitions ?? []) as El[];
        const type = definitions.length === 1 ? definitions[0].$type : undefined;
        const out = this.outgoing.get(boundary) ?? [];
        const hostClass = this.classes.get(host);
        if (hostClass !== 'task' && hostClass !== 'call') {
          this.unsupported(boundary, 'only a user task or a call activity has boundary events (its deadline and escalations)');
        } else if (type === 'bpmn:TimerEventDefinition') {
          const interrupting = boundary.cancelActivity !== false;
          if (hostClass === 'call' && interrupting) {
            // The engine never cuts a called case short: a call step's deadline only reminds and escalates.
            this.unsupported(boundary, `an interrupting timer on the call activity '${host.id}': a call step waits for the case it started; its deadline only escalates (make the timer non-interrupting)`);
          } else if (this.timerOf.has(host)) {
            this.unsupported(boundary, `a second timer on '${host.id}': a task has one deadline (its escalation ladder says what happens after it)`);
          } else if (interrupting && out.length !== 1) {
            this.unsupported(boundary, `an interrupting timer needs exactly one outgoing flow, where the case goes when the time is up; it has ${out.length}`);
          } else if (!interrupting && out.length > 0) {
            this.unsupported(boundary, 'a non-interrupting timer only reminds and escalates: its outgoing flows have no meaning here; remove them, or make the timer interrupting');
          } else {
            this.timerOf.set(host, boundary);
          }
        } else if (type === 'bpmn:EscalationEventDefinition') {
          if (out.length > 0) this.unsupported(boundary, 'an escalation only alerts: its outgoing flows have no meaning here');
          else this.escalationsOf.set(host, [...(this.escalationsOf.get(host) ?? []), boundary]);
        } else {
          this.unsupported(boundary, `a boundary event with ${definitionNames(definitions)} is not supported: a task's boundary events are its deadline (timer) and escalations`);
        }
      }
    }
  }

  /** A lane named `role@level` says who acts on the nodes in it; any other lane is only a drawing. */
  private indexLanes(laneSets: El[]): void {
    for (const laneSet of laneSets) {
      for (const lane of (laneSet.lanes ?? []) as El[]) {
        for (const node of (lane.flowNodeRef ?? []) as El[]) if (typeof lane.name === 'string') this.laneOf.set(node, lane.name);
        // Nested lanes are more specific: indexed after, they win.
        if (lane.childLaneSet) this.indexLanes([lane.childLaneSet as El]);
      }
    }
  }

  private classify(element: El): NodeClass {
    const definitions = (element.eventDefinitions ?? []) as El[];
    const out = this.outgoing.get(element) ?? [];
    const into = this.incoming.get(element) ?? [];
    switch (element.$type) {
      case 'bpmn:StartEvent':
        if (definitions.length === 0) return 'start';
        this.unsupported(element, `a start event triggered by ${definitionNames(definitions)} is not supported: a case is started by a person (plain start event)`);
        return 'unsupported';
      case 'bpmn:EndEvent':
        if (definitions.length === 0 || (definitions.length === 1 && definitions[0].$type === 'bpmn:TerminateEventDefinition')) return 'end';
        this.unsupported(element, `an end event with ${definitionNames(definitions)} is not supported: use a plain or a terminate end event`);
        return 'unsupported';
      case 'bpmn:UserTask':
        return 'task';
      case 'bpmn:CallActivity':
        return 'call';
      case 'bpmn:BoundaryEvent':
        return 'boundary';
      case 'bpmn:IntermediateThrowEvent':
        if (definitions.length === 0 && out.length === 1 && (out[0].targetRef as El | undefined)?.$type === 'bpmn:ParallelGateway') return 'regionEnd';
        break;
      case 'bpmn:ExclusiveGateway': {
        const direction = element.gatewayDirection as string | undefined;
        if (out.length === 0) {
          this.unsupported(element, 'an exclusive gateway without outgoing flows leads nowhere');
          return 'unsupported';
        }
        if (direction === 'Converging' && out.length === 1) return 'merge';
        if (direction === 'Diverging' || out.length > 1) return 'decision';
        return 'merge';
      }
      case 'bpmn:ParallelGateway': {
        const direction = element.gatewayDirection as string | undefined;
        if (direction === 'Diverging' || (direction !== 'Converging' && into.length <= 1 && out.length > 1)) return 'split';
        if (direction === 'Converging' || (into.length > 1 && out.length <= 1)) return 'join';
        this.unsupported(
          element,
          into.length > 1
            ? 'a parallel gateway that both joins and splits is not supported: draw a join followed by a split'
            : "a parallel gateway with one way in and one way out does nothing; set gatewayDirection to 'Diverging' for a parallel step with a single branch",
        );
        return 'unsupported';
      }
      default:
        break;
    }
    this.unsupported(element, UNSUPPORTED[element.$type] ?? 'it is outside the subset of BPMN the engine runs');
    return 'unsupported';
  }

  /** A key from an id or name: the text if it is a valid name, else made one; never used twice. */
  private newKey(text: string, prefix: string, used: Set<string> = this.usedKeys): string {
    let base = NAME.test(text) ? text : text.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(base)) base = `${prefix}${base}`;
    base = base.slice(0, 64);
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base.slice(0, 64 - String(n).length - 1)}_${n}`;
    used.add(key);
    return key;
  }

  private findStart(): El | undefined {
    const starts = this.flowElements.filter((element) => this.classes.get(element) === 'start');
    if (starts.length === 0) {
      this.error(this.process, `${describe(this.process)} has no plain start event: a case starts there`);
      return undefined;
    }
    for (const extra of starts.slice(1)) this.unsupported(extra, `a second start event: a process has one, where '${starts[0].id}' is`);
    const start = starts[0];
    this.accounted.add(start.id as string);
    return start;
  }

  private startWay(start: El): Way | undefined {
    const out = this.outgoing.get(start) ?? [];
    if (out.length !== 1) {
      this.error(start, `${describe(start)} needs exactly one outgoing flow, to the first step; it has ${out.length}`);
      for (const flow of out) this.accounted.add(flow.id as string);
      return undefined;
    }
    const way = this.wayOf(out[0]);
    // Still returned: the steps behind it are read, and their problems reported, too.
    if (way && way.kind !== 'node') this.error(out[0], `${describe(out[0])} must lead from the start event to a step, not to a ${way.kind === 'join' ? 'join' : 'decision'}${notImported(wayParts(way))}`);
    return way;
  }

  // -------------------------------------------------------------------------
  // Pass 1: where each flow leads, and which scope each step belongs to
  // -------------------------------------------------------------------------

  private wayOf(flow: El, seen: Set<El> = new Set()): Way | undefined {
    if (this.ways.has(flow)) return this.ways.get(flow);
    this.accounted.add(flow.id as string);
    const way = this.resolve(flow, seen);
    this.ways.set(flow, way);
    return way;
  }

  private resolve(flow: El, seen: Set<El>): Way | undefined {
    const target = flow.targetRef as El | undefined;
    if (!target) return undefined;
    const kind = this.classes.get(target);
    if (kind === undefined) {
      this.error(flow, `${describe(flow)} leads to '${target.id}', which is not an element of process '${this.process.id}'`);
      return undefined;
    }
    if (STEP_CLASSES.has(kind)) return { kind: 'node', node: target, through: [] };
    if (kind === 'join') return { kind: 'join', join: target, flow, through: [] };
    if (kind === 'merge' || kind === 'decision') {
      this.accounted.add(target.id as string);
      if (seen.has(target)) {
        this.error(target, `${describe(target)} is part of a loop of gateways with no step in between`);
        return undefined;
      }
      if (seen.size >= LIMITS.gatewaysInARow) {
        this.error(target, `${describe(target)} follows more than ${LIMITS.gatewaysInARow} gateways in a row`);
        return undefined;
      }
      const inner = new Set(seen).add(target);
      if (kind === 'decision') return this.decision(target, inner);
      const next = this.outgoing.get(target)![0];
      const way = this.wayOf(next, inner);
      return way && { ...way, through: [target, next, ...way.through] };
    }
    if (kind === 'start') this.error(flow, `${describe(flow)} leads back into the start event`);
    if (kind === 'boundary') this.error(flow, `${describe(flow)} leads into a boundary event`);
    return undefined;
  }

  /** The branches of a decision: conditional flows in document order, then the one without a condition. */
  private decision(gateway: El, seen: Set<El>): Way | undefined {
    const out = this.outgoing.get(gateway)!;
    const fallback = out.filter((flow) => flow === gateway.default || !flow.conditionExpression);
    if (fallback.length > 1) {
      this.error(gateway, `${describe(gateway)} has ${fallback.length} ways out without a condition (${fallback.map((f) => `'${f.id}'`).join(', ')}): only one can be taken when no condition holds`);
    }
    if (gateway.default && (gateway.default as El).conditionExpression) {
      this.error(gateway.default as El, `${describe(gateway.default as El)} is the default flow of '${gateway.id}' and also has a condition: a default flow is taken when no condition holds`);
    }
    const ordered = [...out.filter((flow) => !fallback.includes(flow)), ...fallback];
    const branches: { flow: El; way: Way }[] = [];
    for (const flow of ordered) {
      const way = this.wayOf(flow, seen);
      if (way?.kind === 'decision') {
        this.error(
          way.gateway,
          `${describe(way.gateway)} follows right after the decision '${gateway.id}': a decision right after a decision is not supported; combine their conditions, or put a task between them${notImported(wayParts(way).filter((part) => part !== way.gateway))}`,
        );
      } else if (way) {
        branches.push({ flow, way });
      }
    }
    return { kind: 'decision', gateway, branches, through: [] };
  }

  /** Breadth-first from a scope's first steps; a split's branches are visited as scopes of their own. */
  private visit(scope: Scope, first: Way | undefined): void {
    const queue: { node: El; via?: El }[] = [];
    const enqueue = (way: Way | undefined, via?: El): void => {
      if (!way) return;
      if (way.kind === 'node') queue.push({ node: way.node, via });
      else if (way.kind === 'decision') for (const branch of way.branches) enqueue(branch.way, branch.flow);
      else if (scope.region) {
        scope.joins.add(way.join);
        scope.joinFlows.add(way.flow);
      } else {
        this.strayJoins.set(way.join, [...(this.strayJoins.get(way.join) ?? []), way.flow]);
      }
    };
    enqueue(first);
    for (let next = 0; next < queue.length; next++) {
      const { node, via } = queue[next];
      const kind = this.classes.get(node)!;
      const owner = this.owner.get(node);
      if (kind === 'end') {
        // End events end the case from anywhere: always top-level final steps.
        if (!owner) this.own(node, this.top);
        continue;
      }
      if (owner) {
        if (owner !== scope) this.crossing(node, { scope: owner, via: this.claimedVia.get(node) }, { scope, via });
        continue;
      }
      this.own(node, scope);
      this.claimedVia.set(node, via);
      if (kind === 'task' || kind === 'call') {
        const timer = this.timerOf.get(node);
        for (const flow of [...(this.outgoing.get(node) ?? []), ...(timer ? (this.outgoing.get(timer) ?? []) : [])]) enqueue(this.wayOf(flow), flow);
      } else if (kind === 'regionEnd') {
        const flow = this.outgoing.get(node)![0];
        const way = this.wayOf(flow);
        if (!scope.region) this.error(node, `${describe(node)} marks the end of a parallel branch but is not inside one`);
        enqueue(way, flow);
      } else if (kind === 'split') {
        const next = this.visitSplit(node, scope);
        if (next) enqueue(next.way, next.flow);
      }
    }
  }

  /**
   * A step reached from two scopes (a branch and the top level, or two branches): a flow
   * crosses a block's boundary. Reported at the flow from inside a branch, the likelier
   * mistake (a branch that skips its join), naming the other way in.
   */
  private crossing(node: El, first: { scope: Scope; via?: El }, second: { scope: Scope; via?: El }): void {
    const [inside, other] = second.scope.region && !first.scope.region ? [second, first] : [first, second];
    const flow = inside.via ?? other.via;
    if (!flow) return;
    const split = inside.scope.region?.split ?? other.scope.region?.split;
    const also = other.via && other.via !== flow ? ` and also by ${describe(other.via)}` : '';
    this.error(
      flow,
      `${describe(flow)} crosses the boundary of the parallel block of '${split?.id}': '${node.id}' is reached by it${also}; only well-nested blocks are supported — the branches of a parallel split meet again at its join, and only an end event can be reached from inside a branch`,
    );
  }

  private own(node: El, scope: Scope): void {
    this.owner.set(node, scope);
    scope.members.push(node);
    this.accounted.add(node.id as string);
  }

  /** Visits a split's branches, finds their join, and returns the way on after it (onDone). */
  private visitSplit(split: El, scope: Scope): { way: Way | undefined; flow: El } | undefined {
    if (scope.depth >= LIMITS.parallelNesting) {
      this.error(split, `${describe(split)} is inside more than ${LIMITS.parallelNesting} parallel blocks`);
      return undefined;
    }
    const regions: Scope[] = [];
    for (const flow of this.outgoing.get(split) ?? []) {
      const region: Scope = { region: { split, flow }, members: [], joins: new Set(), joinFlows: new Set(), depth: scope.depth + 1 };
      regions.push(region);
      const way = this.wayOf(flow);
      if (way?.kind === 'decision') {
        this.error(way.gateway, `${describe(way.gateway)} follows right after the parallel split '${split.id}': a branch starts with a step${notImported(wayParts(way).filter((part) => part !== way.gateway))}`);
      } else {
        this.visit(region, way);
      }
    }
    this.regionsOf.set(split, regions);
    const joins = new Set(regions.flatMap((region) => [...region.joins]));
    if (joins.size === 0) {
      this.error(split, `${describe(split)} has no matching parallel join: its branches never meet again`);
      return undefined;
    }
    if (joins.size > 1) {
      this.error(split, `${describe(split)} is not well-nested: its branches meet at different joins (${[...joins].map((j) => `'${j.id}'`).join(', ')})`);
      return undefined;
    }
    const join = [...joins][0];
    this.accounted.add(join.id as string);
    this.joinOf.set(split, join);
    this.splitOf.set(join, split);
    const fromBranches = new Set(regions.flatMap((region) => [...region.joinFlows]));
    for (const flow of this.incoming.get(join) ?? []) {
      if (!fromBranches.has(flow)) {
        this.error(flow, `${describe(flow)} reaches the join '${join.id}' from outside the branches of '${split.id}': only well-nested blocks are supported`);
      }
    }
    const out = this.outgoing.get(join) ?? [];
    if (out.length !== 1) {
      this.error(join, `${describe(join)} needs exactly one outgoing flow, to where the case goes when every branch is done; it has ${out.length}`);
      return undefined;
    }
    const way = this.wayOf(out[0]);
    if (way && way.kind !== 'node') {
      this.error(out[0], `${describe(out[0])} must lead from the join to a step, not to a ${way.kind === 'join' ? 'join' : 'decision'}${notImported(wayParts(way))}`);
      return undefined;
    }
    if (way) this.onDoneOf.set(split, way.node);
    return { way, flow: out[0] };
  }

  private reportStrayJoins(): void {
    for (const [join, flows] of this.strayJoins) {
      const split = this.splitOf.get(join);
      if (split) {
        for (const flow of flows) this.error(flow, `${describe(flow)} reaches the join '${join.id}' of '${split.id}' from outside its branches: only well-nested blocks are supported`);
      } else {
        this.unsupported(join, 'a parallel join without a matching parallel split (only well-nested split/join pairs are supported)');
        this.classes.set(join, 'unsupported');
      }
    }
  }

  /** Every flow element must have been mapped or named in an issue by now. */
  private sweep(): void {
    // What lies downstream of an unsupported element is not reached because of it.
    const behind = new Set<El>();
    const queue = this.flowElements.filter((element) => this.classes.get(element) === 'unsupported');
    for (let index = 0; index < queue.length; index++) {
      const element = queue[index];
      const next = [...(this.outgoing.get(element) ?? []), ...(this.boundariesOf.get(element) ?? []).flatMap((b) => this.outgoing.get(b) ?? [])]
        .map((flow) => flow.targetRef as El | undefined)
        .filter((target): target is El => target !== undefined && !behind.has(target));
      for (const target of next) {
        behind.add(target);
        queue.push(target);
      }
    }
    for (const element of this.flowElements) {
      if (this.accounted.has(element.id as string)) continue;
      const host = element.attachedToRef as El | undefined;
      // Read with its task (as its deadline or a rung).
      if (host && this.owner.has(host) && (this.timerOf.get(host) === element || this.escalationsOf.get(host)?.includes(element))) continue;
      this.unsupported(element, behind.has(element) ? 'it is reached only through elements that are not supported' : 'it cannot be reached from the start event along the sequence flows');
    }
  }

  // -------------------------------------------------------------------------
  // Pass 2: the definition
  // -------------------------------------------------------------------------

  /** Records that an element became (part of) the definition at a path, for positions and for `elements`. */
  private note(path: readonly (string | number)[], ...elements: (El | undefined)[]): void {
    const dotted = path.join('.');
    for (const element of elements) {
      if (element?.id === undefined) continue;
      if (!this.origins.has(dotted)) this.origins.set(dotted, element);
      this.elements[element.id as string] ??= dotted;
    }
  }

  private build(start: El, first: Way | undefined): WorkflowDefinition {
    const process = this.process;
    const workflow = extensionOf(process, 'fupin:Workflow');
    const key = (workflow?.key as string | undefined) ?? workflowKey(String(process.id));
    const startExt = extensionOf(start, 'fupin:Start');
    const assignee = this.assignee(start, startExt);
    const description = ((process.documentation ?? []) as El[]).map((doc) => doc.text as string | undefined).find((text) => text !== undefined);
    this.note([], process);
    this.note(['start'], start);
    const startFlow = this.outgoing.get(start)?.[0];
    this.note(['initial'], startFlow, ...(first?.through ?? []));
    return defined({
      key,
      version: (workflow?.version as number | undefined) ?? 1,
      label: label(process.name) ?? key,
      labelEn: workflow?.labelEn,
      description,
      start: defined({ role: assignee.role, level: assignee.level, fields: fieldsFromXml(startExt?.fields as El[] | undefined, this.problemOn(start)) }),
      access: workflow?.access ? defined({ pairedCountyRead: (workflow.access as El).pairedCountyRead }) : undefined,
      titleField: workflow?.titleField,
      params: this.params(workflow),
      initial: first?.kind === 'node' ? this.keys.get(first.node) : undefined,
      steps: this.steps(this.top, ['steps']),
    }) as unknown as WorkflowDefinition;
  }

  private params(workflow: El | undefined): Record<string, Expression> | undefined {
    const elements = (workflow?.params ?? []) as El[];
    if (elements.length === 0) return undefined;
    const params: Record<string, Expression> = {};
    for (const element of elements) {
      const value = parseJsonText(element.value as string | undefined, `fupin:param '${element.name}'`, this.problemOn(this.process));
      if (value !== undefined) setOwn(params, String(element.name), value);
    }
    return params;
  }

  private problemOn(element: El): (message: string) => void {
    return (message) => this.error(element, `${describe(element)}: ${message}`);
  }

  private steps(scope: Scope, path: string[]): Record<string, StepDefinition> {
    const steps: Record<string, StepDefinition> = {};
    const members = [...scope.members].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    for (const node of members) {
      const key = this.keys.get(node)!;
      const stepPath = [...path, key];
      this.note(stepPath, node);
      setOwn(steps, key, this.step(node, scope, stepPath));
    }
    if (scope.synthetic !== undefined) {
      // Made up for flows that run straight into the join; they are this step.
      setOwn(steps, scope.synthetic, { label: `${label(scope.region!.flow.name) ?? '分支'}完成`, type: 'final' });
      this.note([...path, scope.synthetic], ...scope.joinFlows);
    }
    return steps;
  }

  private step(node: El, scope: Scope, path: string[]): StepDefinition {
    const ext = extensionOf(node, 'fupin:Step');
    const common = { label: label(node.name) ?? this.keys.get(node)!, labelEn: ext?.labelEn as string | undefined };
    switch (this.classes.get(node)) {
      case 'end':
        return defined({ ...common, type: 'final', status: ext?.status }) as unknown as StepDefinition;
      case 'regionEnd': {
        // Its flow into the join is part of it.
        const flow = this.outgoing.get(node)![0];
        this.note(path, flow, ...(this.ways.get(flow)?.through ?? []));
        return defined({ ...common, type: 'final', status: ext?.status }) as unknown as StepDefinition;
      }
      case 'split':
        return this.parallel(node, ext, common, path);
      case 'call':
        return this.call(node, scope, ext, common, path);
      default:
        return this.task(node, scope, ext, common, path);
    }
  }

  private parallel(split: El, ext: El | undefined, common: { label: string; labelEn?: string }, path: string[]): StepDefinition {
    const regions: Record<string, RegionDefinition> = {};
    const regionKeys = new Set<string>();
    for (const region of this.regionsOf.get(split) ?? []) {
      const flow = region.region!.flow;
      const regionExt = extensionOf(flow, 'fupin:Region');
      const stated = regionExt?.key as string | undefined;
      if (stated !== undefined && regionKeys.has(stated)) {
        this.error(flow, `${describe(flow)}: another branch of '${split.id}' is region '${stated}' (fupin:region key); region keys are unique per parallel step`);
        continue;
      }
      const key = stated ?? this.newKey(nameOr(flow), 'r_', regionKeys);
      regionKeys.add(key);
      const regionPath = [...path, 'regions', key];
      const way = this.ways.get(flow);
      this.note(regionPath, flow, ...(way?.through ?? []));
      const initial = way?.kind === 'node' ? this.keys.get(way.node) : way?.kind === 'join' ? this.syntheticOf(region) : undefined;
      setOwn(
        regions,
        key,
        defined({ label: label(flow.name), labelEn: regionExt?.labelEn, initial, steps: this.steps(region, [...regionPath, 'steps']) }) as unknown as RegionDefinition,
      );
    }
    const join = this.joinOf.get(split);
    const out = join ? this.outgoing.get(join)?.[0] : undefined;
    this.note(path, join);
    this.note([...path, 'onDone'], out, ...((out && this.ways.get(out)?.through) ?? []));
    const onDone = this.onDoneOf.get(split);
    return defined({
      ...common,
      type: 'parallel',
      caseStatus: ext?.caseStatus,
      regions,
      onDone: onDone ? this.keys.get(onDone) : undefined,
    }) as unknown as StepDefinition;
  }

  /** The final step made up for a branch whose flows run straight into its join. */
  private syntheticOf(scope: Scope): string {
    if (scope.synthetic === undefined) {
      const flow = scope.region!.flow;
      const base = (extensionOf(flow, 'fupin:Region')?.key as string | undefined) ?? String(flow.id);
      scope.synthetic = this.newKey(`${base}Done`, 's_');
    }
    return scope.synthetic;
  }

  /** The step a way leads to from a scope: a step's key, or the end of the branch it is in. */
  private targetOf(way: Way, scope: Scope): string | undefined {
    if (way.kind === 'node') return this.keys.get(way.node);
    if (way.kind === 'join' && scope.region && this.joinOf.get(scope.region.split) === way.join) return this.syntheticOf(scope);
    return undefined;
  }

  private task(node: El, scope: Scope, ext: El | undefined, common: { label: string; labelEn?: string }, path: string[]): StepDefinition {
    const assignee = this.assignee(node, ext);
    const built: { flow: El; key: string; action: ActionDefinition }[] = [];
    const used = new Set<string>();
    const timer = this.timerOf.get(node);
    const timerFlow = timer ? this.outgoing.get(timer)?.[0] : undefined;
    const timerExt = timer ? extensionOf(timer, 'fupin:Deadline') : undefined;
    // An interrupting timer's flow is the system's action when the time is up, unless
    // fupin:deadline onExpire names a user's action it takes instead.
    const systemFlow = timerFlow && timerExt?.onExpire === undefined ? timerFlow : undefined;
    for (const flow of [...(this.outgoing.get(node) ?? []), ...(systemFlow ? [systemFlow] : [])]) {
      const action = this.action(flow, scope, flow === systemFlow, used);
      if (action) built.push({ flow, ...action });
    }
    // Document order, the order bpmn-export.ts wrote them in.
    built.sort((a, b) => this.order.get(a.flow)! - this.order.get(b.flow)!);
    const actions: Record<string, ActionDefinition> = {};
    for (const { flow, key, action } of built) {
      setOwn(actions, key, action);
      this.noteAction([...path, 'actions', key], flow, action);
    }
    const onExpire = systemFlow ? built.find((entry) => entry.flow === systemFlow)?.key : (timerExt?.onExpire as string | undefined);
    if (timerFlow && !systemFlow) this.checkExpireFlow(node, timerFlow, onExpire!, [...path, 'deadline', 'onExpire']);
    const assignment = ext?.assignment as El | undefined;
    return defined({
      ...common,
      role: assignee.role,
      level: assignee.level,
      caseStatus: ext?.caseStatus,
      countersign: this.countersign(node, ext, actions),
      deadline: timer ? this.deadline(node, timer, timerFlow ? onExpire : undefined, path) : undefined,
      actions: built.length > 0 ? actions : undefined,
      assignment: assignment ? defined({ transfer: assignment.transfer, delegate: assignment.delegate, addSigner: assignment.addSigner }) : undefined,
    }) as unknown as StepDefinition;
  }

  /** An action from a flow leaving a task (or its deadline timer: then a system action by default). */
  private action(flow: El, scope: Scope, fromTimer: boolean, used: Set<string>): { key: string; action: ActionDefinition } | undefined {
    const ext = extensionOf(flow, 'fupin:Action');
    const stated = ext?.key as string | undefined;
    if (stated !== undefined && used.has(stated)) {
      this.error(flow, `${describe(flow)}: '${(flow.sourceRef as El).id}' has another flow that is action '${stated}' (fupin:action key); action keys are unique per step`);
      return undefined;
    }
    const key = stated ?? this.newKey(nameOr(flow), 'a_', used);
    used.add(key);
    const way = this.ways.get(flow);
    if (!way) return undefined;
    const action = defined({
      label: label(flow.name) ?? (fromTimer ? '期满' : key),
      labelEn: ext?.labelEn,
      kind: (ext?.kind as ActionKind | undefined) ?? (fromTimer ? 'complete' : way.kind === 'decision' ? 'decide' : 'submit'),
      ...this.wayFields(way, scope),
      fields: fieldsFromXml(ext?.fields as El[] | undefined, this.problemOn(flow)),
      guard: flow.conditionExpression ? this.condition(flow) : undefined,
      guardMessage: ext?.guardMessage,
      system: (ext?.system as boolean | undefined) ?? (fromTimer && !ext ? true : undefined),
      allowSystem: ext?.allowSystem,
      withdrawable: ext?.withdrawable,
    }) as unknown as ActionDefinition;
    return { key, action };
  }

  /** The flow, the gateways on its way and the branch flows, at the paths of the action they became. */
  private noteAction(path: (string | number)[], flow: El, action: ActionDefinition): void {
    const way = this.ways.get(flow);
    this.note(path, flow, ...(way?.through ?? []));
    if (way?.kind !== 'decision') return;
    const list = action.returnTo !== undefined ? 'returnTo' : 'branches';
    this.note([...path, list], way.gateway);
    way.branches.forEach((branch, index) => this.note([...path, list, index], branch.flow, ...branch.way.through));
  }

  /** `target`, or `branches`, or — a decision on the step the user picked — `returnTo`. */
  private wayFields(way: Way, scope: Scope): Pick<ActionDefinition, 'target' | 'branches' | 'returnTo'> {
    if (way.kind !== 'decision') return { target: this.targetOf(way, scope) };
    const branches = this.branches(way, scope);
    const targets = branches.map((branch) => branch.target);
    const returnTo = returnToBranches(targets);
    if (branches.length > 0 && branches.every((branch, index) => sameJson(branch.when, returnTo[index].when))) return { returnTo: targets };
    return { branches };
  }

  private branches(way: Extract<Way, { kind: 'decision' }>, scope: Scope): BranchDefinition[] {
    return way.branches.map(
      ({ flow, way: branchWay }) =>
        defined({
          when: flow.conditionExpression ? this.condition(flow) : undefined,
          target: this.targetOf(branchWay, scope),
          label: label(flow.name),
        }) as unknown as BranchDefinition,
    );
  }

  /** A condition in the closed JSON expression language; other languages are reported. */
  private condition(flow: El): Expression | undefined {
    const expression = flow.conditionExpression as El;
    const language = expression.language as string | undefined;
    if (language !== undefined && language !== EXPRESSION_LANGUAGE && !/json/i.test(language)) {
      this.error(flow, `${describe(flow)}: a condition in ${language} is not supported: conditions are JSON in the closed expression language (language="${EXPRESSION_LANGUAGE}")`);
      return undefined;
    }
    return parseJsonText(expression.body as string | undefined, 'the condition', this.problemOn(flow));
  }

  private assignee(node: El, ext: El | undefined): { role?: Role; level?: Level } {
    const stated = { role: ext?.role as Role | undefined, level: ext?.level as Level | undefined };
    if (stated.role !== undefined && stated.level !== undefined) return stated;
    const lane = this.laneOf.get(node);
    const text = this.candidateGroups(node) ?? this.performer(node) ?? lane;
    if (text === undefined) return stated;
    const parsed = parseAssignee(text);
    if (!parsed) {
      // A lane is only a drawing unless it names a role; the other sources were meant to.
      if (text !== lane) this.error(node, `${describe(node)}: '${text}' does not say who acts; write role@level, e.g. reviewer@county`);
      return stated;
    }
    return { role: stated.role ?? parsed.role, level: stated.level ?? parsed.level };
  }

  /** Camunda's candidateGroups, under whatever prefix the file binds its namespace to. */
  private candidateGroups(node: El): string | undefined {
    const attrs = (node.$attrs ?? {}) as Record<string, string>;
    const name = Object.keys(attrs).find((attribute) => /(^|:)candidateGroups$/.test(attribute));
    if (name === undefined) return undefined;
    const groups = attrs[name].split(',').map((group) => group.trim()).filter(Boolean);
    if (groups.length > 1) this.error(node, `${describe(node)}: candidate groups '${attrs[name]}' name several; one role@level acts on a step`);
    return groups[0];
  }

  /** A potential owner (or other performer): its assignment expression, or the name of its resource. */
  private performer(node: El): string | undefined {
    const roles = (node.resources ?? []) as El[];
    if (roles.length === 0) return undefined;
    if (roles.length > 1) this.error(node, `${describe(node)} has ${roles.length} performers; one role@level acts on a step`);
    const role = roles[0];
    const expression = (role.resourceAssignmentExpression as El | undefined)?.expression as El | undefined;
    const text = (expression?.body as string | undefined) ?? ((role.resourceRef as El | undefined)?.name as string | undefined) ?? (role.name as string | undefined);
    return text?.trim();
  }

  /**
   * A task's deadline: its timer (checkBoundaries made sure it is in the subset), with the
   * rungs of its fupin:deadline and of the task's escalation boundary events.
   */
  private deadline(node: El, timer: El, onExpire: string | undefined, path: string[]): DeadlineDefinition {
    const deadlinePath = [...path, 'deadline'];
    this.note(deadlinePath, timer);
    const ext = extensionOf(timer, 'fupin:Deadline');
    const definition = (timer.eventDefinitions as El[])[0];
    if (definition.timeDate || definition.timeCycle) {
      this.error(timer, `${describe(timer)}: a deadline is a duration (timeDuration), not a date or a cycle`);
    }
    const iso = ((definition.timeDuration as El | undefined)?.body as string | undefined)?.trim();
    const stated = ext?.duration as string | undefined;
    if (stated !== undefined && iso !== undefined && isoDuration(stated) !== iso) {
      this.error(timer, `${describe(timer)}: its timeDuration ${iso} says otherwise than its fupin:deadline duration ${stated}`);
    }
    const duration = stated ?? iso;
    if (duration === undefined) this.error(timer, `${describe(timer)} has no duration: set timeDuration (e.g. P5D) or fupin:deadline duration (e.g. 5wd)`);
    else if (!DURATION.test(duration)) this.error(timer, `${describe(timer)}: duration '${duration}' is not supported; a duration is e.g. 5wd (working days, in fupin:deadline), P7D, PT12H or PT30M`);
    const rungs: EscalationRung[] = ((ext?.escalation ?? []) as El[]).map(rungFromXml);
    for (const escalation of this.escalationsOf.get(node) ?? []) {
      this.note([...deadlinePath, 'escalation', rungs.length], escalation);
      rungs.push(this.escalationRung(escalation));
    }
    return defined({
      duration,
      reminderBefore: ext?.reminderBefore,
      restartOnReturn: ext?.restartOnReturn,
      onExpire,
      escalation: rungs.length > 0 ? rungs : undefined,
    }) as unknown as DeadlineDefinition;
  }

  /** fupin:deadline onExpire names a user's action: the timer's flow must lead where that action's does. */
  private checkExpireFlow(node: El, timerFlow: El, onExpire: string, path: string[]): void {
    this.note(path, timerFlow, ...(this.ways.get(timerFlow)?.through ?? []));
    const actionFlow = (this.outgoing.get(node) ?? []).find((flow) => extensionOf(flow, 'fupin:Action')?.key === onExpire);
    if (!actionFlow) {
      this.error(timerFlow.sourceRef as El, `${describe(timerFlow.sourceRef as El)}: fupin:deadline onExpire '${onExpire}' is not an action (flow) of '${node.id}'`);
    } else if (actionFlow.targetRef !== timerFlow.targetRef) {
      this.error(timerFlow, `${describe(timerFlow)} leads to '${(timerFlow.targetRef as El).id}', but action '${onExpire}' (fupin:deadline onExpire) leads to '${(actionFlow.targetRef as El).id}'`);
    }
  }

  /** An escalation boundary event: a rung, from its fupin:escalation or its escalation's code `role@level` (at the due time). */
  private escalationRung(boundary: El): EscalationRung {
    const ext = extensionOf(boundary, 'fupin:Escalation');
    if (ext) return rungFromXml(ext);
    const code = (((boundary.eventDefinitions as El[])[0].escalationRef as El | undefined)?.escalationCode as string | undefined) ?? '';
    const parsed = parseAssignee(code);
    if (!parsed) this.error(boundary, `${describe(boundary)}: say whom it alerts, with fupin:escalation or an escalation code role@level (e.g. supervisor@county)`);
    return { after: '0wd', notify: { role: parsed?.role ?? ('' as Role), level: parsed?.level ?? ('' as Level) } };
  }

  /**
   * A multi-instance user task is a countersign: no completion condition is `all` (every
   * voter), one completed instance `any`, approvals (or completions) over instances at
   * least r is `ratio` r. Its votes are the actions fupin:countersign names, by default the
   * task's only `approve` action and its only `reject` (or else `return`) action.
   */
  private countersign(node: El, ext: El | undefined, actions: Record<string, ActionDefinition>): CountersignDefinition | undefined {
    const loop = node.loopCharacteristics as El | undefined;
    if (!loop) return undefined;
    if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
      this.error(node, `${describe(node)}: a loop (${loop.$type}) is not supported; a multi-instance user task is a countersign`);
      return undefined;
    }
    if (loop.isSequential === true) {
      this.warning(node, `${describe(node)}: sequential multi-instance is read as a countersign, whose voters vote at the same time, not in turn`);
    }
    if (loop.loopCardinality || loop.loopDataInputRef || loop.inputDataItem) {
      this.warning(node, `${describe(node)}: the voters of a countersign are everyone holding the task's role at its level; loopCardinality and the input collection are ignored`);
    }
    const condition = ((loop.completionCondition as El | undefined)?.body as string | undefined)?.trim();
    const inner = condition?.replace(/^\$\{\s*([\s\S]*?)\s*\}$/, '$1');
    let mode: CountersignDefinition['mode'] | undefined;
    let ratio: number | undefined;
    if (inner === undefined || inner === '') mode = 'all';
    else if (/^nrOfCompletedInstances\s*(>=\s*1|>\s*0)$/.test(inner)) mode = 'any';
    else {
      const share = /^nrOf(?:Approvals|Approved|CompletedInstances)\s*\/\s*nrOfInstances\s*>=\s*(\d+(?:\.\d+)?)$/.exec(inner);
      if (share) {
        mode = 'ratio';
        ratio = Number(share[1]);
      }
    }
    if (mode === undefined) {
      this.error(node, `${describe(node)}: completion condition '${condition}' is not understood; write none (all must approve), \${nrOfCompletedInstances >= 1} (the first vote decides) or \${nrOfApprovals / nrOfInstances >= 0.6} (a share must approve)`);
      return undefined;
    }
    const votes = ext?.countersign as El | undefined;
    const only = (...kinds: ActionKind[]) => {
      for (const kind of kinds) {
        const keys = Object.keys(actions).filter((key) => actions[key].kind === kind);
        if (keys.length === 1) return keys[0];
      }
      return undefined;
    };
    const approve = (votes?.approve as string | undefined) ?? only('approve');
    const reject = (votes?.reject as string | undefined) ?? only('reject', 'return');
    if (approve === undefined || reject === undefined) {
      this.error(node, `${describe(node)}: say which actions are the countersign's approve and reject votes (fupin:countersign approve="…" reject="…")`);
      return undefined;
    }
    return defined({ mode, ratio, approve, reject }) as unknown as CountersignDefinition;
  }

  private call(node: El, scope: Scope, ext: El | undefined, common: { label: string; labelEn?: string }, path: string[]): StepDefinition {
    const input: Record<string, Expression> = {};
    for (const element of (ext?.inputs ?? []) as El[]) {
      const value = parseJsonText(element.value as string | undefined, `fupin:input '${element.name}'`, this.problemOn(node));
      if (value !== undefined) setOwn(input, String(element.name), value);
    }
    return defined({
      ...common,
      type: 'call',
      caseStatus: ext?.caseStatus,
      call: defined({ workflow: node.calledElement, input: Object.keys(input).length > 0 ? input : undefined }),
      outcomes: this.outcomes(node, scope, [...path, 'outcomes']),
      deadline: this.timerOf.has(node) ? this.deadline(node, this.timerOf.get(node)!, undefined, path) : undefined,
    }) as unknown as StepDefinition;
  }

  /** Where a call step goes when the child case ends: one flow (maybe into a decision), or conditional flows and a default. */
  private outcomes(node: El, scope: Scope, path: string[]): BranchDefinition[] | undefined {
    const out = this.outgoing.get(node) ?? [];
    if (out.length === 0) return undefined;
    const only = out.length === 1 ? this.ways.get(out[0]) : undefined;
    if (only?.kind === 'decision' && !out[0].conditionExpression) {
      this.note(path, out[0], ...only.through, only.gateway);
      only.branches.forEach((branch, index) => this.note([...path, index], branch.flow, ...branch.way.through));
      return this.branches(only, scope);
    }
    const ordered = [...out.filter((flow) => flow !== node.default && flow.conditionExpression), ...out.filter((flow) => flow === node.default || !flow.conditionExpression)];
    const outcomes: BranchDefinition[] = [];
    for (const flow of ordered) {
      const way = this.ways.get(flow);
      if (!way) continue;
      if (way.kind === 'decision') {
        this.error(
          way.gateway,
          `${describe(way.gateway)}: a call activity with several outcomes puts the conditions on its own flows, or leads into one decision${notImported(wayParts(way).filter((part) => part !== way.gateway))}`,
        );
        continue;
      }
      this.note([...path, outcomes.length], flow, ...way.through);
      outcomes.push(defined({ when: flow.conditionExpression ? this.condition(flow) : undefined, target: this.targetOf(way, scope), label: label(flow.name) }) as unknown as BranchDefinition);
    }
    return outcomes;
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function describe(element: El): string {
  return `${element.$type} '${element.id ?? '(no id)'}'`;
}

/** An element and, when it has no id of its own (an extension element), the nearest one that has. */
function within(element: El): string {
  if (element.id !== undefined) return describe(element);
  for (let parent = element.$parent as El | undefined; parent; parent = parent.$parent as El | undefined) {
    if (parent.id !== undefined) return `${element.$type} in ${describe(parent)}`;
  }
  return String(element.$type);
}

/** The gateways and flows a way passes, for a message saying they go with it. */
function wayParts(way: Way | undefined): El[] {
  if (!way) return [];
  const parts = [...way.through];
  if (way.kind === 'decision') {
    parts.push(way.gateway);
    for (const branch of way.branches) parts.push(branch.flow, ...wayParts(branch.way));
  }
  return parts;
}

/** `; not imported either: bpmn:SequenceFlow 'a', …` — naming what goes with a reported element. */
function notImported(elements: El[]): string {
  const named = [...new Set(elements)].filter((element) => element.id !== undefined);
  return named.length > 0 ? `; not imported either: ${named.map(describe).join(', ')}` : '';
}

function definitionNames(definitions: El[]): string {
  return definitions.map((definition) => String(definition.$type).replace(/^bpmn:/, '').replace(/EventDefinition$/, '').toLowerCase()).join(' and ') + ' event definition';
}

/** Everything inside a sub-process (or a process), depth first. */
function nestedElements(element: El): El[] {
  const nested: El[] = [];
  const queue = [...((element.flowElements ?? []) as El[])];
  for (let next = 0; next < queue.length; next++) {
    if (queue[next].id !== undefined) nested.push(queue[next]);
    queue.push(...((queue[next].flowElements ?? []) as El[]));
  }
  return nested;
}

function allFlowElements(process: El): El[] {
  return nestedElements(process);
}

/** Modelers break long names over lines; a label is one line. */
function label(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const text = name.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return text === '' ? undefined : text;
}

/** A flow's name when it is a valid key, else its id (made one by newKey). */
function nameOr(flow: El): string {
  return typeof flow.name === 'string' && NAME.test(flow.name) ? flow.name : String(flow.id);
}

/** A workflow key from a process id: lowercase, dashes for anything else. */
function workflowKey(id: string): string {
  if (new RegExp(WORKFLOW_KEY_PATTERN).test(id)) return id;
  let key = id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (!/^[a-z]/.test(key)) key = `w-${key}`;
  key = key.slice(0, 64).replace(/-$/, '');
  return key.length >= 2 ? key : 'imported-workflow';
}

/** `role@level`, the way a lane, a candidate group, a performer or an escalation code names who acts. */
function parseAssignee(text: string): { role: Role; level: Level } | undefined {
  const parsed = /^\s*([A-Za-z]+)\s*@\s*([A-Za-z]+)\s*$/.exec(text);
  return parsed ? { role: parsed[1] as Role, level: parsed[2] as Level } : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

