/**
 * JSON Schema (draft 2020-12, checked with ajv 8) of a WorkflowDefinition.
 *
 * The schema is the first, purely structural gate: every object is closed
 * (`additionalProperties: false`) so that a typo such as `targte` is an error rather
 * than a silently ignored property, and every string, list and map is bounded so that
 * a hostile or broken definition cannot make later stages do unbounded work.
 *
 * What the schema deliberately does NOT do:
 * - Guards and branch `when` are `true` here: the closed expression language has its own
 *   iterative validator (guard-expression.ts) that also bounds depth and size, and ajv
 *   must never recurse into an arbitrarily deep expression.
 * - Cross references (targets, initial, onExpire, titleField ...) are checked by the
 *   semantic pass in definition-validator.ts, which can give far better messages.
 *
 * `$defs` names matter: the validator maps ajv errors back to friendly messages by the
 * `$defs/<name>/<keyword>` part of the error's schema path.
 */
import { COUNTERSIGN_MODES } from './countersign.js';
import { ACTION_KINDS, FIELD_TYPES, LEVELS, ROLES } from './workflow-definition.js';

/** Workflow keys appear in URLs and file names: lowercase, digits and dashes. */
export const WORKFLOW_KEY_PATTERN = '^[a-z][a-z0-9-]{1,63}$';
/** Step, action, field, region and param names: identifiers usable as xstate ids and JS keys. */
export const NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
/**
 * `5wd` (working days), `7d`, `12h`, or the day/time subset of ISO 8601 (`P7D`, `PT12H`,
 * `P1DT6H30M`). `P(?!$)` refuses a bare `P`, `T(?=\d)` a bare `T`.
 */
export const DURATION_PATTERN = '^(?:\\d+(?:wd|d|h)|P(?!$)(?:\\d+D)?(?:T(?=\\d)(?:\\d+H)?(?:\\d+M)?)?)$';
/** Case statuses are stored and filtered on, so they are identifiers too (e.g. `registered`, `notExited`). */
export const STATUS_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

export const SCHEMA_LIMITS = {
  labelLength: 200,
  descriptionLength: 5_000,
  guardMessageLength: 1_000,
  durationLength: 32,
  stepsPerMap: 200,
  actionsPerStep: 50,
  regionsPerStep: 20,
  fieldsPerMap: 200,
  optionsPerField: 500,
  branchesPerAction: 20,
  escalationRungs: 10,
  params: 100,
  paramStringLength: 10_000,
  paramArrayLength: 1_000,
  paramObjectSize: 100,
} as const;

const L = SCHEMA_LIMITS;

const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
const mapOf = (item: string, maxProperties: number, minProperties = 0) => ({
  type: 'object',
  propertyNames: ref('name'),
  additionalProperties: ref(item),
  maxProperties,
  ...(minProperties > 0 ? { minProperties } : {}),
});

export const DEFINITION_SCHEMA_ID = 'urn:fupin-flow:workflow-definition';

