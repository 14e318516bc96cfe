/**
 * Validates a parsed workflow definition and explains every problem with a dotted path
 * (and, when the source is known, a line and column).
 *
 * Three passes, cheapest and most defensive first:
 * 1. shape: an iterative walk that bounds depth and size, refuses non-JSON values and
 *    hands every guard / branch `when` to the expression validator (itself iterative).
 *    Nothing recursive — ajv included — sees the value before this pass succeeds.
 * 2. schema: ajv against definition-schema.ts, its errors rewritten into plain sentences.
 * 3. semantics: cross references, step types, reachability, dead ends, deadlines. Only
 *    run on a schema-valid definition, so it may trust the types.
 *
 * Pure: no Nest, no database; the same code serves the CLI, the admin API and tests.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { COUNTERSIGN_MODES } from './countersign.js';
import { RETURN_STEP_FIELD } from './return-to.js';
import { validateExpression, type ExpressionIssue } from './guard-expression.js';
import { DEFINITION_LIMITS, definitionSchema } from './definition-schema.js';
import { parseDefinitionSource, type DefinitionFormat, type Locate, type SourcePosition } from './definition-source.js';
import {
  ACTION_KINDS,
  FIELD_TYPES,
  LEVELS,
  ROLES,
  type BranchDefinition,
  type FieldDefinition,
  type StepDefinition,
  type WorkflowDefinition,
} from './workflow-definition.js';

export interface DefinitionIssue {
  file: string;
  /** Dotted, e.g. "steps.support.actions.submit.target"; "" for the whole definition. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
  line?: number;
  column?: number;
}

export interface DefinitionValidation {
  /** Present only when there is no error (warnings do not block). */
  definition?: WorkflowDefinition;
  issues: DefinitionIssue[];
}

export type { DefinitionFormat, Locate, SourcePosition } from './definition-source.js';

type Segment = string | number;
type Path = readonly Segment[];

/** A long list of issues helps nobody and costs memory on hostile input. */
const MAX_ISSUES = 200;
/** Guards and `when` conditions per definition; each is bounded by EXPRESSION_LIMITS. */
const MAX_EXPRESSIONS = 5_000;

/**
 * Valid per the key pattern, but own or inherited properties of every JS object: a field
 * called `constructor` or `toString` would shadow or be shadowed by Object.prototype
 * wherever case data or definitions are handled as plain objects.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
]);

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/**
 * Checks a parsed definition. `locate` (from parseDefinitionSource) adds line and
 * column to each issue: the position of its path, or of the nearest enclosing one.
 */
export function validateDefinition(document: unknown, file: string, locate?: Locate): DefinitionValidation {
  const list = new IssueList();
  const shape = inspectShape(document, list);
  if (shape.ok) {
    checkExpressions(shape.expressions, list);
    if (checkSchema(document, list)) checkSemantics(document as WorkflowDefinition, list);
  }
  const issues = list.items.map((pending) => toIssue(pending, file, locate));
  if (list.dropped > 0) {
    issues.push({ file, path: '', message: `${list.dropped} more issues not shown`, severity: list.droppedError ? 'error' : 'warning' });
  }
  const hasError = issues.some((issue) => issue.severity === 'error');
  return hasError ? { issues } : { definition: document as WorkflowDefinition, issues };
}

/** Parse and validate a definition file; every issue carries its position when known. */
export function loadDefinition(source: string, file: string, format?: DefinitionFormat): DefinitionValidation {
  const parsed = parseDefinitionSource(source, file, format);
  if (parsed.document === undefined || parsed.issues.some((issue) => issue.severity === 'error')) {
    return { issues: parsed.issues };
  }
  const result = validateDefinition(parsed.document, file, parsed.locate);
  const issues = [...parsed.issues, ...result.issues];
  return result.definition ? { definition: result.definition, issues } : { issues };
}

/** `file:line:column: severity: message (at path)`, the shape editors and CI logs link. */
export function formatIssue(issue: DefinitionIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  const at = issue.path === '' ? '' : ` (at ${issue.path})`;
  return `${where}: ${issue.severity}: ${issue.message}${at}`;
}

// ---------------------------------------------------------------------------
// Issue collection
// ---------------------------------------------------------------------------

interface PendingIssue {
  path: Path;
  message: string;
  severity: 'error' | 'warning';
  /** Where to point in the source when that is not `path` itself (an unknown property's key). */
  at?: Path;
}

class IssueList {
  readonly items: PendingIssue[] = [];
  dropped = 0;
  /** Whether a dropped issue was an error: the definition must still be refused. */
  droppedError = false;
  private readonly seen = new Set<string>();

  error(path: Path, message: string, at?: Path): void {
    this.add({ path, message, severity: 'error', ...(at ? { at } : {}) });
  }

  warning(path: Path, message: string): void {
    this.add({ path, message, severity: 'warning' });
  }

  private add(issue: PendingIssue): void {
    // ajv and the semantic pass can both notice the same thing; say it once.
    const key = `${issue.severity}\u0000${dotted(issue.path)}\u0000${issue.message}`;
    if (this.seen.has(key)) return;
    if (this.items.length >= MAX_ISSUES) {
      this.dropped += 1;
      if (issue.severity === 'error') this.droppedError = true;
      return;
    }
    this.seen.add(key);
    this.items.push(issue);
  }
}

