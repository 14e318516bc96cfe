/**
 * The closed JSON guard expression language used by workflow definitions.
 *
 * Guards are written by administrators and stored as data, so they are interpreted
 * here by a small, closed evaluator and never handed to eval/Function/vm. Only the
 * operators listed in OPERATORS exist; everything else is rejected up front.
 *
 * Syntax: a literal (null, boolean, finite number, string); an array literal (each
 * element evaluated); or an object with exactly one key, the operator, whose value is
 * its argument list, or a single non-array argument standing for a one-element list.
 * Because of that shorthand, an array literal passed as the only argument must be
 * wrapped: `{"count": [[1, 2, 3]]}`.
 *
 * Issue and error paths name positions in the normalised expression: the operator key,
 * then the argument index, e.g. `['and', 1, '<', 0, 'var']`. A shorthand single argument
 * is index 0, like its long form.
 */

export interface ExpressionIssue {
  path: (string | number)[];
  message: string;
}

export const EXPRESSION_LIMITS = { maxDepth: 32, maxNodes: 2000, maxStringLength: 10_000, maxArrayLength: 1_000 } as const;

type Path = (string | number)[];

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

interface Arity {
  min: number;
  max: number;
  /** `if` pairs conditions with values and ends with the else value. */
  odd?: boolean;
}

const UNBOUNDED = Number.POSITIVE_INFINITY;

// A Map rather than an object literal so that keys like `__proto__` or `toString`
// can never be mistaken for operators.
const OPERATORS: ReadonlyMap<string, Arity> = new Map<string, Arity>([
  ['var', { min: 1, max: 2 }],
  ['exists', { min: 1, max: 1 }],
  ['==', { min: 2, max: 2 }],
  ['!=', { min: 2, max: 2 }],
  ['<', { min: 2, max: 3 }],
  ['<=', { min: 2, max: 3 }],
  ['>', { min: 2, max: 2 }],
  ['>=', { min: 2, max: 2 }],
  ['and', { min: 1, max: UNBOUNDED }],
  ['or', { min: 1, max: UNBOUNDED }],
  ['not', { min: 1, max: 1 }],
  ['!', { min: 1, max: 1 }],
  ['in', { min: 2, max: 2 }],
  ['+', { min: 1, max: UNBOUNDED }],
  ['-', { min: 1, max: 2 }],
  ['*', { min: 1, max: UNBOUNDED }],
  ['/', { min: 2, max: 2 }],
  ['%', { min: 2, max: 2 }],
  ['min', { min: 1, max: UNBOUNDED }],
  ['max', { min: 1, max: UNBOUNDED }],
  ['if', { min: 3, max: UNBOUNDED, odd: true }],
  ['count', { min: 1, max: 1 }],
]);

/** Operators whose first argument is a literal dot path rather than an expression. */
const PATH_OPERATORS: ReadonlySet<string> = new Set(['var', 'exists']);

// These segments are how prototype pollution and prototype reads are usually reached;
// lookups only follow own properties anyway, but a definition naming them is
// suspicious enough to be refused outright.
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

type Lookup = { found: true; value: unknown } | { found: false };
const MISSING: Lookup = { found: false };

/**
 * Plain means a prototype of null or of a root prototype (Object.prototype of any
 * realm: structuredClone and jest's vm contexts hand over objects from another realm).
 * Class instances, Maps, Dates and the like are not plain and are never looked into.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Reads an own data property only: no prototype walk, and no getter is ever run. */
function ownValue(container: object, key: string): Lookup {
  const descriptor = Object.getOwnPropertyDescriptor(container, key);
  if (descriptor === undefined || !('value' in descriptor)) return MISSING;
  return { found: true, value: descriptor.value };
}

/** Up to `limit` own enumerable keys, without materialising every key of a huge object. */
function firstOwnKeys(value: object, limit: number): string[] {
  const keys: string[] = [];
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    keys.push(key);
    if (keys.length >= limit) break;
  }
  return keys;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function formatPath(path: Path): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** An operator node split into its operator and normalised argument list. */