export const definitionSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: DEFINITION_SCHEMA_ID,
  title: 'WorkflowDefinition',
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'label', 'start', 'initial', 'steps'],
  properties: {
    key: ref('workflowKey'),
    version: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    label: ref('label'),
    labelEn: ref('label'),
    description: ref('description'),
    start: {
      type: 'object',
      additionalProperties: false,
      required: ['role', 'level'],
      properties: {
        role: ref('role'),
        level: ref('level'),
        fields: ref('fieldMap'),
      },
    },
    titleField: ref('name'),
    access: {
      type: 'object',
      additionalProperties: false,
      properties: { pairedCountyRead: { type: 'boolean' } },
    },
    params: {
      type: 'object',
      propertyNames: ref('name'),
      additionalProperties: ref('paramValue'),
      maxProperties: L.params,
    },
    initial: ref('name'),
    steps: ref('stepMap'),
  },
  $defs: {
    name: { type: 'string', maxLength: 64, pattern: NAME_PATTERN },
    workflowKey: { type: 'string', maxLength: 64, pattern: WORKFLOW_KEY_PATTERN },
    label: { type: 'string', minLength: 1, maxLength: L.labelLength },
    description: { type: 'string', maxLength: L.descriptionLength },
    guardMessage: { type: 'string', minLength: 1, maxLength: L.guardMessageLength },
    status: { type: 'string', maxLength: 64, pattern: STATUS_PATTERN },
    duration: { type: 'string', maxLength: L.durationLength, pattern: DURATION_PATTERN },
    role: { type: 'string', enum: [...ROLES] },
    level: { type: 'string', enum: [...LEVELS] },
    actionKind: { type: 'string', enum: [...ACTION_KINDS] },
    fieldType: { type: 'string', enum: [...FIELD_TYPES] },
    stepType: { type: 'string', enum: ['task', 'parallel', 'final', 'call'] },
    // Validated by validateExpression before ajv runs; see the header comment.
    expression: true,
    // Params are plain configuration values (numbers, strings, small lists/maps).
    paramValue: {
      type: ['null', 'boolean', 'number', 'string', 'array', 'object'],
      maxLength: L.paramStringLength,
      maxItems: L.paramArrayLength,
      items: ref('paramValue'),
      maxProperties: L.paramObjectSize,
      propertyNames: { maxLength: 64 },
      additionalProperties: ref('paramValue'),
    },
    field: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'label'],
      properties: {
        type: ref('fieldType'),
        label: ref('label'),
        labelEn: ref('label'),
        required: { type: 'boolean' },
        options: {
          type: 'array',
          minItems: 1,
          maxItems: L.optionsPerField,
          uniqueItems: true,
          items: ref('label'),
        },
        optionLabels: ref('optionLabels'),
        optionLabelsEn: ref('optionLabels'),
        min: { type: 'number' },
        max: { type: 'number' },
        maxLength: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        columns: mapOf('field', L.fieldsPerMap, 1),
        maxItems: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    },
    fieldMap: mapOf('field', L.fieldsPerMap),
    // Keyed by option values, which are labels rather than names.
    optionLabels: {
      type: 'object',
      propertyNames: { maxLength: L.labelLength },
      additionalProperties: ref('label'),
      maxProperties: L.optionsPerField,
    },
    branch: {
      type: 'object',
      additionalProperties: false,
      required: ['target'],
      properties: {
        when: ref('expression'),
        target: ref('name'),
        label: ref('label'),
      },
    },
    action: {
      type: 'object',
      additionalProperties: false,
      required: ['label', 'kind'],
      properties: {
        label: ref('label'),
        labelEn: ref('label'),
        kind: ref('actionKind'),
        target: ref('name'),
        branches: { type: 'array', minItems: 1, maxItems: L.branchesPerAction, items: ref('branch') },
        returnTo: { type: 'array', minItems: 1, maxItems: L.branchesPerAction, uniqueItems: true, items: ref('name') },
        fields: ref('fieldMap'),
        guard: ref('expression'),
        guardMessage: ref('guardMessage'),
        system: { type: 'boolean' },
        allowSystem: { type: 'boolean' },
        withdrawable: { type: 'boolean' },
      },
    },
    actionMap: mapOf('action', L.actionsPerStep),
    escalationRung: {
      type: 'object',
      additionalProperties: false,
      required: ['after', 'notify'],
      properties: {
        after: ref('duration'),
        notify: {
          type: 'object',
          additionalProperties: false,
          required: ['role', 'level'],
          properties: { role: ref('role'), level: ref('level') },
        },
        openCase: ref('workflowKey'),
      },
    },
    deadline: {
      type: 'object',
      additionalProperties: false,
      required: ['duration'],
      properties: {
        duration: ref('duration'),
        reminderBefore: ref('duration'),
        restartOnReturn: { type: 'boolean' },
        onExpire: ref('name'),
        escalation: { type: 'array', maxItems: L.escalationRungs, items: ref('escalationRung') },
      },
    },
    region: {
      type: 'object',
      additionalProperties: false,
      required: ['initial', 'steps'],
      properties: {
        label: ref('label'),
        labelEn: ref('label'),
        initial: ref('name'),
        steps: ref('stepMap'),
      },
    },
    regionMap: mapOf('region', L.regionsPerStep),
    step: {
      type: 'object',
      additionalProperties: false,
      required: ['label'],
      properties: {
        label: ref('label'),
        labelEn: ref('label'),
        type: ref('stepType'),
        role: ref('role'),
        level: ref('level'),
        actions: ref('actionMap'),
        countersign: ref('countersign'),
        deadline: ref('deadline'),
        regions: ref('regionMap'),
        onDone: ref('name'),
        call: ref('call'),
        outcomes: { type: 'array', minItems: 1, maxItems: L.branchesPerAction, items: ref('branch') },
        status: ref('status'),
        caseStatus: ref('status'),
        assignment: ref('assignment'),
      },
    },
    assignment: {
      type: 'object',
      additionalProperties: false,
      properties: {
        transfer: { type: 'boolean' },
        delegate: { type: 'boolean' },
        addSigner: { type: 'boolean' },
      },
    },
    call: {
      type: 'object',
      additionalProperties: false,
      required: ['workflow'],
      properties: {
        workflow: ref('workflowKey'),
        input: { type: 'object', propertyNames: ref('name'), additionalProperties: ref('expression'), maxProperties: L.fieldsPerMap },
      },
    },
    stepMap: mapOf('step', L.stepsPerMap, 1),
    countersignMode: { type: 'string', enum: [...COUNTERSIGN_MODES] },
    countersign: {
      type: 'object',
      additionalProperties: false,
      required: ['mode', 'approve', 'reject'],
      properties: {
        mode: ref('countersignMode'),
        // Whether it is required (mode `ratio`) is checked by the semantic pass, with a better message.
        ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        approve: ref('name'),
        reject: ref('name'),
      },
    },
  },
} as const;

/**
 * Bounds on the shape of a definition as a whole, checked iteratively before ajv runs
 * (ajv recurses, so it must never see an arbitrarily deep value).
 *
 * `maxDepth` counts nested objects/arrays outside guards and `when` conditions (those are
 * bounded by EXPRESSION_LIMITS): the deepest legitimate path, e.g.
 * steps.p.regions.r.steps.s.actions.a.fields.f.columns.c.options.0, is about 15 levels, so
 * 48 leaves room for several nested parallel steps.
 */
export const DEFINITION_LIMITS = {
  maxDepth: 48,
  maxNodes: 100_000,
} as const;
