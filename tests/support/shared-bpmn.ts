import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `shared/bpmn` (real BPMN from public projects) lies next to the repository, or next to
 * one of its parents when the repository is a worktree: walk up until it is found.
 */
export function sharedBpmnFolder(): string | undefined {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'bpmn');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