interface OperatorNode {
  op: string;
  args: readonly unknown[];
  /** The arguments were written as a list (not the single-argument shorthand). */
  listed: boolean;
}

type Classified =
  | { kind: 'literal' }
  | { kind: 'array'; items: readonly unknown[] }
  | { kind: 'operator'; node: OperatorNode }
  | { kind: 'invalid'; message: string; atKey?: string };

function classify(node: unknown): Classified {
  switch (typeof node) {
    case 'boolean':
      return { kind: 'literal' };
    case 'number':
      return Number.isFinite(node) ? { kind: 'literal' } : { kind: 'invalid', message: `number ${String(node)} is not finite` };
    case 'string':
      return node.length > EXPRESSION_LIMITS.maxStringLength
        ? { kind: 'invalid', message: `string of ${node.length} characters exceeds the limit of ${EXPRESSION_LIMITS.maxStringLength}` }
        : { kind: 'literal' };
    case 'object':
      return classifyObject(node);
    default:
      return { kind: 'invalid', message: `${typeof node} is not a JSON value` };
  }
}

function classifyObject(node: object | null): Classified {
  if (node === null) return { kind: 'literal' };
  if (Array.isArray(node)) {
    return node.length > EXPRESSION_LIMITS.maxArrayLength
      ? { kind: 'invalid', message: `array of ${node.length} elements exceeds the limit of ${EXPRESSION_LIMITS.maxArrayLength}` }
      : { kind: 'array', items: node };
  }
  if (!isPlainObject(node)) return { kind: 'invalid', message: 'only plain JSON objects are allowed' };
  const keys = firstOwnKeys(node, 2);
  if (keys.length === 0) return { kind: 'invalid', message: 'an operator object must have exactly one key, found none' };
  if (keys.length > 1) {
    return { kind: 'invalid', message: `an operator object must have exactly one key, found several (${keys.map((k) => JSON.stringify(k)).join(', ')}, ...)` };
  }
  const op = keys[0];
  if (!OPERATORS.has(op)) return { kind: 'invalid', message: `unknown operator ${JSON.stringify(op)}`, atKey: op };
  const raw = ownValue(node, op);
  if (!raw.found) return { kind: 'invalid', message: `operator ${JSON.stringify(op)} must be a data property`, atKey: op };
  if (Array.isArray(raw.value) && raw.value.length > EXPRESSION_LIMITS.maxArrayLength) {
    return {
      kind: 'invalid',
      message: `argument list of ${raw.value.length} elements exceeds the limit of ${EXPRESSION_LIMITS.maxArrayLength}`,
      atKey: op,
    };
  }
  const listed = Array.isArray(raw.value);
  const args: readonly unknown[] = listed ? (raw.value as unknown[]) : [raw.value];
  return { kind: 'operator', node: { op, args, listed } };
}

function arityProblem(op: string, argCount: number, listed: boolean): string | undefined {
  const arity = OPERATORS.get(op);
  if (arity === undefined) return `unknown operator ${JSON.stringify(op)}`;
  if (arity.odd === true && (argCount < arity.min || argCount % 2 === 0)) {
    return `"${op}" takes an odd number of arguments, at least ${arity.min} (condition, value, ..., else value), got ${argCount}`;
  }
  if (argCount >= arity.min && argCount <= arity.max) return undefined;
  const expected =
    arity.min === arity.max
      ? `exactly ${arity.min}`
      : arity.max === UNBOUNDED
        ? `at least ${arity.min}`
        : `${arity.min} to ${arity.max}`;
  const hint =
    listed && op === 'count' ? `; to pass an array literal as its argument, wrap it: {"${op}": [[...]]}` : '';
  return `"${op}" takes ${expected} argument${arity.max === 1 ? '' : 's'}, got ${argCount}${hint}`;
}

