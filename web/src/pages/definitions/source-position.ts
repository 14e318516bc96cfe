import type { DefinitionIssue } from '../../api/definition-types';

/**
 * The character offset of a 1-based line and column in a text, as the validator counts them
 * (a column past the end of its line stops at the line's end; a line past the end, at the
 * text's end). Where the editor puts the cursor when an issue is clicked.
 */
export function offsetOf(text: string, line: number, column = 1): number {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return text.length;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(start + Math.max(column, 1) - 1, lineEnd);
}

/** The end of the line an offset is on: the editor selects from the issue's column to there. */
export function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end < 0 ? text.length : end;
}

/** A BPMN element the import refused, as the API names it at the start of its message. */
export interface RefusedElement {
  id: string;
  type: string;
  message: string;
  line?: number;
  column?: number;
}

/** `bpmn:Task '_820c…' is not supported: …` — the importer's words (src/engine/bpmn-import.ts describe()). */
const ELEMENT = /^(bpmn:\w+) '([^']*)' is not supported/;

/** The elements a BPMN import refused, one per element id, in the order the API reported them. */
export function refusedElements(issues: readonly DefinitionIssue[]): RefusedElement[] {
  const byId = new Map<string, RefusedElement>();
  for (const issue of issues) {
    const match = issue.severity === 'error' ? ELEMENT.exec(issue.message) : null;
    if (match && !byId.has(match[2])) byId.set(match[2], { id: match[2], type: match[1], message: issue.message, line: issue.line, column: issue.column });
  }
  return [...byId.values()];
}

/** The format a file is read as, by its name. */
export function formatOfFile(name: string): 'yaml' | 'json' | 'bpmn' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.bpmn') || lower.endsWith('.bpmn20.xml') || lower.endsWith('.xml')) return 'bpmn';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}
