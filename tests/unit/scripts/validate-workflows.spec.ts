import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

async function validate(...files: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(TSX, ['scripts/validate-workflows.ts', ...files], { cwd: process.cwd() });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

/**
 * A copy of `source` named `name` in a fresh temporary folder, with one line replaced (the
 * first that equals `line`), and more edits after it if given; returns the file and the
 * replaced line's index.
 */
function editedCopy(source: string, name: string, line: string, replacement: string, more?: (lines: string[], index: number) => void): { file: string; index: number } {
  const file = join(mkdtempSync(join(tmpdir(), 'workflows-')), name);
  const lines = readFileSync(source, 'utf8').split('\n');
  const index = lines.indexOf(line);
  expect(index).toBeGreaterThan(0);
  lines[index] = replacement;
  more?.(lines, index);
  writeFileSync(file, lines.join('\n'));
  return { file, index };
}

describe('npm run workflows:validate', () => {
  it('accepts the shipped workflows', async () => {
    const result = await validate();
    expect(result.code).toBe(0);
    const shipped = readdirSync('workflows').filter((f) => /\.(ya?ml|json)$/.test(f)).length;
    expect(shipped).toBeGreaterThanOrEqual(5);
    expect(result.stdout).toContain(`${shipped} file(s) checked, 0 error(s)`);
  }, 30_000);

  it('prints each error at its line and column and exits non-zero', async () => {
    // The first `        target: support` of poverty-entry.yaml is propose.submit's.
    const { file, index } = editedCopy('workflows/poverty-entry.yaml', 'bad.yaml', '        target: support', '        target: suport');
    const result = await validate(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`bad\\.yaml:${index + 1}:9: error: target: there is no step named 'suport'.*\\(at steps\\.propose\\.actions\\.submit\\.target\\)`));
    expect(result.stdout).toContain('1 file(s) checked, 1 error(s)');
  }, 30_000);

  it('checks BPMN files: an unsupported element at its line and column, exit non-zero', async () => {
    // The drawn 临时救助 with its city approval turned into a script task.
    const { file, index } = editedCopy(
      'tests/fixtures/temporary-relief.bpmn',
      'relief.bpmn',
      '    <bpmn:userTask id="cityApproval" name="市级审批">',
      '    <bpmn:scriptTask id="cityApproval" name="市级审批">',
      (lines, at) => (lines[lines.indexOf('    </bpmn:userTask>', at)] = '    </bpmn:scriptTask>'),
    );
    const result = await validate(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `relief.bpmn:${index + 1}:5: error: bpmn:ScriptTask 'cityApproval' is not supported: the engine runs no scripts: only people act (user tasks); not imported either: bpmn:SequenceFlow 'overThreshold', bpmn:SequenceFlow 'approve', bpmn:SequenceFlow 'deny', bpmn:BoundaryEvent 'approvalTimer', bpmn:SequenceFlow 'autoApprove'`,
    );
    expect(result.stdout).toContain('1 file(s) checked, 1 error(s)');
  }, 30_000);

  it('accepts a valid BPMN file (.bpmn20.xml too), printing its warnings, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    const good = join(dir, 'relief.bpmn20.xml');
    writeFileSync(good, readFileSync('tests/fixtures/temporary-relief.bpmn', 'utf8'));
    const result = await validate(good);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/relief\.bpmn20\.xml:177:5: warning: deadline has no escalation: nobody is alerted when it is overdue \(at steps\.cityApproval\.deadline\)/);
    expect(result.stdout).toContain('1 file(s) checked, 0 error(s)');
  }, 30_000);
});
