/**
 * The `fupin:` BPMN extension namespace: everything of a workflow definition that BPMN 2.0
 * cannot say natively (English labels, forms, guard messages, params, escalation rungs,
 * countersign votes, assignment options, statuses …) is written as extension elements in
 * this namespace, so that export → import gives the definition back exactly.
 *
 * The namespace is a moddle package: bpmn-moddle reads these elements into typed objects
 * (attributes coerced to Boolean / Integer / Real) and writes them back, and any tool that
 * does not know the namespace (bpmn-js, Camunda Modeler) keeps them untouched.
 *
 * Also here: the two directions of the pieces that are the same wherever they appear
 * (form fields, escalation rungs, JSON bodies), so export and import share one mapping.
 */
import { BpmnModdle } from 'bpmn-moddle';
import type { ModdleElement } from 'moddle';
import type { EscalationRung, Expression, FieldDefinition, FieldType, Level, Role } from './workflow-definition.js';

/** The namespace URI. Stable: files exported today must import in every later version. */
export const FUPIN_NS = 'https://fupin-flow.example/schema/bpmn';
export const FUPIN_PREFIX = 'fupin';
/** The `language` of condition expressions written in the closed JSON expression language. */
export const EXPRESSION_LANGUAGE = `${FUPIN_NS}/expression`;

/** A moddle element: properties as the meta-model declares them, untyped here. */
export type BpmnElement = ModdleElement;

const attr = (name: string, type = 'String') => ({ name, isAttr: true, type });
const many = (name: string, type: string) => ({ name, type, isMany: true });

/**
 * The meta-model of the namespace. With `tagAlias: lowerCase` the type `Step` is the
 * element `<fupin:step>`, a many-valued property of type `Field` is written as repeated
 * `<fupin:field>` children, a String property that is not an attribute as a child
 * element holding the text (`<fupin:guardMessage>`).
 */
const fupinPackage = {
  name: 'Fupin',
  uri: FUPIN_NS,
  prefix: FUPIN_PREFIX,
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  enumerations: [],
  types: [
    {
      // On the process: what the process element has no place for.
      name: 'Workflow',
      superClass: ['Element'],
      properties: [attr('key'), attr('version', 'Integer'), attr('labelEn'), attr('titleField'), { name: 'access', type: 'Access' }, many('params', 'Param')],
    },
    { name: 'Access', superClass: ['Element'], properties: [attr('pairedCountyRead', 'Boolean')] },
    // A param's value is JSON text, the way guards read it.
    { name: 'Param', superClass: ['Element'], properties: [attr('name'), { name: 'value', type: 'String', isBody: true }] },
    // On the start event: who may start a case and the start form.
    { name: 'Start', superClass: ['Element'], properties: [attr('role'), attr('level'), many('fields', 'Field')] },
    {
      name: 'Field',
      superClass: ['Element'],
      properties: [
        attr('key'),
        attr('type'),
        attr('label'),
        attr('labelEn'),
        attr('required', 'Boolean'),
        attr('min', 'Real'),
        attr('max', 'Real'),
        attr('maxLength', 'Integer'),
        attr('maxItems', 'Integer'),
        many('options', 'Option'),
        many('columns', 'Field'),
      ],
    },
    { name: 'Option', superClass: ['Element'], properties: [attr('value'), attr('label'), attr('labelEn')] },
    {
      // On a step's node (user task, end event, parallel split, call activity, region end).
      name: 'Step',
      superClass: ['Element'],
      properties: [
        attr('labelEn'),
        attr('role'),
        attr('level'),
        attr('status'),
        attr('caseStatus'),
        { name: 'assignment', type: 'Assignment' },
        { name: 'countersign', type: 'Countersign' },
        many('inputs', 'Input'),
      ],
    },
    { name: 'Assignment', superClass: ['Element'], properties: [attr('transfer', 'Boolean'), attr('delegate', 'Boolean'), attr('addSigner', 'Boolean')] },
    // The votes of a multi-instance user task; its mode comes from the loop characteristics.
    { name: 'Countersign', superClass: ['Element'], properties: [attr('approve'), attr('reject')] },
    // A call step's start data for its child case: name and a JSON expression.
    { name: 'Input', superClass: ['Element'], properties: [attr('name'), { name: 'value', type: 'String', isBody: true }] },
    // On a parallel split's outgoing flow: the region it starts.
    { name: 'Region', superClass: ['Element'], properties: [attr('key'), attr('labelEn')] },
    {
      // On a sequence flow leaving a user task (or its deadline timer): the action it is.
      name: 'Action',
      superClass: ['Element'],
      properties: [
        attr('key'),
        attr('kind'),
        attr('labelEn'),
        attr('system', 'Boolean'),
        attr('allowSystem', 'Boolean'),
        attr('withdrawable', 'Boolean'),
        { name: 'guardMessage', type: 'String' },
        many('fields', 'Field'),
      ],
    },
    {
      // On a timer boundary event: the deadline beyond its duration.
      name: 'Deadline',
      superClass: ['Element'],
      properties: [attr('duration'), attr('reminderBefore'), attr('restartOnReturn', 'Boolean'), attr('onExpire'), many('escalation', 'Escalation')],
    },
    // A rung of the escalation ladder, in a deadline or on an escalation boundary event.
    { name: 'Escalation', superClass: ['Element'], properties: [attr('after'), attr('role'), attr('level'), attr('openCase')] },
  ],
};

