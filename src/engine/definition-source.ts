/**
 * Turns the text of a workflow definition file (YAML, or JSON read as YAML) into a plain
 * value, keeping enough of the parse to point at any path inside it by line and column.
 *
 * Definitions are written by administrators but still treated as untrusted input, so
 * parsing is bounded before the `yaml` composer (which recurses, and crashed the process
 * on a few thousand nested flow collections in our tests) ever sees the text:
 * 1. the source size is capped (512 KiB);
 * 2. the concrete syntax tree is built with yaml's own Parser, which is iterative, and
 *    walked with an explicit stack to cap nesting depth and the number of aliases;
 * 3. only then is the CST composed into a Document and turned into JS, with a small
 *    `maxAliasCount` as a second billion-laughs defence.
 *
 * JSON is parsed with the same YAML parser (JSON is YAML 1.2) using the `json` schema,
 * so JSON definitions get the same duplicate-key errors and positions.
 */
import { Composer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq, type CST, type Document } from 'yaml';
import { EXPRESSION_LIMITS } from './guard-expression.js';
import { DEFINITION_LIMITS } from './definition-schema.js';
import type { DefinitionIssue } from './definition-validator.js';

export type DefinitionFormat = 'yaml' | 'json';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export type Locate = (path: readonly (string | number)[]) => SourcePosition | undefined;

export interface ParsedDefinitionSource {
  /** The plain value; absent when the source has errors. */
  document?: unknown;
  issues: DefinitionIssue[];
  /** Where a path inside the definition is written; undefined when it is not in the source. */
  locate: Locate;
}

export const SOURCE_LIMITS = {
  maxBytes: 512 * 1024,
  /**
   * Nesting of collections in the text. Guards are nested inside the definition and an
   * expression level takes up to two collections (`{"and": [ ... ]}`), hence the sum.
   */
  maxNesting: DEFINITION_LIMITS.maxDepth + 2 * EXPRESSION_LIMITS.maxDepth + 2,
  /** Aliases are handy to reuse an escalation ladder, never needed by the dozen. */
  maxAliases: 50,
  /** yaml's own expansion check (aliases times the aliases inside their anchors). */
  maxAliasCount: 100,
} as const;

const NO_POSITIONS: Locate = () => undefined;

/** Infers the format from the file name when it is not given: `.json` is JSON, anything else YAML. */
export function formatOf(file: string, format?: DefinitionFormat): DefinitionFormat {
  return format ?? (/\.json$/i.test(file) ? 'json' : 'yaml');
}

export function parseDefinitionSource(source: string, file: string, format?: DefinitionFormat): ParsedDefinitionSource {
  const issues: DefinitionIssue[] = [];
  const error = (message: string, position?: SourcePosition): void => {
    issues.push({ file, path: '', message, severity: 'error', ...(position ? { line: position.line, column: position.column } : {}) });
  };

  if (typeof source !== 'string') {
    error('definition source must be text');
    return { issues, locate: NO_POSITIONS };
  }
  const tooLarge = sourceTooLarge(source);
  if (tooLarge !== undefined) {
    error(tooLarge);
    return { issues, locate: NO_POSITIONS };
  }

  const lineCounter = new LineCounter();
  const positionOf = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(source));
  const problem = inspectCst(tokens);
  if (problem !== undefined) {
    error(problem.message, positionOf(problem.offset));
    return { issues, locate: NO_POSITIONS };
  }

  const composer = new Composer({
    schema: formatOf(file, format) === 'json' ? 'json' : 'core',
    version: '1.2',
    uniqueKeys: true,
    // All keys are names; a collection as a key is an error rather than a stringified key.
    stringKeys: true,
    // No !!binary Buffers, !!set or !!omap: a definition is plain JSON data.
    resolveKnownTags: false,
    merge: false,
    prettyErrors: false,
    strict: true,
    // Keep yaml from writing warnings to the console; they are returned as issues.
    logLevel: 'error',
  });
  const docs = Array.from(composer.compose(tokens, true, source.length));
  const doc = docs[0] as Document.Parsed;
  if (docs.length > 1) {
    error('a definition file holds exactly one YAML document', positionOf(docs[1].range[0]));
  }
  for (const e of doc.errors) {
    issues.push({ file, path: '', message: yamlMessage(e.code, e.message, source, e.pos), severity: 'error', ...lineColumn(positionOf(e.pos[0])) });
  }
  for (const w of doc.warnings) {
    issues.push({ file, path: '', message: yamlMessage(w.code, w.message, source, w.pos), severity: 'warning', ...lineColumn(positionOf(w.pos[0])) });
  }

  const locate = locator(doc, positionOf);
  if (issues.some((issue) => issue.severity === 'error')) return { issues, locate };

  try {
    const document = doc.toJS({ maxAliasCount: SOURCE_LIMITS.maxAliasCount, mapAsMap: false });
    return { document, issues, locate };
  } catch (e) {
    // yaml throws ReferenceError for excessive or unresolved aliases.
    error(`cannot read the definition: ${e instanceof Error ? e.message : String(e)}`);
    return { issues, locate };
  }
}

