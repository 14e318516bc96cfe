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

describe('npm run workflows:validate', () => {
  it('accepts the shipped workflows', async () => {
    const result = await validate();
    expect(result.code).toBe(0);
    const shipped = readdirSync('workflows').filter((f) => /\.(ya?ml|json)$/.test(f)).length;
    expect(shipped).toBeGreaterThanOrEqual(5);
    expect(result.stdout).toContain(`${shipped} file(s) checked, 0 error(s)`);
  }, 30_000);

  it('prints each error at its line and column and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflows-'));
    const bad = join(dir, 'bad.yaml');
    // The first `        target: support` of poverty-entry.yaml is propose.submit's.
    const lines = readFileSync('workflows/poverty-entry.yaml', 'utf8').split('\n');
    const index = lines.indexOf('        target: support');
    expect(index).toBeGreaterThan(0);
    lines[index] = '        target: suport';
    writeFileSync(bad, lines.join('\n'));
    const result = await validate(bad);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`bad\\.yaml:${index + 1}:9: error: target: there is no step named 'suport'.*\\(at steps\\.propose\\.actions\\.submit\\.target\\)`));
    expect(result.stdout).toContain('1 file(s) checked, 1 error(s)');
  }, 30_000);
});
