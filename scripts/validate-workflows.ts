/**
 * `npm run workflows:validate [files…]`: checks definition files without a server and
 * prints each problem as `file:line:column: severity: message (at path)`, the format
 * editors and CI understand. Exits 1 when any file has an error. Without arguments it
 * checks every file in workflows/. YAML and JSON go through loadDefinition, BPMN 2.0 XML
 * (`.bpmn`, `.bpmn20.xml`) through importBpmn, which reports what is outside the subset
 * the engine runs and then validates the result the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { importBpmn } from '../src/engine/bpmn-import.js';
import { formatIssue, loadDefinition, type DefinitionIssue } from '../src/engine/definition-validator.js';

const FORMATS: { pattern: RegExp; format: 'yaml' | 'json' | 'bpmn' }[] = [
  { pattern: /\.ya?ml$/i, format: 'yaml' },
  { pattern: /\.json$/i, format: 'json' },
  { pattern: /\.bpmn(?:20\.xml)?$/i, format: 'bpmn' },
];
const formatOf = (file: string) => FORMATS.find(({ pattern }) => pattern.test(file))?.format;

async function check(source: string, name: string): Promise<DefinitionIssue[]> {
  const format = formatOf(name);
  if (format === 'bpmn') return (await importBpmn(source, name)).issues;
  return loadDefinition(source, name, format === 'json' ? 'json' : 'yaml').issues;
}

const args = process.argv.slice(2);
const files = args.length > 0
  ? args
  : readdirSync('workflows').filter((f) => formatOf(f) !== undefined).sort().map((f) => join('workflows', f));

let errors = 0;
for (const file of files) {
  const name = relative(process.cwd(), file);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    process.stdout.write(`${name}: error: cannot read the file (${(error as Error).message})\n`);
    errors += 1;
    continue;
  }
  const issues = await check(source, name);
  for (const issue of issues) process.stdout.write(`${formatIssue(issue)}\n`);
  errors += issues.filter((i) => i.severity === 'error').length;
}
process.stdout.write(`${files.length} file(s) checked, ${errors} error(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