/**
 * Checked before anything else looks at the text (YAML, JSON or BPMN XML). `length` first:
 * a string longer than the limit in UTF-16 units is over it in UTF-8 bytes too, without
 * scanning it.
 */
export function sourceTooLarge(source: string): string | undefined {
  const bytes = source.length > SOURCE_LIMITS.maxBytes ? source.length : Buffer.byteLength(source, 'utf8');
  return bytes > SOURCE_LIMITS.maxBytes ? `definition source is too large: ${bytes} bytes, the limit is ${SOURCE_LIMITS.maxBytes} bytes (512 KiB)` : undefined;
}

function lineColumn(position: SourcePosition): { line: number; column: number } {
  return { line: position.line, column: position.column };
}

function yamlMessage(code: string, message: string, source: string, pos: [number, number]): string {
  if (code === 'DUPLICATE_KEY') {
    // The error points at the start of the repeated key; read the key (plain or quoted) from there.
    const key = /^(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s:,{}[\]]+)/.exec(source.slice(pos[0], pos[0] + 200))?.[0] ?? '';
    if (key === '') return 'duplicate key: YAML keys must be unique';
    const shown = key.length > 64 ? `${key.slice(0, 63)}…` : key;
    return `duplicate key ${/^["']/.test(shown) ? shown : `'${shown}'`}: YAML keys must be unique`;
  }
  return message;
}

/**
 * Walks the CST with an explicit stack: nesting deeper than the limit, or too many
 * aliases, stop parsing right there (reported at the offending token).
 */
function inspectCst(tokens: CST.Token[]): { offset: number; message: string } | undefined {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  let aliases = 0;
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CST.Token; depth: number };
    switch (token.type) {
      case 'document':
        if (token.value) stack.push({ token: token.value, depth });
        break;
      case 'alias':
        aliases += 1;
        if (aliases > SOURCE_LIMITS.maxAliases) {
          return { offset: token.offset, message: `too many aliases: more than ${SOURCE_LIMITS.maxAliases}` };
        }
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        const level = depth + 1;
        if (level > SOURCE_LIMITS.maxNesting) {
          return { offset: token.offset, message: `nesting is too deep: more than ${SOURCE_LIMITS.maxNesting} levels (depth limit)` };
        }
        // `[a: b]` composes to a sequence holding a one-pair map: one more level.
        const pairInSeq = token.type === 'flow-collection' && token.start.source === '[';
        for (const item of token.items) {
          const itemDepth = pairInSeq && item.sep !== undefined ? level + 1 : level;
          if (item.key) stack.push({ token: item.key, depth: itemDepth });
          if (item.value) stack.push({ token: item.value, depth: itemDepth });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/**
 * Maps a path of the plain value back to the source: a map entry is located at its key
 * (the line where the property is written), a sequence item at the item itself.
 */
function locator(doc: Document.Parsed, positionOf: (offset: number) => SourcePosition): Locate {
  return (path) => {
    let node: unknown = doc.contents;
    let offset = rangeStart(node);
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key == null ? '' : undefined) === String(segment));
        if (pair === undefined) return undefined;
        offset = rangeStart(pair.key) ?? rangeStart(pair.value);
        node = pair.value;
      } else if (isSeq(node)) {
        const index = typeof segment === 'number' ? segment : /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : -1;
        if (index < 0 || index >= node.items.length) return undefined;
        node = node.items[index];
        offset = rangeStart(node);
      } else {
        return undefined;
      }
    }
    return offset === undefined ? undefined : positionOf(offset);
  };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: unknown } | null | undefined)?.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}