function toIssue(pending: PendingIssue, file: string, locate: Locate | undefined): DefinitionIssue {
  const issue: DefinitionIssue = { file, path: dotted(pending.path), message: pending.message, severity: pending.severity };
  const position = locate ? nearestPosition(locate, pending.at ?? pending.path) : undefined;
  if (position) {
    issue.line = position.line;
    issue.column = position.column;
  }
  return issue;
}

/** A missing property or a normalised expression path is not in the source; its parent is. */
function nearestPosition(locate: Locate, path: Path): SourcePosition | undefined {
  for (let length = path.length; length >= 0; length--) {
    const position = locate(path.slice(0, length));
    if (position) return position;
  }
  return undefined;
}

function dotted(path: Path): string {
  return path.map((segment) => printable(String(segment), 64)).join('.');
}

/** User text inside messages and paths: bounded, and with control characters escaped. */
function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return /[\u0000-\u001f\u007f]/.test(cut) ? JSON.stringify(cut).slice(1, -1) : cut;
}

function quote(value: unknown): string {
  if (typeof value === 'string') return `'${printable(value, 60)}'`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return printable(text, 60);
}

function nameList(names: Iterable<string>, max = 20): string {
  const all = [...names];
  if (all.length === 0) return '(none)';
  const shown = all.slice(0, max).join(', ');
  return all.length > max ? `${shown}, … (${all.length - max} more)` : shown;
}

// ---------------------------------------------------------------------------
// Pass 1: shape (iterative; runs before anything recursive sees the value)
// ---------------------------------------------------------------------------

interface ExpressionSlot {
  path: Path;
  value: unknown;
}

/**
 * A mapping as JSON.parse or yaml build it. Compared structurally rather than with
 * `=== Object.prototype`, so that data built in another realm (a vm context, a worker's
 * structured clone) is still accepted, while class instances, Dates, Maps, Buffers are not.
 */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return true;
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]';
}

/** `steps.S` or `<step>.regions.R.steps.S`, the paths at which a step definition sits. */
function isStepPath(path: Path, end: number): boolean {
  if (end < 2 || (end - 2) % 4 !== 0 || path[0] !== 'steps') return false;
  for (let i = 2; i < end; i += 4) {
    if (path[i] !== 'regions' || path[i + 2] !== 'steps') return false;
  }
  return true;
}

/**
 * Guards (`<step>.actions.A.guard`) and branch conditions (`<step>.actions.A.branches.N.when`)
 * are expressions. Matched on the whole path, not just the last key, so that a field that
 * happens to be called `guard` is not mistaken for one and skipped by the depth check.
 */
function isExpressionSlot(path: Path): boolean {
  const n = path.length;
  if (path[n - 1] === 'guard' && path[n - 3] === 'actions') return isStepPath(path, n - 3);
  if (path[n - 1] === 'when' && typeof path[n - 2] === 'number' && path[n - 3] === 'branches' && path[n - 5] === 'actions') {
    return isStepPath(path, n - 5);
  }
  // A call step's outcomes and the start data it hands its child case.
  if (path[n - 1] === 'when' && typeof path[n - 2] === 'number' && path[n - 3] === 'outcomes') return isStepPath(path, n - 3);
  if (path[n - 2] === 'input' && path[n - 3] === 'call') return isStepPath(path, n - 3);
  return false;
}

/**
 * Explicit-stack walk: bounds depth and node count (so cycles and alias-shared subtrees
 * terminate too), accepts only JSON values, and collects the expression slots, which are
 * not descended into here: validateExpression bounds them with EXPRESSION_LIMITS.
 */
function inspectShape(document: unknown, list: IssueList): { ok: boolean; expressions: ExpressionSlot[] } {
  const expressions: ExpressionSlot[] = [];
  const stack: { value: unknown; path: Path; depth: number }[] = [{ value: document, path: [], depth: 1 }];
  let nodes = 1;
  let ok = true;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: Path; depth: number };
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) {
          list.error(path, `${describe(path)} must be a finite number`);
          ok = false;
        }
        continue;
      case 'object':
        break;
      default:
        list.error(path, `${describe(path)} is not a JSON value (${typeof value})`);
        ok = false;
        continue;
    }
    if (value === null) continue;
    if (!Array.isArray(value) && !isPlainObject(value)) {
      list.error(path, `${describe(path)} must be plain data (a mapping, list, string, number, boolean or null)`);
      ok = false;
      continue;
    }
    if (depth > DEFINITION_LIMITS.maxDepth) {
      list.error(path, `nesting is too deep: more than ${DEFINITION_LIMITS.maxDepth} levels (depth limit)`);
      return { ok: false, expressions };
    }
    // Counted before the children are materialised: a (sparse) array's length can be huge.
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    nodes += keys ? keys.length : (value as unknown[]).length;
    if (nodes > DEFINITION_LIMITS.maxNodes) {
      list.error([], `the definition is too large: more than ${DEFINITION_LIMITS.maxNodes} values`);
      return { ok: false, expressions };
    }
    const entries: [Segment, unknown][] = keys
      ? keys
          .map((key): [Segment, unknown] => [key, (value as Record<string, unknown>)[key]])
          // A property set to undefined is absent, as in JSON (and for ajv's `required`).
          .filter(([, child]) => child !== undefined)
      : Array.from(value as unknown[], (item, index): [Segment, unknown] => [index, item]);
    // Reversed so that issues come out in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [segment, child] = entries[i];
      const childPath = [...path, segment];
      if (isExpressionSlot(childPath)) {
        if (expressions.length >= MAX_EXPRESSIONS) {
          list.error([], `too many guards and conditions: more than ${MAX_EXPRESSIONS}`);
          return { ok: false, expressions };
        }
        expressions.push({ path: childPath, value: child });
      } else {
        stack.push({ value: child, path: childPath, depth: depth + 1 });
      }
    }
  }
  return { ok, expressions };
}

