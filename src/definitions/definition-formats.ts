/**
 * The one place where the text of a definition becomes a definition and back, whatever
 * its format: YAML and JSON through the engine's validator (with positions), BPMN 2.0 XML
 * through the BPMN importer (src/engine/bpmn-import.ts) and exporter.
 */
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import { exportBpmn } from '../engine/bpmn-export.js';
import { importBpmn } from '../engine/bpmn-import.js';
import { loadDefinition, validateDefinition, type DefinitionIssue, type DefinitionValidation, type Locate, type ValidationOptions } from '../engine/definition-validator.js';
import type { WorkflowDefinition } from '../engine/workflow-definition.js';

export const SOURCE_FORMATS = ['yaml', 'json', 'bpmn'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** What a version can be exported as. */
export const EXPORT_FORMATS = ['yaml', 'json', 'bpmn'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Parses and validates a definition source. Every issue carries the path, the message, the
 * severity and the line and column — for YAML and JSON exactly as `npm run
 * workflows:validate` prints them, for BPMN the line of the element the path came from.
 */
export async function readDefinitionSource(source: string, format: SourceFormat, file: string, options: ValidationOptions = {}): Promise<DefinitionValidation> {
  switch (format) {
    case 'yaml':
    case 'json':
      return loadDefinition(source, file, format, options);
    case 'bpmn': {
      const imported = await importBpmn(source, file);
      if (!imported.definition) return { issues: imported.issues };
      // The importer validated the definition alone; what `options` add (the draft's key,
      // the workflows it may call or open) is said once more here, at the element it came from.
      const validated = validateDefinition(imported.definition, file, bpmnLocator(source, imported.elements), options);
      const said = new Set(imported.issues.map(issueKey));
      const issues = [...imported.issues, ...validated.issues.filter((issue) => !said.has(issueKey(issue)))];
      return validated.definition ? { definition: validated.definition, issues } : { issues };
    }
  }
}

function issueKey(issue: DefinitionIssue): string {
  return `${issue.severity}\u0000${issue.path}\u0000${issue.message}`;
}

/**
 * A path of the imported definition → the line and column of the BPMN element it came from
 * (the one whose path is the longest prefix of it), found by its `id` in the text.
 */
function bpmnLocator(source: string, elements: Record<string, string>): Locate {
  const byPath = new Map(Object.entries(elements).map(([id, path]) => [path, id]));
  return (path) => {
    for (let length = path.length; length >= 0; length--) {
      const id = byPath.get(path.slice(0, length).join('.'));
      if (id === undefined) continue;
      const offset = source.indexOf(`id="${id}"`);
      if (offset < 0) continue;
      const before = source.slice(0, offset);
      const line = before.split('\n').length;
      return { line, column: offset - before.lastIndexOf('\n') };
    }
    return undefined;
  };
}

/**
 * The source with its `version` set to the number publishing assigned, so the stored text,
 * the stored definition and an exported file agree. YAML and JSON are edited in place
 * (comments and layout kept: only the number's characters change), BPMN in the `version`
 * attribute of the workflow's extension element; a source whose version cannot be found
 * that way is written out anew (YAML, JSON) or kept as drawn (BPMN: the definition holds
 * the number).
 */
export function withVersion(source: string, format: SourceFormat, definition: WorkflowDefinition, version: number): string {
  if (format === 'bpmn') {
    return source.replace(/(<[\w.-]+:workflow\b[^>]*?\sversion=")\d+(")/, `$1${version}$2`);
  }
  const document = parseDocument(source, { keepSourceTokens: false });
  const contents = document.contents;
  if (isMap(contents)) {
    const pair = contents.items.find((item) => isScalar(item.key) && item.key.value === 'version');
    const range = pair && isScalar(pair.value) ? pair.value.range : undefined;
    if (range) return `${source.slice(0, range[0])}${version}${source.slice(range[1])}`;
  }
  return serialise({ ...definition, version }, format);
}

/** A stored version as a file: its own text when that is in the format asked for, else the definition written out. */
export async function exportSource(stored: { definition: WorkflowDefinition; source: string; sourceFormat: string }, format: ExportFormat): Promise<string> {
  if (stored.sourceFormat === format) return stored.source;
  return format === 'bpmn' ? exportBpmn(stored.definition) : serialise(stored.definition, format);
}

function serialise(definition: WorkflowDefinition, format: 'yaml' | 'json'): string {
  // lineWidth 0: labels and descriptions are never folded onto several lines.
  return format === 'json' ? `${JSON.stringify(definition, null, 2)}\n` : stringify(definition, { lineWidth: 0 });
}

export function fileExtension(format: ExportFormat): string {
  return format === 'json' ? 'json' : format === 'bpmn' ? 'bpmn' : 'yaml';
}

export function contentType(format: ExportFormat): string {
  return { yaml: 'application/yaml; charset=utf-8', json: 'application/json; charset=utf-8', bpmn: 'application/xml; charset=utf-8' }[format];
}
