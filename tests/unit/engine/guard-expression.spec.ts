import {
  EXPRESSION_LIMITS,
  ExpressionError,
  collectVarPaths,
  evaluateExpression,
  evaluateGuard,
  validateExpression,
} from '../../../src/engine/guard-expression.js';

/**
 * Inputs built to blow up a naive walker (10,000-deep, huge) must still finish in well under
 * a second; the bound is generous so that a loaded machine can't fail the test, while a
 * recursion or quadratic blow-up (minutes, or a stack overflow) still does.
 */
const BLOWUP_MS = 5_000;

// Snapshotted before any test runs, so the final test can prove nothing leaked onto it.
const objectPrototypeKeysBefore = Reflect.ownKeys(Object.prototype).map(String).sort();

const evaluate = (expr: unknown, context: Record<string, unknown> = {}): unknown => evaluateExpression(expr, context);

/** The ExpressionError thrown by evaluating `expr`, failing the test if none is thrown. */
function evaluationError(expr: unknown, context: Record<string, unknown> = {}): ExpressionError {
  try {
    evaluateExpression(expr, context);
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(expr)} to fail`);
}

function nest(times: number, wrap: (inner: unknown) => unknown, leaf: unknown): unknown {
  let node = leaf;
  for (let i = 0; i < times; i++) node = wrap(node);
  return node;
}

describe('validateExpression', () => {
  it('accepts literals, array literals and every operator in its usual shape', () => {
    const valid: unknown[] = [
      null,
      true,
      0,
      -1.5,
      '',
      '台山',
      [1, 'a', null, [true]],
      { var: 'data.household.income' },
      { var: ['data.x', 0] },
      { var: ['data.x', { '+': [1, 2] }] },
      { var: 'members.0.age' },
      { exists: 'data.x' },
      { '==': [1, 1] },
      { '!=': [1, 2] },
      { '<': [1, 2] },
      { '<': [1, 2, 3] },
      { '<=': [0, 5, 10] },
      { '>': [2, 1] },
      { '>=': [2, 2] },
      { and: [true] },
      { and: [true, false, true] },
      { or: [false, true] },
      { not: true },
      { not: [true] },
      { '!': false },
      { in: ['a', ['a', 'b']] },
      { in: ['sub', 'substring'] },
      { '+': [1, 2, 3] },
      { '-': 5 },
      { '-': [5, 3] },
      { '*': [2, 3] },
      { '/': [6, 3] },
      { '%': [7, 3] },
      { min: [1, 2] },
      { max: [1, 2] },
      { if: [true, 1, 2] },
      { if: [false, 1, true, 2, 3] },
      { count: [[1, 2, 3]] },
      { count: 'abc' },
    ];
    for (const expr of valid) expect({ expr, issues: validateExpression(expr) }).toEqual({ expr, issues: [] });
  });

  it('rejects an unknown operator at its exact path', () => {
    expect(validateExpression({ and: [true, { '<': [{ eval: 'process.exit()' }, 1] }] })).toEqual([
      { path: ['and', 1, '<', 0, 'eval'], message: 'unknown operator "eval"' },
    ]);
  });

  it('rejects objects with no key or with several keys', () => {
    expect(validateExpression({ not: {} })).toEqual([
      { path: ['not', 0], message: expect.stringContaining('exactly one key') },
    ]);
    const [issue] = validateExpression({ or: [{ '==': [1, 1], '!=': [1, 2] }] });
    expect(issue.path).toEqual(['or', 0]);
    expect(issue.message).toMatch(/exactly one key/);
  });

  it('treats an own "__proto__" key from JSON.parse as an unknown operator, not as the prototype', () => {
    const expr: unknown = JSON.parse('{"__proto__": {"var": "data.x"}}');
    expect(validateExpression(expr)).toEqual([{ path: ['__proto__'], message: 'unknown operator "__proto__"' }]);
    const inherited: unknown = JSON.parse('{"toString": 1}');
    expect(validateExpression(inherited)).toEqual([{ path: ['toString'], message: 'unknown operator "toString"' }]);
  });

  it.each<[string, unknown, (string | number)[]]>([
    ['not with two arguments', { not: [true, false] }, ['not']],
    ['! with no argument', { '!': [] }, ['!']],
    ['== with three arguments', { '==': [1, 1, 1] }, ['==']],
    ['> with three arguments', { '>': [3, 2, 1] }, ['>']],
    ['< with four arguments', { '<': [1, 2, 3, 4] }, ['<']],
    ['- with three arguments', { '-': [3, 2, 1] }, ['-']],
    ['/ with one argument', { '/': 1 }, ['/']],
    ['in with one argument', { in: 'a' }, ['in']],
    ['and with no argument', { and: [] }, ['and']],
    ['var with three arguments', { var: ['a', 1, 2] }, ['var']],
    ['if with two arguments', { if: [true, 1] }, ['if']],
    ['if with four arguments', { or: [{ if: [true, 1, false, 2] }] }, ['or', 0, 'if']],
    ['if with one argument', { if: [true] }, ['if']],
  ])('rejects wrong arity: %s', (_name, expr, path) => {
    const issues = validateExpression(expr);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(path);
    expect(issues[0].message).toMatch(/takes .*argument/);
  });

  it('explains that an array literal given to count must be wrapped', () => {
    const [issue] = validateExpression({ count: [1, 2, 3] });
    expect(issue.path).toEqual(['count']);
    expect(issue.message).toContain('[[...]]');
  });

  it.each<[string, unknown]>([
    ['a number', { var: 1 }],
    ['an object', { var: { var: 'a' } }],
    ['null', { var: [null, 0] }],
    ['a number for exists', { exists: 1 }],
  ])('rejects a var path that is %s', (_name, expr) => {
    const [issue] = validateExpression({ and: [expr] });
    expect(issue.path).toEqual(['and', 0, Object.keys(expr as object)[0]]);
    expect(issue.message).toMatch(/path must be a string/);
  });

  it.each(['', 'data..x', '.data', 'data.'])('rejects the path %j for its empty segment', (path) => {
    expect(validateExpression({ var: path })).toEqual([{ path: ['var'], message: expect.stringMatching(/empty segment/) }]);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects "%s" anywhere in a var or exists path', (segment) => {
    for (const path of [segment, `${segment}.x`, `data.${segment}`, `data.${segment}.polluted`]) {
      expect(validateExpression({ and: [{ '<': [{ var: path }, 1] }] })).toEqual([
        { path: ['and', 0, '<', 0, 'var'], message: `"var" path ${JSON.stringify(path)} uses the forbidden segment "${segment}"` },
      ]);
      expect(validateExpression({ not: { exists: path } })).toEqual([
        { path: ['not', 0, 'exists'], message: expect.stringContaining(`forbidden segment "${segment}"`) },
      ]);
    }
  });

  it('validates a var default as an expression of its own', () => {
    expect(validateExpression({ var: ['data.x', { nope: 1 }] })).toEqual([
      { path: ['var', 1, 'nope'], message: 'unknown operator "nope"' },
    ]);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects the non-finite number %p', (n) => {
    expect(validateExpression({ '+': [1, n] })).toEqual([{ path: ['+', 1], message: expect.stringMatching(/not finite/) }]);
  });

  it('rejects values that JSON cannot carry', () => {
    for (const value of [undefined, () => true, Symbol('s'), 1n, new Date(0), new Map(), Object.create({ var: 'x' })]) {
      expect(validateExpression({ '==': [1, value] })).toHaveLength(1);
    }
  });

  it('rejects a 1 MB string literal at its path and accepts one at the limit', () => {
    const huge = 'x'.repeat(1024 * 1024);
    expect(validateExpression({ '==': [{ var: 'data.name' }, huge] })).toEqual([
      { path: ['==', 1], message: `string of ${huge.length} characters exceeds the limit of ${EXPRESSION_LIMITS.maxStringLength}` },
    ]);
    expect(validateExpression('x'.repeat(EXPRESSION_LIMITS.maxStringLength))).toEqual([]);
    expect(validateExpression({ var: 'a'.repeat(EXPRESSION_LIMITS.maxStringLength + 1) })[0].message).toMatch(/exceeds the limit/);
  });

  it('rejects array literals and argument lists longer than maxArrayLength', () => {
    const long = Array.from({ length: EXPRESSION_LIMITS.maxArrayLength + 1 }, () => 1);
    expect(validateExpression({ in: [1, [long]] })).toEqual([
      { path: ['in', 1, 0], message: expect.stringMatching(/array of 1001 elements exceeds the limit of 1000/) },
    ]);
    expect(validateExpression({ '+': long })).toEqual([
      { path: ['+'], message: expect.stringMatching(/argument list of 1001 elements/) },
    ]);
    expect(validateExpression([long.slice(1)])).toEqual([]);
  });

  it('accepts nesting up to maxDepth and rejects one level more', () => {
    expect(validateExpression(nest(EXPRESSION_LIMITS.maxDepth - 1, (inner) => ({ not: inner }), true))).toEqual([]);
    const tooDeep = validateExpression(nest(EXPRESSION_LIMITS.maxDepth, (inner) => ({ not: inner }), true));
    expect(tooDeep).toHaveLength(1);
    expect(tooDeep[0].message).toMatch(/depth/);
  });

  it('rejects 10,000-deep nested operators within 1 s, without overflowing the stack', () => {
    const deep = nest(10_000, (inner) => ({ not: inner }), true);
    const started = performance.now();
    const issues = validateExpression(deep);
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/maximum depth of 32/);
    expect(issues[0].path).toHaveLength(2 * EXPRESSION_LIMITS.maxDepth);
  });

  it('rejects 10,000-deep nested arrays within 1 s', () => {
    const deep = nest(10_000, (inner) => [inner], 1);
    const started = performance.now();
    const issues = validateExpression(deep);
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(issues).toEqual([{ path: Array(EXPRESSION_LIMITS.maxDepth).fill(0), message: expect.stringMatching(/depth/) }]);
  });

  it('rejects more than maxNodes nodes at the root and accepts exactly maxNodes', () => {
    const thousand = Array.from({ length: 1000 }, () => 1);
    // Root and two "+" nodes, plus their literals.
    const tooMany = [{ '+': thousand }, { '+': thousand }];
    expect(validateExpression(tooMany)).toEqual([{ path: [], message: 'expression has more than 2000 nodes' }]);
    const exactly = [{ '+': thousand }, { '+': thousand.slice(3) }];
    expect(validateExpression(exactly)).toEqual([]);
  });

  it('stops early on a huge wide input', () => {
    const wide = Array.from({ length: 1000 }, () => Array.from({ length: 1000 }, () => ({ '+': [1, 2] })));
    const started = performance.now();
    expect(validateExpression(wide)).toEqual([{ path: [], message: expect.stringMatching(/more than 2000 nodes/) }]);
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
  });

  it('reports several independent issues in document order', () => {
    expect(validateExpression({ and: [{ foo: 1 }, { var: 'a..b' }] }).map((issue) => issue.path)).toEqual([
      ['and', 0, 'foo'],
      ['and', 1, 'var'],
    ]);
  });
});

describe('evaluateExpression: literals and var', () => {
  const context = {
    data: { household: { income: 4800, head: '陈大明' }, members: [{ age: 71 }, { age: 9 }], note: null },
  };

  it('returns literals and evaluates each element of an array literal', () => {
    expect(evaluate(null)).toBeNull();
    expect(evaluate('台山')).toBe('台山');
    expect(evaluate([1, { '+': [1, 1] }, [{ not: false }]])).toEqual([1, 2, [true]]);
  });

  it('looks up dot paths, including array indices', () => {
    expect(evaluate({ var: 'data.household.income' }, context)).toBe(4800);
    expect(evaluate({ var: 'data.members.1.age' }, context)).toBe(9);
    expect(evaluate({ var: 'data.members' }, context)).toEqual([{ age: 71 }, { age: 9 }]);
  });

  it('yields null or the default for missing paths, and null for a present null', () => {
    expect(evaluate({ var: 'data.household.missing' }, context)).toBeNull();
    expect(evaluate({ var: 'data.missing.deeper' }, context)).toBeNull();
    expect(evaluate({ var: 'data.members.5.age' }, context)).toBeNull();
    expect(evaluate({ var: ['data.missing', 42] }, context)).toBe(42);
    expect(evaluate({ var: ['data.missing', { '*': [2, 3] }] }, context)).toBe(6);
    expect(evaluate({ var: ['data.note', 'fallback'] }, context)).toBeNull();
  });

  it('evaluates the default only when the path is missing', () => {
    expect(evaluate({ var: ['data.household.income', { '/': [1, 0] }] }, context)).toBe(4800);
    expect(evaluationError({ var: ['data.nope', { '/': [1, 0] }] }, context).path).toEqual(['var', 1, '/']);
  });

  it('only follows own data properties of plain objects and arrays', () => {
    expect(evaluate({ var: 'data.toString' }, context)).toBeNull();
    expect(evaluate({ var: 'data.hasOwnProperty' }, context)).toBeNull();
    expect(evaluate({ var: 'data.members.length' }, context)).toBeNull();
    expect(evaluate({ var: 'data.members.map' }, context)).toBeNull();
    expect(evaluate({ var: 'data.members.01' }, context)).toBeNull();
    expect(evaluate({ var: 'data.household.0' }, context)).toBeNull();
    expect(evaluate({ var: 'data.head.length' }, context)).toBeNull();
    expect(evaluate({ var: 'data.secret' }, { data: Object.create({ secret: 1 }) })).toBeNull();
    expect(evaluate({ var: 'data.size' }, { data: new Map([['size', 1]]) })).toBeNull();
  });

  it('never runs a getter found in the context', () => {
    let calls = 0;
    const data = {};
    Object.defineProperty(data, 'income', { enumerable: true, get: () => ++calls });
    expect(evaluate({ var: 'data.income' }, { data })).toBeNull();
    expect(calls).toBe(0);
  });

  it('reads plain objects created in another realm', () => {
    // structuredClone is the host's, so its objects carry the host realm's Object.prototype.
    expect(evaluate({ var: 'data.x.0' }, structuredClone({ data: { x: [7] } }))).toBe(7);
  });

  it('reads a null-prototype context', () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1 });
    expect(evaluate({ var: 'data.x' }, { data })).toBe(1);
  });

  it('exists is true only for a path that resolves to a non-null value', () => {
    expect(evaluate({ exists: 'data.household.income' }, context)).toBe(true);
    expect(evaluate({ exists: 'data.members.0' }, context)).toBe(true);
    expect(evaluate({ exists: 'data.note' }, context)).toBe(false);
    expect(evaluate({ exists: 'data.missing' }, context)).toBe(false);
    expect(evaluate({ exists: 'data.toString' }, context)).toBe(false);
    expect(evaluate({ exists: 'data.household.income' }, { data: { household: { income: 0 } } })).toBe(true);
  });
});

describe('evaluateExpression: comparison', () => {
  it('== and != compare strictly, without coercion', () => {
    expect(evaluate({ '==': [1, 1] })).toBe(true);
    expect(evaluate({ '==': ['440781', '440781'] })).toBe(true);
    expect(evaluate({ '==': [null, null] })).toBe(true);
    expect(evaluate({ '==': [1, '1'] })).toBe(false);
    expect(evaluate({ '==': [0, false] })).toBe(false);
    expect(evaluate({ '==': [null, 0] })).toBe(false);
    expect(evaluate({ '==': ['', false] })).toBe(false);
    expect(evaluate({ '!=': [1, '1'] })).toBe(true);
    expect(evaluate({ '!=': [true, true] })).toBe(false);
    expect(evaluate({ '==': [{ var: 'missing' }, null] })).toBe(true);
  });

  it('== and != refuse to compare arrays or objects', () => {
    expect(evaluationError({ '==': [[1], [1]] }).message).toMatch(/compares only null, booleans, numbers and strings, got array/);
    expect(evaluationError({ '!=': [{ var: 'o' }, 1] }, { o: {} }).message).toMatch(/got object/);
  });

  it('orders numbers and strings', () => {
    expect(evaluate({ '<': [1, 2] })).toBe(true);
    expect(evaluate({ '<': [2, 2] })).toBe(false);
    expect(evaluate({ '<=': [2, 2] })).toBe(true);
    expect(evaluate({ '>': [3, 2] })).toBe(true);
    expect(evaluate({ '>': [2, 2] })).toBe(false);
    expect(evaluate({ '>=': [2, 2] })).toBe(true);
    expect(evaluate({ '>=': [1, 2] })).toBe(false);
    expect(evaluate({ '<': ['2024-01-01', '2024-12-31'] })).toBe(true);
    expect(evaluate({ '>': ['b', 'a'] })).toBe(true);
  });

  it('< and <= with three arguments test a value between two bounds', () => {
    expect(evaluate({ '<=': [0, 0, 10] })).toBe(true);
    expect(evaluate({ '<=': [0, 10, 10] })).toBe(true);
    expect(evaluate({ '<=': [0, 11, 10] })).toBe(false);
    expect(evaluate({ '<': [0, 0, 10] })).toBe(false);
    expect(evaluate({ '<': [0, 5, 10] })).toBe(true);
    expect(evaluate({ '<': [0, 10, 10] })).toBe(false);
    expect(evaluate({ '<=': [0, { var: 'age' }, 17] }, { age: 16 })).toBe(true);
  });

  it('rejects ordering mixed types, null, booleans and non-finite numbers', () => {
    expect(evaluationError({ '<': [1, '2'] }).message).toBe('"<" expects all numbers or all strings, got number, string');
    expect(evaluationError({ '>=': [{ var: 'missing' }, 0] }).message).toMatch(/got null, number/);
    expect(evaluationError({ '>': [true, false] }).message).toMatch(/got boolean, boolean/);
    expect(evaluationError({ '<=': [0, 'a', 10] }).path).toEqual(['<=']);
    expect(() => evaluate({ '<': [{ var: 'n' }, 1] }, { n: Number.NaN })).toThrow(ExpressionError);
  });
});

describe('evaluateExpression: logic', () => {
  const boom = { '/': [1, 0] };

  it('and / or combine booleans', () => {
    expect(evaluate({ and: [true, true, true] })).toBe(true);
    expect(evaluate({ and: [true, false, true] })).toBe(false);
    expect(evaluate({ or: [false, false, true] })).toBe(true);
    expect(evaluate({ or: [false] })).toBe(false);
    expect(evaluate({ and: [true] })).toBe(true);
  });

  it('and / or short-circuit', () => {
    expect(evaluate({ and: [false, boom] })).toBe(false);
    expect(evaluate({ or: [true, boom] })).toBe(true);
    expect(evaluationError({ and: [true, boom] }).path).toEqual(['and', 1, '/']);
  });

  it('and / or reject non-boolean operands instead of using truthiness', () => {
    expect(evaluationError({ and: [true, 1] }).message).toBe('"and" expects a boolean, got number');
    expect(evaluationError({ or: [false, 'yes'] }).message).toBe('"or" expects a boolean, got string');
    expect(evaluationError({ or: [{ var: 'missing' }] }).message).toMatch(/got null/);
  });

  it('not and ! negate a boolean and nothing else', () => {
    expect(evaluate({ not: true })).toBe(false);
    expect(evaluate({ '!': [false] })).toBe(true);
    expect(evaluate({ not: { not: true } })).toBe(true);
    expect(evaluationError({ not: 0 }).message).toBe('"not" expects a boolean, got number');
    expect(evaluationError({ '!': [[]] }).message).toBe('"!" expects a boolean, got array');
  });

  it('if picks the value of the first true condition, else the last value', () => {
    expect(evaluate({ if: [true, 'a', 'b'] })).toBe('a');
    expect(evaluate({ if: [false, 'a', 'b'] })).toBe('b');
    expect(evaluate({ if: [false, 'a', true, 'b', 'c'] })).toBe('b');
    expect(evaluate({ if: [false, 'a', false, 'b', 'c'] })).toBe('c');
  });

  it('if evaluates only the branch it takes', () => {
    expect(evaluate({ if: [true, 1, boom] })).toBe(1);
    expect(evaluate({ if: [false, boom, 2] })).toBe(2);
    expect(evaluate({ if: [true, 1, boom, boom, boom] })).toBe(1);
  });

  it('if requires boolean conditions', () => {
    const error = evaluationError({ if: [1, 'a', 'b'] });
    expect(error.message).toBe('"if" expects a boolean, got number');
    expect(error.path).toEqual(['if']);
  });
});

describe('evaluateExpression: in and count', () => {
  it('in tests array membership with strict equality', () => {
    expect(evaluate({ in: ['440781', ['440781', '440783']] })).toBe(true);
    expect(evaluate({ in: ['440705', ['440781', '440783']] })).toBe(false);
    expect(evaluate({ in: [1, ['1']] })).toBe(false);
    expect(evaluate({ in: [null, [0, '', false]] })).toBe(false);
    expect(evaluate({ in: [null, [null]] })).toBe(true);
    expect(evaluate({ in: [1, []] })).toBe(false);
  });

  it('in tests substrings', () => {
    expect(evaluate({ in: ['江门', '广东省江门市'] })).toBe(true);
    expect(evaluate({ in: ['', 'abc'] })).toBe(true);
    expect(evaluate({ in: ['深圳', '广东省江门市'] })).toBe(false);
  });

  it('in rejects a non-string needle in a string, a non-primitive needle and a haystack of the wrong type', () => {
    expect(evaluationError({ in: [1, '123'] }).message).toMatch(/looks for a string inside a string, got number/);
    expect(evaluationError({ in: [[1], [[1]]] }).message).toMatch(/got array/);
    expect(evaluationError({ in: ['a', { var: 'missing' }] }).message).toBe('"in" expects an array or a string to search, got null');
    expect(evaluationError({ in: ['a', 5] }).path).toEqual(['in']);
  });

  it('count gives the length of an array or the characters of a string', () => {
    expect(evaluate({ count: [[1, 2, 3]] })).toBe(3);
    expect(evaluate({ count: [[]] })).toBe(0);
    expect(evaluate({ count: { var: 'members' } }, { members: [{}, {}] })).toBe(2);
    expect(evaluate({ count: '' })).toBe(0);
    expect(evaluate({ count: '陈大明' })).toBe(3);
    // U+20BB7 is outside the BMP: two UTF-16 units, one character.
    expect(evaluate({ count: '\u{20BB7}田' })).toBe(2);
  });

  it('count rejects anything else', () => {
    expect(evaluationError({ count: 5 }).message).toBe('"count" expects an array or a string, got number');
    expect(evaluationError({ count: { var: 'missing' } }).message).toMatch(/got null/);
  });
});

describe('evaluateExpression: arithmetic', () => {
  it('adds, subtracts, multiplies, divides and takes remainders', () => {
    expect(evaluate({ '+': [1, 2, 3.5] })).toBe(6.5);
    expect(evaluate({ '+': [7] })).toBe(7);
    expect(evaluate({ '-': [10, 4] })).toBe(6);
    expect(evaluate({ '-': 5 })).toBe(-5);
    expect(evaluate({ '-': [0] })).toBe(0);
    expect(Object.is(evaluate({ '-': [0] }), -0)).toBe(false);
    expect(evaluate({ '*': [2, 3, 4] })).toBe(24);
    expect(evaluate({ '/': [7, 2] })).toBe(3.5);
    expect(evaluate({ '%': [7, 3] })).toBe(1);
    expect(evaluate({ '%': [-7, 3] })).toBe(-1);
  });

  it('min and max pick among numbers', () => {
    expect(evaluate({ min: [3, 1, 2] })).toBe(1);
    expect(evaluate({ max: [3, 1, 2] })).toBe(3);
    expect(evaluate({ max: [-1] })).toBe(-1);
  });

  it('computes per-capita income from the context', () => {
    const context = { data: { income: 26400, size: 4 } };
    expect(evaluate({ '/': [{ var: 'data.income' }, { var: 'data.size' }] }, context)).toBe(6600);
  });

  it('rejects non-numbers instead of coercing them', () => {
    expect(evaluationError({ '+': [1, '2'] }).message).toBe('"+" expects finite numbers, got string');
    expect(evaluationError({ '*': [2, null] }).message).toBe('"*" expects finite numbers, got null');
    expect(evaluationError({ max: [1, true] }).message).toBe('"max" expects finite numbers, got boolean');
    expect(evaluationError({ '-': [{ var: 'x' }] }, { x: Number.POSITIVE_INFINITY }).message).toBe('"-" expects finite numbers, got Infinity');
  });

  it('rejects division and remainder by zero', () => {
    expect(evaluationError({ '/': [1, 0] }).message).toBe('"/" by zero');
    expect(evaluationError({ '%': [1, 0] }).message).toBe('"%" by zero');
    expect(evaluationError({ '/': [0, { var: 'zero' }] }, { zero: 0 }).path).toEqual(['/']);
  });

  it('rejects results that overflow to Infinity', () => {
    expect(evaluationError({ '*': [1e308, 10] }).message).toBe('"*" produced a non-finite result');
    expect(evaluationError({ '+': [Number.MAX_VALUE, Number.MAX_VALUE] }).message).toMatch(/non-finite/);
    expect(evaluationError({ '/': [1e308, 1e-308] }).message).toMatch(/non-finite/);
  });
});

describe('evaluateExpression: errors and defences', () => {
  it('reports the path of the failing operator', () => {
    const error = evaluationError({ and: [true, { '<': [{ var: 'data.name' }, 5] }] }, { data: { name: '陈' } });
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error).toBeInstanceOf(Error);
    expect(error.path).toEqual(['and', 1, '<']);
  });

  it('refuses to evaluate an expression that does not validate', () => {
    expect(evaluationError({ foo: [] }).path).toEqual(['foo']);
    expect(evaluationError(nest(10_000, (inner) => ({ not: inner }), true)).message).toMatch(/depth/);
    expect(evaluationError({ var: 'data.__proto__' }, { data: {} }).path).toEqual(['var']);
  });

  it('never mutates the context', () => {
    const context = {
      data: { perCapitaIncome: 5000, rural: true, members: [{ age: 71 }] },
      params: { lowLineCounties: ['440781'] },
    };
    const snapshot = structuredClone(context);
    const frozen = deepFreeze(structuredClone(context));
    const expr = {
      and: [
        { '<': [{ var: 'data.perCapitaIncome' }, 6600] },
        { in: ['440781', { var: 'params.lowLineCounties' }] },
        { '>=': [{ var: 'data.members.0.age' }, 60] },
        { '==': [{ count: { var: 'data.members' } }, 1] },
        { not: { exists: 'data.missing' } },
      ],
    };
    expect(evaluate(expr, context)).toBe(true);
    expect(evaluate(expr, frozen)).toBe(true);
    expect(context).toEqual(snapshot);
  });
});

describe('evaluateGuard', () => {
  it('returns the boolean a guard yields', () => {
    expect(evaluateGuard({ '<': [{ var: 'x' }, 10] }, { x: 5 })).toEqual({ ok: true, value: true });
    expect(evaluateGuard({ '<': [{ var: 'x' }, 10] }, { x: 15 })).toEqual({ ok: true, value: false });
  });

  it('fails a guard that yields something other than a boolean', () => {
    expect(evaluateGuard({ var: 'x' }, { x: 1 })).toEqual({ ok: false, error: 'guard must yield a boolean, got number' });
    expect(evaluateGuard({ var: 'x' }, {})).toEqual({ ok: false, error: 'guard must yield a boolean, got null' });
  });

  it('reports evaluation and validation errors with their path instead of throwing', () => {
    expect(evaluateGuard({ and: [true, { '<': [{ var: 'x' }, 1] }] }, { x: 'a' })).toEqual({
      ok: false,
      error: '"<" expects all numbers or all strings, got string, number (at and[1].<)',
    });
    expect(evaluateGuard({ foo: 1 }, {})).toEqual({ ok: false, error: 'unknown operator "foo" (at foo)' });
    expect(evaluateGuard('x'.repeat(20_000), {})).toEqual({ ok: false, error: expect.stringMatching(/exceeds the limit.*\(at \(root\)\)/) });
  });

  it('does not throw even when the context itself throws', () => {
    const hostile = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('trap');
        },
      },
    );
    expect(evaluateGuard({ exists: 'data.x' }, { data: hostile })).toEqual({ ok: false, error: 'guard evaluation failed: trap' });
  });
});

describe('the poverty-line guard', () => {
  // Rural households in the low-line counties (台山, 开平, 恩平) use the rural low-income
  // line; everyone else the general poverty line.
  const guard = JSON.parse(
    '{"<": [{"var":"data.perCapitaIncome"}, {"if": [{"and": [{"var":"data.rural"}, {"in": [{"var":"case.county"}, {"var":"params.lowLineCounties"}]}]}, {"var":"params.ruralLowLine"}, {"var":"params.povertyLine"}]}]}',
  ) as unknown;
  const params = { povertyLine: 6600, ruralLowLine: 5040, lowLineCounties: ['440781', '440783', '440785'] };
  const contextFor = (perCapitaIncome: number, rural: boolean, county: string): Record<string, unknown> => ({
    data: { perCapitaIncome, rural },
    case: { county },
    params,
  });

  it('is a valid expression reading exactly the expected paths', () => {
    expect(validateExpression(guard)).toEqual([]);
    expect(collectVarPaths(guard)).toEqual([
      'data.perCapitaIncome',
      'data.rural',
      'case.county',
      'params.lowLineCounties',
      'params.ruralLowLine',
      'params.povertyLine',
    ]);
  });

  it.each<[string, number, boolean, boolean, string]>([
    ['rural 台山 just below the rural low line', 5039, true, true, '440781'],
    ['rural 台山 at the rural low line', 5040, false, true, '440781'],
    ['rural 台山 between the two lines', 6000, false, true, '440781'],
    ['rural 新会 just below the poverty line', 6599, true, true, '440705'],
    ['rural 新会 at the poverty line', 6600, false, true, '440705'],
    ['rural 新会 above the poverty line', 6601, false, true, '440705'],
    ['urban 台山 just below the poverty line', 6599, true, false, '440781'],
    ['urban 台山 at the poverty line', 6600, false, false, '440781'],
    ['urban 台山 above the poverty line', 6601, false, false, '440781'],
    ['urban 新会 just below the poverty line', 6599, true, false, '440705'],
    ['urban 新会 at the poverty line', 6600, false, false, '440705'],
    ['urban 新会 above the poverty line', 6601, false, false, '440705'],
  ])('%s (%d) → eligible: %p', (_name, income, eligible, rural, county) => {
    expect(evaluateGuard(guard, contextFor(income, rural, county))).toEqual({ ok: true, value: eligible });
  });

  it('fails clearly when the income has not been entered', () => {
    const result = evaluateGuard(guard, { data: { rural: false }, case: { county: '440705' }, params });
    expect(result).toEqual({ ok: false, error: '"<" expects all numbers or all strings, got null, number (at <)' });
  });
});

describe('collectVarPaths', () => {
  it('lists var and exists paths once, in order of first use, including those in defaults', () => {
    const expr = {
      and: [
        { var: 'data.a' },
        { exists: 'data.b' },
        { '==': [{ var: ['data.c', { var: 'params.d' }] }, { var: 'data.a' }] },
        [{ var: 'data.e' }],
      ],
    };
    expect(collectVarPaths(expr)).toEqual(['data.a', 'data.b', 'data.c', 'params.d', 'data.e']);
  });

  it('returns nothing for literals and ignores paths that are not strings', () => {
    expect(collectVarPaths(true)).toEqual([]);
    expect(collectVarPaths({ var: 1 })).toEqual([]);
    expect(collectVarPaths({ var: ['data..x'] })).toEqual([]);
  });

  it('stays within the limits on hostile input', () => {
    const deep = nest(10_000, (inner) => ({ not: inner }), { var: 'data.deep' });
    expect(collectVarPaths({ and: [{ var: 'data.top' }, deep] })).toEqual(['data.top']);
  });
});

describe('prototype safety', () => {
  it('cannot reach Object.prototype through __proto__-like paths', () => {
    const context: Record<string, unknown> = { data: {} };
    for (const path of ['__proto__', 'data.__proto__', 'data.constructor', 'data.constructor.prototype', 'data.__proto__.toString']) {
      expect(() => evaluate({ var: path }, context)).toThrow(ExpressionError);
      expect(evaluateGuard({ exists: path }, context).ok).toBe(false);
    }
    expect(evaluate({ var: 'data.toString' }, context)).toBeNull();
    expect(evaluate({ var: 'data.valueOf' }, context)).toBeNull();
  });

  it('does not follow an own "__proto__" key of a JSON.parse-d context', () => {
    const context = JSON.parse('{"data": {"__proto__": {"isAdmin": true}}}') as Record<string, unknown>;
    expect(evaluate({ var: 'data.isAdmin' }, context)).toBeNull();
    expect(evaluateGuard({ var: 'data.__proto__.isAdmin' }, context).ok).toBe(false);
  });

  it('does not let an expression object with an own "__proto__" key pollute anything', () => {
    const expr: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(evaluateGuard(expr, {})).toEqual({ ok: false, error: 'unknown operator "__proto__" (at __proto__)' });
    const nested: unknown = JSON.parse('{"var": ["data.x", {"__proto__": {"polluted": true}}]}');
    expect(() => evaluate(nested, { data: {} })).toThrow(ExpressionError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves Object.prototype untouched after every test (runs last)', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Reflect.ownKeys(Object.prototype).map(String).sort()).toEqual(objectPrototypeKeysBefore);
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