function checkExpressions(expressions: ExpressionSlot[], list: IssueList): void {
  // The same object may sit in several slots (a YAML alias): validate it once.
  const cache = new Map<unknown, ExpressionIssue[]>();
  // Slots were collected in document order (one per action or branch).
  for (const { path, value } of expressions) {
    let issues = typeof value === 'object' && value !== null ? cache.get(value) : undefined;
    if (issues === undefined) {
      issues = validateExpression(value);
      if (typeof value === 'object' && value !== null) cache.set(value, issues);
    }
    const what = path[path.length - 1] === 'guard' ? 'guard' : path[path.length - 3] === 'call' ? 'input' : 'condition';
    for (const issue of issues) list.error([...path, ...issue.path], `invalid ${what}: ${issue.message}`);
  }
}

function describe(path: Path): string {
  if (path.length === 0) return 'the definition';
  const last = path[path.length - 1];
  return typeof last === 'number' ? `item ${last} of '${printable(String(path[path.length - 2] ?? ''), 64)}'` : `'${printable(last, 64)}'`;
}

// ---------------------------------------------------------------------------
// Pass 2: JSON Schema
// ---------------------------------------------------------------------------

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  // Compiled once, lazily: compiling costs tens of milliseconds.
  compiled ??= new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true }).compile(definitionSchema);
  return compiled;
}

