/**
 * `npm run workflows:validate [files…]`: checks definition files without a server and
 * prints each problem as `file:line:column: severity: message (at path)`, the format
 * editors and CI understand. Exits 1 when any file has an error. Without arguments it
 * checks every file in workflows/. YAML and JSON go through loadDefinitions, BPMN 2.0 XML
 * (`.bpmn`, `.bpmn20.xml`) through importBpmn, which reports what is outside the subset
 * the engine runs and then validates the result the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { importBpmn } from '../src/engine/bpmn-import.js';
import { formatIssue, loadDefinitions, type DefinitionIssue } from '../src/engine/definition-validator.js';
import type { WorkflowDefinition } from '../src/engine/workflow-definition.js';

const FORMATS: { pattern: RegExp; format: 'yaml' | 'json' | 'bpmn' }[] = [
  { pattern: /\.ya?ml$/i, format: 'yaml' },
  { pattern: /\.json$/i, format: 'json' },
  { pattern: /\.bpmn(?:20\.xml)?$/i, format: 'bpmn' },
];
const formatOf = (file: string) => FORMATS.find(({ pattern }) => pattern.test(file))?.format;

const args = process.argv.slice(2);
const shippedFiles = readdirSync('workflows').filter((f) => formatOf(f) !== undefined).sort().map((f) => join('workflows', f));
const files = args.length > 0 ? args : shippedFiles;

let errors = 0;
const report = (issues: readonly DefinitionIssue[]) => {
  for (const issue of issues) process.stdout.write(`${formatIssue(issue)}\n`);
  errors += issues.filter((i) => i.severity === 'error').length;
};
const readable: { source: string; file: string; format: 'yaml' | 'json' | 'bpmn' }[] = [];
for (const file of files) {
  const name = relative(process.cwd(), file);
  try {
    readable.push({ source: readFileSync(file, 'utf8'), file: name, format: formatOf(name) ?? 'yaml' });
  } catch (error) {
    process.stdout.write(`${name}: error: cannot read the file (${(error as Error).message})\n`);
    errors += 1;
  }
}

// Checked together, and against the shipped workflows: a call step may name any of them,
// and its input is checked against the called start form.
const textual = (list: typeof readable) => list.filter((f) => f.format !== 'bpmn') as { source: string; file: string; format: 'yaml' | 'json' }[];
const workflowDefinitions = new Map<string, WorkflowDefinition>();
if (args.length > 0) {
  const shipped = shippedFiles.map((file) => ({ source: readFileSync(file, 'utf8'), file, format: formatOf(file) ?? 'yaml' }));
  for (const { definition } of loadDefinitions(textual(shipped))) if (definition) workflowDefinitions.set(definition.key, definition);
}
for (const file of readable.filter((f) => f.format === 'bpmn')) {
  const { definition, issues } = await importBpmn(file.source, file.file);
  report(issues);
  if (definition) workflowDefinitions.set(definition.key, definition);
}
for (const { issues } of loadDefinitions(textual(readable), { workflowDefinitions })) report(issues);
process.stdout.write(`${files.length} file(s) checked, ${errors} error(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
