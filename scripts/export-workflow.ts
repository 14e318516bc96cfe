/**
 * `npm run workflows:export -- <key> [--out workflows/<key>.yaml] [--format yaml|json|bpmn]`:
 * writes the newest version of a workflow from the database (DATABASE_URL) as a file, so a
 * version administrators published through the API can be reviewed and kept in git. The
 * stored text is written as it was published (comments kept, `version` the number the
 * version got); in another format, the definition is written out. Without `--out` the text
 * goes to standard output. The server reads the file as the baseline at its next start and
 * recognises the same version with the same content.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { EXPORT_FORMATS, exportSource, type ExportFormat } from '../src/definitions/definition-formats.js';

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run workflows:export -- <key> [--out workflows/<key>.yaml] [--format yaml|json|bpmn]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let key: string | undefined;
let out: string | undefined;
let format: ExportFormat | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = args[++i] ?? usage('--out needs a file');
  else if (args[i] === '--format') format = (args[++i] ?? usage('--format needs yaml, json or bpmn')) as ExportFormat;
  else if (key === undefined && !args[i].startsWith('--')) key = args[i];
  else usage(`unexpected argument '${args[i]}'`);
}
if (!key) usage('which workflow?');
format ??= out?.endsWith('.json') ? 'json' : out && /\.bpmn(20\.xml)?$/.test(out) ? 'bpmn' : 'yaml';
if (!EXPORT_FORMATS.includes(format)) usage(`format must be one of ${EXPORT_FORMATS.join(', ')}`);

const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/fupin_flow' });
await client.connect();
try {
  const { rows } = await client.query(
    `SELECT version, status, definition, source, source_format AS "sourceFormat" FROM workflow_definitions WHERE key = $1 ORDER BY version DESC LIMIT 1`,
    [key],
  );
  if (rows.length === 0) {
    process.stderr.write(`workflow '${key}' has no version in the database\n`);
    process.exitCode = 1;
  } else {
    const text = await exportSource(rows[0], format);
    if (out) {
      writeFileSync(out, text);
      process.stderr.write(`${key} version ${rows[0].version} (${rows[0].status}) written to ${out}\n`);
    } else {
      process.stdout.write(text);
    }
  }
} finally {
  await client.end();
}