/** Why a dot path is unusable, or undefined when it is fine. */
function pathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string') return `path must be a string, got ${typeName(path)}`;
  if (path.length > EXPRESSION_LIMITS.maxStringLength) {
    return `path of ${path.length} characters exceeds the limit of ${EXPRESSION_LIMITS.maxStringLength}`;
  }
  for (const segment of path.split('.')) {
    if (segment === '') return `path ${JSON.stringify(path)} has an empty segment`;
    if (FORBIDDEN_SEGMENTS.has(segment)) return `path ${JSON.stringify(path)} uses the forbidden segment "${segment}"`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Static inspection (validation and path collection share one bounded walk)
// ---------------------------------------------------------------------------

interface Frame {
  node: unknown;
  path: Path;
  depth: number;
}

interface Inspection {
  issues: ExpressionIssue[];
  varPaths: string[];
}

/**
 * Walks the expression with an explicit stack. Nodes are counted when discovered, so
 * the stack never holds more than maxNodes frames, and nodes below maxDepth are never
 * visited: a 10,000-deep or enormous input costs no more than a small one.
 */
function inspect(expr: unknown): Inspection {
  const issues: ExpressionIssue[] = [];
  const varPaths: string[] = [];
  const stack: Frame[] = [{ node: expr, path: [], depth: 1 }];
  let nodes = 1;

  /** Children are `items[from..]`, each at `[...prefix, index]`; false once over maxNodes. */
  const pushChildren = (items: readonly unknown[], from: number, parent: Frame, prefix: Path): boolean => {
    if (nodes + items.length - from > EXPRESSION_LIMITS.maxNodes) {
      // A property of the whole expression, so it is reported at the root.
      issues.push({ path: [], message: `expression has more than ${EXPRESSION_LIMITS.maxNodes} nodes` });
      return false;
    }
    nodes += items.length - from;
    // Reversed so that issues come out in document order.
    for (let i = items.length - 1; i >= from; i--) {
      stack.push({ node: items[i], path: [...prefix, i], depth: parent.depth + 1 });
    }
    return true;
  };

  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    if (frame.depth > EXPRESSION_LIMITS.maxDepth) {
      issues.push({ path: frame.path, message: `expression nesting exceeds the maximum depth of ${EXPRESSION_LIMITS.maxDepth}` });
      continue;
    }
    const classified = classify(frame.node);
    if (classified.kind === 'literal') continue;
    if (classified.kind === 'invalid') {
      const path = classified.atKey === undefined ? frame.path : [...frame.path, classified.atKey];
      issues.push({ path, message: classified.message });
      continue;
    }
    if (classified.kind === 'array') {
      if (!pushChildren(classified.items, 0, frame, frame.path)) break;
      continue;
    }

    const { op, args, listed } = classified.node;
    const opPath = [...frame.path, op];
    const arity = arityProblem(op, args.length, listed);
    if (arity !== undefined) issues.push({ path: opPath, message: arity });

    let firstChild = 0;
    if (PATH_OPERATORS.has(op)) {
      const problem = pathProblem(args[0]);
      if (problem !== undefined) issues.push({ path: opPath, message: `"${op}" ${problem}` });
      else varPaths.push(args[0] as string);
      // The path itself is not evaluated; only a `var` default is an expression.
      firstChild = 1;
    }
    if (!pushChildren(args, firstChild, frame, opPath)) break;
  }
  return { issues, varPaths };
}

export function validateExpression(expr: unknown): ExpressionIssue[] {
  return inspect(expr).issues;
}

/**
 * Every dot path read by `var` or tested by `exists`, deduplicated in order of first
 * use. Walks within the same limits as validation, so it is safe on hostile input.
 */
export function collectVarPaths(expr: unknown): string[] {
  return [...new Set(inspect(expr).varPaths)];
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/**
 * Follows a dot path through own data properties of plain objects and arrays only,
 * so nothing reachable from a prototype (or hidden behind a getter) is ever read.
 */
function lookup(context: unknown, path: string): Lookup {
  let current: unknown = context;
  for (const segment of path.split('.')) {
    if (FORBIDDEN_SEGMENTS.has(segment)) return MISSING;
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(segment)) return MISSING;
    } else if (!isPlainObject(current)) {
      return MISSING;
    }
    const next = ownValue(current, segment);
    if (!next.found || next.value === undefined) return MISSING;
    current = next.value;
  }
  return { found: true, value: current };
}

