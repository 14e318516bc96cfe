/**
 * `npm run workflows:validate [files…]`: checks definition files without a server and
 * prints each problem as `file:line:column: severity: message (at path)`, the format
 * editors and CI understand. Exits 1 when any file has an error. Without arguments it
 * checks every file in workflows/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { formatIssue, loadDefinitions } from '../src/engine/definition-validator.js';

const DEFINITION_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

const args = process.argv.slice(2);
const shippedFiles = readdirSync('workflows').filter((f) => DEFINITION_EXTENSIONS.has(extname(f))).sort().map((f) => join('workflows', f));
const files = args.length > 0 ? args : shippedFiles;
const formatOf = (file: string) => (extname(file) === '.json' ? 'json' : 'yaml') as 'json' | 'yaml';

let errors = 0;
const readable: { source: string; file: string; format: 'json' | 'yaml' }[] = [];
for (const file of files) {
  const name = relative(process.cwd(), file);
  try {
    readable.push({ source: readFileSync(file, 'utf8'), file: name, format: formatOf(file) });
  } catch (error) {
    process.stdout.write(`${name}: error: cannot read the file (${(error as Error).message})\n`);
    errors += 1;
  }
}
// Checked together, and against the shipped workflows: a call step may name any of them,
// and its input is checked against the called start form.
const shipped = args.length === 0 ? [] : loadDefinitions(shippedFiles.map((file) => ({ source: readFileSync(file, 'utf8'), file, format: formatOf(file) })));
const workflowDefinitions = new Map(shipped.flatMap(({ definition }) => (definition ? [[definition.key, definition] as const] : [])));
for (const { issues } of loadDefinitions(readable, { workflowDefinitions })) {
  for (const issue of issues) process.stdout.write(`${formatIssue(issue)}\n`);
  errors += issues.filter((i) => i.severity === 'error').length;
}
process.stdout.write(`${files.length} file(s) checked, ${errors} error(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