export function createBpmnModdle(): BpmnModdle {
  return new BpmnModdle({ fupin: fupinPackage });
}

/** The first extension element of a type (`fupin:Step` …) on a BPMN element. */
export function extensionOf(element: BpmnElement, type: string): BpmnElement | undefined {
  const values = (element.extensionElements?.values ?? []) as BpmnElement[];
  return values.find((value) => value.$type === type);
}

/** `bpmn:extensionElements` holding the given elements, or nothing when there are none. */
export function extensionElements(moddle: BpmnModdle, values: (BpmnElement | undefined)[]): BpmnElement | undefined {
  const present = values.filter((value): value is BpmnElement => value !== undefined);
  return present.length > 0 ? moddle.create('bpmn:ExtensionElements', { values: present }) : undefined;
}

/** Attributes to set on a new element: the defined ones only, so absent stays absent. */
export function defined(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
}

// ---------------------------------------------------------------------------
// Pieces that read and write the same way wherever they appear
// ---------------------------------------------------------------------------

export function fieldsToXml(moddle: BpmnModdle, fields: Record<string, FieldDefinition> | undefined): BpmnElement[] {
  return Object.entries(fields ?? {}).map(([key, field]) =>
    moddle.create('fupin:Field', {
      ...defined({
        key,
        type: field.type,
        label: field.label,
        labelEn: field.labelEn,
        required: field.required,
        min: field.min,
        max: field.max,
        maxLength: field.maxLength,
        maxItems: field.maxItems,
      }),
      options: optionsToXml(moddle, field),
      columns: fieldsToXml(moddle, field.columns),
    }),
  );
}

function optionsToXml(moddle: BpmnModdle, field: FieldDefinition): BpmnElement[] {
  return (field.options ?? []).map((value) =>
    moddle.create('fupin:Option', defined({ value, label: field.optionLabels?.[value], labelEn: field.optionLabelsEn?.[value] })),
  );
}

/** Problems found while reading an extension, reported against the BPMN element carrying it. */
export type ExtensionProblem = (message: string) => void;

/**
 * Columns nest fields; the definition's own depth limit is far below this, so a deeper
 * nesting is refused here before anything recursive sees it.
 */
const MAX_FIELD_NESTING = 8;

export function fieldsFromXml(elements: BpmnElement[] | undefined, problem: ExtensionProblem, depth = 0): Record<string, FieldDefinition> | undefined {
  if (!elements || elements.length === 0) return undefined;
  if (depth >= MAX_FIELD_NESTING) {
    problem(`fupin:field columns are nested more than ${MAX_FIELD_NESTING} levels deep`);
    return undefined;
  }
  const fields: Record<string, FieldDefinition> = {};
  for (const element of elements) {
    const key = String(element.key ?? '');
    if (Object.hasOwn(fields, key)) problem(`fupin:field '${key}' appears twice`);
    const options = (element.options ?? []) as BpmnElement[];
    const labels = (property: 'label' | 'labelEn') =>
      options.some((option) => option[property] !== undefined)
        ? Object.fromEntries(options.filter((option) => option[property] !== undefined).map((option) => [String(option.value), String(option[property])]))
        : undefined;
    const field = defined({
      type: element.type as FieldType,
      label: element.label,
      labelEn: element.labelEn,
      required: element.required,
      options: options.length > 0 ? options.map((option) => String(option.value)) : undefined,
      optionLabels: labels('label'),
      optionLabelsEn: labels('labelEn'),
      min: element.min,
      max: element.max,
      maxLength: element.maxLength,
      columns: fieldsFromXml(element.columns as BpmnElement[] | undefined, problem, depth + 1),
      maxItems: element.maxItems,
    }) as unknown as FieldDefinition;
    setOwn(fields, key, field);
  }
  return fields;
}

export function rungsToXml(moddle: BpmnModdle, rungs: EscalationRung[] | undefined): BpmnElement[] {
  return (rungs ?? []).map((rung) =>
    moddle.create('fupin:Escalation', defined({ after: rung.after, role: rung.notify.role, level: rung.notify.level, openCase: rung.openCase })),
  );
}

export function rungFromXml(element: BpmnElement): EscalationRung {
  return defined({
    after: element.after,
    notify: { role: element.role as Role, level: element.level as Level },
    openCase: element.openCase,
  }) as unknown as EscalationRung;
}

/**
 * `map[key] = value` for keys read from a file: a key `__proto__` becomes an own property
 * (which the validator then refuses as a reserved name) instead of replacing the prototype.
 */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** JSON text of a value (a guard, a param, a call input): compact, in the value's own key order. */
export function jsonText(value: Expression): string {
  return JSON.stringify(value);
}

/** Reads JSON text; undefined (and a problem) when it is not JSON. */
export function parseJsonText(text: string | undefined, what: string, problem: ExtensionProblem): Expression | undefined {
  try {
    return JSON.parse(text ?? '') as Expression;
  } catch {
    const shown = (text ?? '').trim();
    problem(`${what} is not JSON: '${shown.length > 80 ? `${shown.slice(0, 79)}…` : shown}'`);
    return undefined;
  }
}