type Primitive = null | boolean | number | string;

class Evaluator {
  constructor(private readonly context: unknown) {}

  evaluate(node: unknown, path: Path, depth: number): unknown {
    // Validation already bounds the depth; this keeps the evaluator safe on its own.
    if (depth > EXPRESSION_LIMITS.maxDepth) {
      throw new ExpressionError(`expression nesting exceeds the maximum depth of ${EXPRESSION_LIMITS.maxDepth}`, path);
    }
    const classified = classify(node);
    switch (classified.kind) {
      case 'literal':
        return node;
      case 'array':
        return classified.items.map((item, i) => this.evaluate(item, [...path, i], depth + 1));
      case 'invalid':
        throw new ExpressionError(classified.message, classified.atKey === undefined ? path : [...path, classified.atKey]);
      case 'operator':
        return this.apply(classified.node, [...path, classified.node.op], depth);
    }
  }

  private apply({ op, args }: OperatorNode, path: Path, depth: number): unknown {
    const arg = (i: number): unknown => this.evaluate(args[i], [...path, i], depth + 1);
    const all = (): unknown[] => args.map((_, i) => arg(i));
    switch (op) {
      case 'var':
        return this.variable(args, arg);
      case 'exists': {
        const found = lookup(this.context, args[0] as string);
        return found.found && found.value !== null;
      }
      case '==':
        return primitive(arg(0), op, path) === primitive(arg(1), op, path);
      case '!=':
        return primitive(arg(0), op, path) !== primitive(arg(1), op, path);
      case '<':
      case '<=':
      case '>':
      case '>=':
        return compareChain(op, all(), path);
      case 'and':
      case 'or':
        return this.logic(op === 'and', args.length, arg, path);
      case 'not':
      case '!':
        return !boolean(arg(0), op, path);
      case 'in':
        return membership(arg(0), arg(1), path);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case 'min':
      case 'max':
        return arithmetic(op, all().map((value) => finiteNumber(value, op, path)), path);
      case 'if':
        return this.conditional(args.length, arg, path);
      case 'count':
        return count(arg(0), path);
      default:
        throw new ExpressionError(`unknown operator ${JSON.stringify(op)}`, path);
    }
  }

  private variable(args: readonly unknown[], arg: (i: number) => unknown): unknown {
    const found = lookup(this.context, args[0] as string);
    if (found.found) return found.value;
    // The default is only evaluated when needed, like any other lazy branch.
    return args.length > 1 ? arg(1) : null;
  }

  private logic(isAnd: boolean, length: number, arg: (i: number) => unknown, path: Path): boolean {
    for (let i = 0; i < length; i++) {
      const value = boolean(arg(i), isAnd ? 'and' : 'or', path);
      if (value !== isAnd) return value;
    }
    return isAnd;
  }

  private conditional(length: number, arg: (i: number) => unknown, path: Path): unknown {
    for (let i = 0; i + 1 < length; i += 2) {
      if (boolean(arg(i), 'if', path)) return arg(i + 1);
    }
    return arg(length - 1);
  }
}

function primitive(value: unknown, op: string, path: Path): Primitive {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return finiteNumber(value, op, path);
  throw new ExpressionError(`"${op}" compares only null, booleans, numbers and strings, got ${typeName(value)}`, path);
}

function boolean(value: unknown, op: string, path: Path): boolean {
  if (typeof value === 'boolean') return value;
  throw new ExpressionError(`"${op}" expects a boolean, got ${typeName(value)}`, path);
}

function finiteNumber(value: unknown, op: string, path: Path): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const what = typeof value === 'number' ? String(value) : typeName(value);
  throw new ExpressionError(`"${op}" expects finite numbers, got ${what}`, path);
}

