/**
 * `npm run workflows:validate [files…]`: checks definition files without a server and
 * prints each problem as `file:line:column: severity: message (at path)`, the format
 * editors and CI understand. Exits 1 when any file has an error. Without arguments it
 * checks every file in workflows/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { formatIssue, loadDefinition } from '../src/engine/definition-validator.js';

const DEFINITION_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

const args = process.argv.slice(2);
const files = args.length > 0
  ? args
  : readdirSync('workflows').filter((f) => DEFINITION_EXTENSIONS.has(extname(f))).sort().map((f) => join('workflows', f));

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
  const { issues } = loadDefinition(source, name, extname(file) === '.json' ? 'json' : 'yaml');
  for (const issue of issues) process.stdout.write(`${formatIssue(issue)}\n`);
  errors += issues.filter((i) => i.severity === 'error').length;
}
process.stdout.write(`${files.length} file(s) checked, ${errors} error(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