function checkSchema(document: unknown, list: IssueList): boolean {
  const validate = schemaValidator();
  if (validate(document)) return true;
  const errors = validate.errors ?? [];
  // When a value has the wrong type, its enum/pattern/length errors are noise; so is
  // anything said about the contents of an entry whose key itself is invalid.
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const badKeyPaths = new Set(
    errors
      .filter((e) => e.propertyName !== undefined)
      .map((e) => `${e.instancePath}/${String(e.propertyName).replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
  const underBadKey = (pointer: string): boolean => {
    for (let end = pointer.length; end > 0; end = pointer.lastIndexOf('/', end - 1)) {
      if (badKeyPaths.has(pointer.slice(0, end))) return true;
    }
    return false;
  };
  for (const error of errors) {
    if (error.propertyName === undefined) {
      if (error.keyword !== 'type' && typeErrorPaths.has(error.instancePath)) continue;
      if (badKeyPaths.size > 0 && underBadKey(error.instancePath)) continue;
    }
    const translated = translateSchemaError(error);
    if (translated) list.error(translated.path, translated.message, translated.at);
  }
  return false;
}

function pointerToPath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    // Array indices back to numbers, for "item 2 of 'escalation'"; dotted paths look the same.
    .map((segment) => (/^(?:0|[1-9]\d{0,8})$/.test(segment) ? Number(segment) : segment));
}

/** The `$defs` entry an error came from, e.g. "duration" for "#/$defs/duration/pattern". */
function defName(error: ErrorObject): string | undefined {
  return /\$defs\/([A-Za-z]+)\/[A-Za-z]+$/.exec(error.schemaPath)?.[1];
}

const ENUM_NAMES: Record<string, { what: string; known: readonly string[] }> = {
  role: { what: 'role', known: ROLES },
  level: { what: 'level', known: LEVELS },
  actionKind: { what: 'action kind', known: ACTION_KINDS },
  fieldType: { what: 'field type', known: FIELD_TYPES },
  stepType: { what: 'step type', known: ['task', 'parallel', 'final', 'call'] },
  countersignMode: { what: 'countersign mode', known: COUNTERSIGN_MODES },
};

const PATTERN_HINTS: Record<string, string> = {
  name: 'a name starts with a letter, followed by up to 63 letters, digits or underscores',
  workflowKey: 'a workflow key is a lowercase letter followed by 1 to 63 lowercase letters, digits or dashes',
  duration: 'a duration is e.g. 5wd (working days), 7d, 12h, or ISO 8601 such as P7D or PT12H',
  status: 'a status starts with a letter, followed by up to 63 letters, digits, underscores or dashes',
};

function translateSchemaError(error: ErrorObject): { path: Path; message: string; at?: Path } | undefined {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const def = defName(error);

  // An invalid key inside a map (from `propertyNames`): point at the key itself.
  if (error.propertyName !== undefined) {
    const key = error.propertyName;
    const hint = def !== undefined && PATTERN_HINTS[def] ? PATTERN_HINTS[def] : (error.message ?? 'invalid');
    return { path: [...path, key], message: `${quote(key)} is not a valid name: ${hint}` };
  }

  const subject = describe(path);
  switch (error.keyword) {
    case 'propertyNames':
      return undefined; // reported through the nested error above
    case 'required':
      return { path, message: `missing required property '${String(params.missingProperty)}'` };
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(property, known);
      const hint = guess ? `; did you mean '${guess}'?` : known.length > 0 ? `; allowed: ${nameList(known)}` : '';
      return { path, message: `unknown property ${quote(property)}${hint}`, at: [...path, property] };
    }
    case 'type': {
      const types = ([] as unknown[]).concat(params.type).map(String);
      return { path, message: `${subject} must be ${types.map(withArticle).join(' or ')}` };
    }
    case 'enum': {
      const known = def !== undefined ? ENUM_NAMES[def] : undefined;
      if (known) {
        return { path, message: `unknown ${known.what} ${quote(error.data)}; known ${known.what}s: ${known.known.join(', ')}` };
      }
      return { path, message: `${subject} must be one of: ${nameList((params.allowedValues as unknown[]).map(String))}` };
    }
    case 'pattern': {
      const hint = def !== undefined ? PATTERN_HINTS[def] : undefined;
      return { path, message: `${quote(error.data)} is not valid for ${subject}${hint ? `: ${hint}` : ''}` };
    }
    case 'maxLength':
      return {
        path,
        message: `${subject} is too long: ${typeof error.data === 'string' ? codePoints(error.data) : '?'} characters, at most ${String(params.limit)} allowed`,
      };
    case 'minLength':
      return { path, message: `${subject} must not be empty` };
    case 'maxProperties':
      return { path, message: `${subject} has too many entries: at most ${String(params.limit)} allowed` };
    case 'minProperties':
      return { path, message: `${subject} must have at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}` };
    case 'maxItems':
      return { path, message: `${subject} has too many items: at most ${String(params.limit)} allowed` };
    case 'minItems':
      return { path, message: `${subject} must have at least ${String(params.limit)} ${params.limit === 1 ? 'item' : 'items'}` };
    case 'uniqueItems':
      return { path, message: `${subject} has duplicate items (${String(params.j)} and ${String(params.i)})` };
    default:
      return { path, message: `${subject} ${error.message ?? 'is invalid'}` };
  }
}

/** Characters as ajv's maxLength counts them: a surrogate pair (a rare CJK character) is one. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function withArticle(type: string): string {
  const name = type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** The known property a typo most likely meant, if any: up to one edit per three letters, at most two. */
function closest(word: string, candidates: string[]): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: a swap of neighbours (`targte`) counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// ---------------------------------------------------------------------------
// Pass 3: semantics (the definition is schema-valid here)
// ---------------------------------------------------------------------------

interface StepRef {
  key: string;
  step: StepDefinition;
  path: Path;
  scope: Scope;
  type: 'task' | 'parallel' | 'final' | 'call';
}

interface Scope {
  /** Path of the `steps` map. */
  path: Path;
  members: Map<string, StepRef>;
  /** For a region: its key and the parallel step holding it. */
  region?: { key: string; parent: StepRef };
}

function checkSemantics(definition: WorkflowDefinition, list: IssueList): void {
  new SemanticCheck(definition, list).run();
}

class SemanticCheck {
  private readonly top: Scope = { path: ['steps'], members: new Map() };
  /** First occurrence of each step key, across all scopes. */
  private readonly byKey = new Map<string, StepRef>();
  /** Every step in document order, duplicates included. */
  private readonly steps: StepRef[] = [];
  private readonly edges = new Map<StepRef, StepRef[]>();
  /** The scope of each region, per parallel step. */
  private readonly regionScopes = new Map<StepRef, Map<string, Scope>>();
  /** Region initial steps per parallel step; undefined where the name did not resolve. */
  private readonly regionInitials = new Map<StepRef, (StepRef | undefined)[]>();
  /** Where each parallel step goes when done; undefined where the name did not resolve. */
  private readonly onDoneOf = new Map<StepRef, StepRef | undefined>();
  /**
   * Set when a reference did not resolve or a step lacks its way on (no actions, no
   * target, no onDone, a duplicate key). The flow graph is then incomplete, and
   * reachability / dead-end reports would mostly restate that one error for every step
   * downstream, so they wait until the reported errors are fixed.
   */
  private incomplete = false;

  constructor(
    private readonly definition: WorkflowDefinition,
    private readonly list: IssueList,
  ) {}

  run(): void {
    const { definition, list } = this;
    this.collect(this.top, definition.steps);

    for (const name of Object.keys(definition.params ?? {})) this.reservedName(name, ['params', name], 'param');
    this.checkFields(definition.start.fields, ['start', 'fields']);
    if (definition.titleField !== undefined) {
      const startFields = Object.keys(definition.start.fields ?? {});
      if (!startFields.includes(definition.titleField)) {
        list.error(['titleField'], `titleField ${quote(definition.titleField)} is not a start field; start fields: ${nameList(startFields)}`);
      }
    }

    const initial = this.resolveInitial(this.top, definition.initial, ['initial']);
    for (const ref of this.steps) this.checkStep(ref);
    if (initial && !this.incomplete) {
      const reachable = this.reachableFrom(initial);
      this.reportUnreachable(reachable, initial);
      this.reportDeadEnds(reachable);
    }
  }

  /** Depth-first in document order, so the later of two equal keys is the one reported. */
  private collect(scope: Scope, steps: Record<string, StepDefinition>): void {
    for (const [key, step] of Object.entries(steps)) {
      const path = [...scope.path, key];
      this.reservedName(key, path, 'step');
      const ref: StepRef = { key, step, path, scope, type: step.type ?? 'task' };
      const prior = this.byKey.get(key);
      if (prior) {
        this.list.error(path, `duplicate step key '${key}', already used at ${dotted(prior.path)}: step keys must be unique across the whole definition, parallel regions included`);
        this.incomplete = true;
      } else {
        this.byKey.set(key, ref);
      }
      scope.members.set(key, ref);
      this.steps.push(ref);
      for (const [regionKey, region] of Object.entries(step.regions ?? {})) {
        this.reservedName(regionKey, [...path, 'regions', regionKey], 'region');
        const regionScope: Scope = { path: [...path, 'regions', regionKey, 'steps'], members: new Map(), region: { key: regionKey, parent: ref } };
        const scopes = this.regionScopes.get(ref) ?? new Map<string, Scope>();
        scopes.set(regionKey, regionScope);
        this.regionScopes.set(ref, scopes);
        this.collect(regionScope, region.steps);
      }
    }
  }

  private reservedName(name: string, path: Path, kind: string): void {
    if (RESERVED_NAMES.has(name)) {
      this.list.error(path, `'${name}' is a reserved name (a built-in property of every JavaScript object); choose another ${kind} name`);
    }
  }

  private where(ref: StepRef): string {
    const region = ref.scope.region;
    return region ? `inside region '${region.key}' of step '${region.parent.key}'` : 'at top level';
  }

  /** The step names visible from a scope: its own steps, then the top-level ones. */
  private visible(scope: Scope): string[] {
    return [...new Set([...scope.members.keys(), ...this.top.members.keys()])];
  }

  /** A target may name a step of its own scope (region) or any top-level step. */
  private resolveTarget(scope: Scope, name: string, path: Path, what: string): StepRef | undefined {
    const found = scope.members.get(name) ?? this.top.members.get(name);
    if (found) return found;
    this.incomplete = true;
    const elsewhere = this.byKey.get(name);
    if (elsewhere) {
      const rule =
        scope === this.top
          ? 'a top-level step may not target a step inside a region'
          : 'a step may target a step of its own region or a top-level step';
      this.list.error(path, `${what} '${name}' is a step ${this.where(elsewhere)}: ${rule}`);
    } else {
      this.list.error(path, `${what}: there is no step named '${name}'; steps that can be named here: ${nameList(this.visible(scope))}`);
    }
    return undefined;
  }

  /** `initial` (top level or of a region) names a step of exactly that scope. */
  private resolveInitial(scope: Scope, name: string, path: Path): StepRef | undefined {
    const found = scope.members.get(name);
    if (found) return found;
    this.incomplete = true;
    const elsewhere = this.byKey.get(name);
    const own = scope.region ? `a step of region '${scope.region.key}'` : 'a top-level step';
    const among = scope.region ? `the steps of region '${scope.region.key}'` : 'the top-level steps';
    if (elsewhere) {
      this.list.error(path, `initial '${name}' is a step ${this.where(elsewhere)}, not ${own}`);
    } else {
      this.list.error(path, `initial: there is no step named '${name}' among ${among}: ${nameList(scope.members.keys())}`);
    }
    return undefined;
  }

  private addEdge(from: StepRef, to: StepRef | undefined): void {
    if (!to) return;
    const targets = this.edges.get(from) ?? [];
    targets.push(to);
    this.edges.set(from, targets);
  }

  private checkStep(ref: StepRef): void {
    const { step, path, type } = ref;
    const { list } = this;
    const actions = Object.entries(step.actions ?? {});

    if (type === 'task') {
      if (step.role === undefined) list.error(path, `a task step needs a 'role' (who acts on it); known roles: ${ROLES.join(', ')}`);
      if (step.level === undefined) list.error(path, `a task step needs a 'level' (where it is acted on); known levels: ${LEVELS.join(', ')}`);
      if (actions.length === 0) {
        list.error(path, 'a task step needs at least one action');
        this.incomplete = true;
      }
      if (step.regions !== undefined) list.error([...path, 'regions'], "only a parallel step has 'regions'");
      if (step.onDone !== undefined) list.error([...path, 'onDone'], "only a parallel step has 'onDone'");
      if (step.status !== undefined) list.error([...path, 'status'], "'status' is the outcome of a final step; a task step may set 'caseStatus'");
      if (step.deadline === undefined) list.warning(path, 'task step has no deadline: nothing reminds or escalates when it is left undone');
      if (step.countersign !== undefined) this.checkCountersign(ref);
    } else if (type === 'final') {
      this.refuseProperties(ref, 'final', [
        ['actions', 'actions (the case ends there)'],
        ['role', "'role' (nobody acts on it)"],
        ['level', "'level' (nobody acts on it)"],
        ['deadline', "'deadline' (there is nothing left to do)"],
        ['regions', "'regions'"],
        ['onDone', "'onDone'"],
        ['caseStatus', "'caseStatus' (use 'status' for the outcome)"],
        ['assignment', "'assignment' (nobody is assigned to it)"],
        ['countersign', "'countersign' (nobody acts on it)"],
      ]);
      if (step.status !== undefined && ref.scope.region) {
        list.warning([...path, 'status'], "'status' only applies to top-level final steps; a region's final step ends the region, not the case");
      }
    } else if (type === 'call') {
      this.checkCall(ref);
    } else {
      if (step.assignment !== undefined) list.error([...path, 'assignment'], "only a task step has 'assignment' options");
      this.checkParallel(ref);
    }

    if (type !== 'call') {
      for (const property of ['call', 'outcomes'] as const) {
        if (step[property] !== undefined) list.error([...path, property], `only a call step has '${property}'`);
      }
    }

    for (const [actionKey, action] of actions) {
      const actionPath = [...path, 'actions', actionKey];
      this.reservedName(actionKey, actionPath, 'action');
      const ways = (['target', 'branches', 'returnTo'] as const).filter((way) => action[way] !== undefined);
      if (ways.length > 1) {
        const both = ways.length === 2 ? 'both' : 'all three';
        list.error(actionPath, `an action has exactly one of 'target', 'branches' and 'returnTo', this one has ${both}: ${ways.join(', ')}`);
      } else if (ways.length === 0) {
        list.error(actionPath, "an action needs a 'target', 'branches' or (a return) 'returnTo'");
        this.incomplete = true;
      }
      if (action.returnTo !== undefined) this.checkReturnTo(ref, actionKey, [...actionPath, 'returnTo']);
      if (action.withdrawable === true) this.checkWithdrawable(ref, actionKey, [...actionPath, 'withdrawable']);
      if (action.target !== undefined) {
        this.addEdge(ref, this.resolveTarget(ref.scope, action.target, [...actionPath, 'target'], 'target'));
      }
      this.checkBranches(ref, action.branches ?? [], [...actionPath, 'branches'], 'branch');
      this.checkFields(action.fields, [...actionPath, 'fields']);
      if (action.guardMessage !== undefined && action.guard === undefined) {
        list.warning([...actionPath, 'guardMessage'], 'guardMessage without a guard is never shown');
      }
    }

    if (step.deadline) {
      const deadlinePath = [...path, 'deadline'];
      const onExpire = step.deadline.onExpire;
      if (onExpire !== undefined) {
        const action = Object.hasOwn(step.actions ?? {}, onExpire) ? step.actions?.[onExpire] : undefined;
        if (!action) {
          list.error([...deadlinePath, 'onExpire'], `onExpire '${onExpire}' is not an action of step '${ref.key}'; its actions: ${nameList(actions.map(([key]) => key))}`);
        } else if (action.system !== true && action.allowSystem !== true) {
          list.error([...deadlinePath, 'onExpire'], `onExpire action '${onExpire}' must have 'system: true' or 'allowSystem: true': the system takes it when the time is up`);
        }
      }
      if (!step.deadline.escalation || step.deadline.escalation.length === 0) {
        list.warning(deadlinePath, 'deadline has no escalation: nobody is alerted when it is overdue');
      }
    }
  }

  /** The first branch whose `when` holds is taken, so only the last may (and must) omit it. */
  private checkBranches(ref: StepRef, branches: readonly BranchDefinition[], path: Path, what: 'branch' | 'outcome'): void {
    const { list } = this;
    branches.forEach((branch, index) => {
      const branchPath = [...path, index];
      const last = index === branches.length - 1;
      if (!last && branch.when === undefined) {
        list.error(branchPath, `only the last ${what} may omit 'when': the ${what === 'branch' ? 'branches' : 'outcomes'} after this one could never be taken`);
      }
      if (last && branch.when !== undefined) {
        list.error([...branchPath, 'when'], `the last ${what} must omit 'when' and catch every remaining case; otherwise the case gets stuck when no condition holds`);
      }
      this.addEdge(ref, this.resolveTarget(ref.scope, branch.target, [...branchPath, 'target'], `${what} target`));
    });
  }

  /**
   * A call step starts a case of another definition and waits for it; its outcomes (over
   * `child.status`) say where the case goes then. Nobody acts on it, so it has no actions.
   */
  private checkCall(ref: StepRef): void {
    const { step, path } = ref;
    const { list } = this;
    if (step.call === undefined) list.error(path, "a call step needs 'call': the workflow whose case it starts");
    if (step.outcomes === undefined) {
      list.error(path, "a call step needs 'outcomes': where the case goes when the called case ends");
      this.incomplete = true;
    } else {
      this.checkBranches(ref, step.outcomes, [...path, 'outcomes'], 'outcome');
    }
    this.refuseProperties(ref, 'call', [
      ['actions', "actions (the called case's outcome moves it on)"],
      ['role', "'role' (nobody acts on it)"],
      ['level', "'level' (nobody acts on it)"],
      ['countersign', "'countersign' (nobody votes on it)"],
      ['assignment', "'assignment' (nobody is assigned to it)"],
      ['regions', "'regions'"],
      ['onDone', "'onDone'"],
      ['status', "'status' (use 'caseStatus' while it waits)"],
      ['deadline', "'deadline' (it waits for the called case, which has its own)"],
    ]);
  }

  /** Properties a kind of step has no use for: each one present is an error saying why. */
  private refuseProperties(ref: StepRef, type: string, notAllowed: [keyof StepDefinition, string][]): void {
    for (const [property, what] of notAllowed) {
      if (ref.step[property] !== undefined) this.list.error([...ref.path, property], `a ${type} step has no ${what}`);
    }
  }

  /**
   * `returnTo` names earlier task steps the user may send the case back to: steps of the
   * same scope (top level, or the same region), never the step itself, and only on a
   * `return`; the choice is the generated form field `returnStep`, so the action may not
   * declare a field of that name.
   */
  private checkReturnTo(ref: StepRef, actionKey: string, path: Path): void {
    const action = ref.step.actions![actionKey];
    const { list } = this;
    if (action.kind !== 'return') {
      list.error(path, `'returnTo' is for actions of kind 'return' (驳回到指定节点), not '${action.kind}'`);
    }
    if (action.fields && Object.hasOwn(action.fields, RETURN_STEP_FIELD)) {
      list.error([...path.slice(0, -1), 'fields', RETURN_STEP_FIELD], `'${RETURN_STEP_FIELD}' is the field in which the user picks a step of 'returnTo'; name this field differently`);
    }
    const scopeName = ref.scope.region ? `region '${ref.scope.region.key}'` : 'the top level';
    action.returnTo!.forEach((name, index) => {
      const target = ref.scope.members.get(name);
      if (!target) {
        this.incomplete = true;
        const elsewhere = this.byKey.get(name);
        list.error(
          [...path, index],
          elsewhere
            ? `returnTo '${name}' is a step ${this.where(elsewhere)}; a return goes back to a step of ${scopeName}, like step '${ref.key}'`
            : `returnTo: there is no step named '${name}' in ${scopeName}; steps that can be named here: ${nameList(this.returnCandidates(ref))}`,
        );
        return;
      }
      if (target === ref) {
        list.error([...path, index], `returnTo names step '${name}' itself; a return goes back to another step`);
      } else if (target.type !== 'task') {
        list.error([...path, index], `returnTo '${name}' is a ${target.type} step; a return goes back to a task step (someone must correct the case)`);
      }
      this.addEdge(ref, target);
    });
  }

  /**
   * A withdraw (撤回) goes back from the target T to the action's step S by a transition
   * compiled on T (withdraw.ts): both must be top-level task steps — a region's steps are
   * left by the whole parallel step, and a final step has ended the case — and the action
   * must have one `target`, taken by a person.
   */
  private checkWithdrawable(ref: StepRef, actionKey: string, path: Path): void {
    const action = ref.step.actions![actionKey];
    const { list } = this;
    if (ref.scope !== this.top) {
      list.error(path, `an action of a step ${this.where(ref)} cannot be withdrawable: only actions between top-level task steps can`);
      return;
    }
    if (action.target === undefined) {
      // Without any way on at all, that is the error already reported.
      if (action.branches !== undefined || action.returnTo !== undefined) {
        list.error(path, "only an action with a single 'target' can be withdrawable, not one with 'branches' or 'returnTo'");
      }
      return;
    }
    if (action.system === true) list.error(path, 'a system-only action cannot be withdrawable: a withdraw is taken back by the person who took the action');
    const target = this.top.members.get(action.target);
    if (!target) return; // reported as a bad target
    if (target === ref) list.error(path, `action '${actionKey}' leads back to step '${ref.key}' itself: there is nothing to withdraw`);
    else if (target.type !== 'task') {
      list.error(path, `target '${target.key}' is a ${target.type} step: only an action leading to a task step can be withdrawable`);
    }
  }

  private returnCandidates(ref: StepRef): string[] {
    return [...ref.scope.members.values()].filter((member) => member !== ref && member.type === 'task').map((member) => member.key);
  }

  /** `ratio` exactly when the mode is `ratio`; the votes name two different actions of the step. */
  private checkCountersign(ref: StepRef): void {
    const countersign = ref.step.countersign!;
    const path = [...ref.path, 'countersign'];
    if (countersign.mode === 'ratio' && countersign.ratio === undefined) {
      this.list.error(path, "countersign mode 'ratio' needs a 'ratio': the share of the voters that must approve (0 < ratio <= 1)");
    }
    if (countersign.mode !== 'ratio' && countersign.ratio !== undefined) {
      this.list.error([...path, 'ratio'], `'ratio' only applies to countersign mode 'ratio', not '${countersign.mode}'`);
    }
    const actions = ref.step.actions ?? {};
    for (const vote of ['approve', 'reject'] as const) {
      if (!Object.hasOwn(actions, countersign[vote])) {
        this.list.error([...path, vote], `countersign ${vote} '${countersign[vote]}' is not an action of step '${ref.key}'; its actions: ${nameList(Object.keys(actions))}`);
      }
    }
    if (countersign.approve === countersign.reject) {
      this.list.error([...path, 'reject'], `countersign approve and reject are the same action '${countersign.reject}': a vote could not say no`);
    }
  }

  private checkParallel(ref: StepRef): void {
    const { step, path } = ref;
    const { list } = this;
    const regions = Object.entries(step.regions ?? {});
    if (regions.length === 0) {
      list.error(step.regions ? [...path, 'regions'] : path, 'a parallel step needs at least one region');
      this.incomplete = true;
    }
    if (step.onDone === undefined) {
      list.error(path, "a parallel step needs 'onDone': the step the case moves to when every region is done");
      this.incomplete = true;
    } else {
      const onDone = this.resolveTarget(ref.scope, step.onDone, [...path, 'onDone'], 'onDone');
      this.onDoneOf.set(ref, onDone);
      this.addEdge(ref, onDone);
    }
    if (step.actions !== undefined) list.error([...path, 'actions'], "a parallel step has no actions; the steps of its regions do");
    if (step.role !== undefined) list.error([...path, 'role'], "a parallel step has no 'role'; the steps of its regions do");
    if (step.level !== undefined) list.error([...path, 'level'], "a parallel step has no 'level'; the steps of its regions do");
    if (step.countersign !== undefined) list.error([...path, 'countersign'], "a parallel step has no 'countersign'; the task steps of its regions may");
    if (step.status !== undefined) list.error([...path, 'status'], "'status' is the outcome of a final step; a parallel step may set 'caseStatus'");

    const initials: (StepRef | undefined)[] = [];
    for (const [regionKey, region] of regions) {
      const regionPath = [...path, 'regions', regionKey];
      const scope = this.regionScopes.get(ref)?.get(regionKey);
      const regionInitial = scope ? this.resolveInitial(scope, region.initial, [...regionPath, 'initial']) : undefined;
      initials.push(regionInitial);
      this.addEdge(ref, regionInitial);
      const hasFinal = Object.values(region.steps).some((member) => member.type === 'final');
      if (!hasFinal) list.error(regionPath, `region '${regionKey}' has no final step, so it can never be done`);
    }
    this.regionInitials.set(ref, initials);
  }

  private checkFields(fields: Record<string, FieldDefinition> | undefined, path: Path): void {
    for (const [name, field] of Object.entries(fields ?? {})) {
      const fieldPath = [...path, name];
      this.reservedName(name, fieldPath, 'field');
      const choice = field.type === 'enum' || field.type === 'list';
      if (choice && field.options === undefined) this.list.error(fieldPath, `a field of type '${field.type}' needs 'options'`);
      if (!choice && field.options !== undefined) this.list.warning([...fieldPath, 'options'], `'options' is ignored on a field of type '${field.type}'`);
      for (const labels of ['optionLabels', 'optionLabelsEn'] as const) {
        const unknown = Object.keys(field[labels] ?? {}).filter((option) => !(field.options ?? []).includes(option));
        if (!choice && field[labels] !== undefined) this.list.warning([...fieldPath, labels], `'${labels}' is ignored on a field of type '${field.type}'`);
        else if (field.options !== undefined && unknown.length > 0) this.list.error([...fieldPath, labels], `'${labels}' names values that are not options: ${nameList(unknown.map((option) => quote(option)))}`);
      }
      if (field.type === 'table' && field.columns === undefined) this.list.error(fieldPath, "a field of type 'table' needs 'columns'");
      if (field.type !== 'table' && field.columns !== undefined) this.list.warning([...fieldPath, 'columns'], `'columns' is ignored on a field of type '${field.type}'`);
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
        this.list.error(fieldPath, `min (${field.min}) is greater than max (${field.max})`);
      }
      this.checkFields(field.columns, [...fieldPath, 'columns']);
    }
  }

  private reachableFrom(initial: StepRef): Set<StepRef> {
    const seen = new Set<StepRef>([initial]);
    const queue = [initial];
    while (queue.length > 0) {
      const current = queue.shift() as StepRef;
      for (const next of this.edges.get(current) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen;
  }

  private reportUnreachable(reachable: Set<StepRef>, initial: StepRef): void {
    for (const ref of this.steps) {
      if (reachable.has(ref)) continue;
      // Inside an unreachable parallel step everything is unreachable; name the parallel step only.
      const parent = ref.scope.region?.parent;
      if (parent && !reachable.has(parent)) continue;
      this.list.error(ref.path, `step '${ref.key}' cannot be reached from the initial step '${initial.key}'`);
    }
  }

  /**
   * A step "can finish" when some path from it reaches a top-level final step. A region's
   * final step continues at its parallel step's onDone; a parallel step can finish when
   * every region can. Computed as a fixpoint (definitions are small and bounded). Only
   * run on a complete graph, so every reference here is resolved.
   */
  private reportDeadEnds(reachable: Set<StepRef>): void {
    const canFinish = new Set<StepRef>();
    const finishes = (ref: StepRef): boolean => {
      if (ref.type === 'final') {
        const parent = ref.scope.region?.parent;
        if (!parent) return true;
        const onDone = this.onDoneOf.get(parent);
        return onDone !== undefined && canFinish.has(onDone);
      }
      if (ref.type === 'parallel') {
        const initials = this.regionInitials.get(ref) ?? [];
        return initials.length > 0 && initials.every((initial) => initial !== undefined && canFinish.has(initial));
      }
      return (this.edges.get(ref) ?? []).some((target) => canFinish.has(target));
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (const ref of this.steps) {
        if (!canFinish.has(ref) && finishes(ref)) {
          canFinish.add(ref);
          changed = true;
        }
      }
    }
    const stuck = this.steps.filter((ref) => !canFinish.has(ref) && reachable.has(ref));
    for (const ref of stuck) {
      if (ref.type !== 'parallel') {
        this.list.error(ref.path, `step '${ref.key}' is a dead end: no final step can be reached from it`);
      } else if (!stuck.some((inner) => inner.scope.region?.parent === ref)) {
        // A dead end inside one of its regions already explains a stuck parallel step.
        this.list.error(ref.path, `step '${ref.key}' can never finish: not every region can reach its final step`);
      }
    }
  }
}