function compareChain(op: '<' | '<=' | '>' | '>=', values: unknown[], path: Path): boolean {
  const allNumbers = values.every((v) => typeof v === 'number' && Number.isFinite(v));
  const allStrings = values.every((v) => typeof v === 'string');
  if (!allNumbers && !allStrings) {
    throw new ExpressionError(
      `"${op}" expects all numbers or all strings, got ${values.map((v) => typeName(v)).join(', ')}`,
      path,
    );
  }
  const ordered = values as (number | string)[];
  for (let i = 0; i + 1 < ordered.length; i++) {
    if (!compare(op, ordered[i], ordered[i + 1])) return false;
  }
  return true;
}

function compare(op: '<' | '<=' | '>' | '>=', a: number | string, b: number | string): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function membership(needle: unknown, haystack: unknown, path: Path): boolean {
  if (typeof haystack === 'string') {
    if (typeof needle !== 'string') {
      throw new ExpressionError(`"in" looks for a string inside a string, got ${typeName(needle)}`, path);
    }
    return haystack.includes(needle);
  }
  if (Array.isArray(haystack)) {
    const wanted = primitive(needle, 'in', path);
    return haystack.some((item) => item === wanted);
  }
  throw new ExpressionError(`"in" expects an array or a string to search, got ${typeName(haystack)}`, path);
}

function arithmetic(op: string, numbers: number[], path: Path): number {
  const result = arithmeticResult(op, numbers, path);
  if (!Number.isFinite(result)) throw new ExpressionError(`"${op}" produced a non-finite result`, path);
  // -0 only confuses people reading the result; it equals 0 anyway.
  return result === 0 ? 0 : result;
}

function arithmeticResult(op: string, numbers: number[], path: Path): number {
  switch (op) {
    case '+':
      return numbers.reduce((sum, n) => sum + n, 0);
    case '*':
      return numbers.reduce((product, n) => product * n, 1);
    case '-':
      return numbers.length === 1 ? -numbers[0] : numbers[0] - numbers[1];
    case '/':
    case '%':
      if (numbers[1] === 0) throw new ExpressionError(`"${op}" by zero`, path);
      return op === '/' ? numbers[0] / numbers[1] : numbers[0] % numbers[1];
    case 'min':
      return Math.min(...numbers);
    case 'max':
      return Math.max(...numbers);
    default:
      throw new ExpressionError(`unknown operator ${JSON.stringify(op)}`, path);
  }
}

/** Arrays count elements; strings count characters (code points, so rare CJK characters count once). */
function count(value: unknown, path: Path): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value !== 'string') throw new ExpressionError(`"count" expects an array or a string, got ${typeName(value)}`, path);
  let characters = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const isLowSurrogateOfPair = code >= 0xdc00 && code <= 0xdfff && i > 0 && isHighSurrogate(value.charCodeAt(i - 1));
    if (!isLowSurrogateOfPair) characters++;
  }
  return characters;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Evaluates a validated expression; throws ExpressionError on invalid input or evaluation errors. */
export function evaluateExpression(expr: unknown, context: Record<string, unknown>): unknown {
  const issues = validateExpression(expr);
  if (issues.length > 0) throw new ExpressionError(issues[0].message, issues[0].path);
  return new Evaluator(context).evaluate(expr, [], 1);
}

/** A guard must yield a boolean; any problem comes back as a message instead of an exception. */
export function evaluateGuard(
  expr: unknown,
  context: Record<string, unknown>,
): { ok: true; value: boolean } | { ok: false; error: string } {
  try {
    const value = evaluateExpression(expr, context);
    if (typeof value !== 'boolean') return { ok: false, error: `guard must yield a boolean, got ${typeName(value)}` };
    return { ok: true, value };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, error: `${error.message} (at ${formatPath(error.path)})` };
    // A hostile context (e.g. a throwing proxy) must not take the caller down either.
    return { ok: false, error: `guard evaluation failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
