import { isWithin, jurisdictionAt, levelOf } from '../engine/jurisdiction-code.js';
import { LEVELS, type Level, type Role, type WorkflowDefinition } from '../engine/workflow-definition.js';
import type { CompiledWorkflow } from '../engine/workflow-machine.js';
import { CaseExceptionCode } from './case.exception.js';

/**
 * Who may start a case of a workflow, and where the case may be placed (pure). One rule for
 * `POST /api/cases` and for the list of what a user may start (`GET /api/workflows/startable`),
 * so the list never offers a start the route refuses.
 */
export interface Starter {
  roles: readonly Role[];
  jurisdictionCode: string;
}

export interface StartRefusal {
  code: CaseExceptionCode.INVALID_JURISDICTION | CaseExceptionCode.START_NOT_ALLOWED;
  message: string;
}

/**
 * The definition's `start`: a user holding its role, bound to a node of its level. (The case
 * then lies in that node's subtree, so the node is the case's node at the start's level.)
 */
export function mayStart(start: WorkflowDefinition['start'], user: Starter): boolean {
  return user.roles.includes(start.role) && levelOf(user.jurisdictionCode) === start.level;
}

/**
 * The level a case of the workflow must be placed at, at least: the deepest level any of its
 * task steps acts at (or the start's). A case placed above it would open tasks at a node that
 * does not exist — a county review of a case placed in the city goes to nobody.
 */
export function placementLevel(compiled: CompiledWorkflow): Level {
  let deepest = LEVELS.indexOf(compiled.definition.start.level);
  for (const { definition: step } of compiled.steps.values()) {
    if ((step.type ?? 'task') === 'task' && step.level) deepest = Math.max(deepest, LEVELS.indexOf(step.level));
  }
  return LEVELS[deepest];
}

/** Why `user` may not start a case of the workflow in `jurisdiction`, or undefined when they may. */
export function startRefusal(compiled: CompiledWorkflow, user: Starter, jurisdiction: string): StartRefusal | undefined {
  const { definition } = compiled;
  const level = levelOf(jurisdiction);
  if (!level || !isWithin(jurisdiction, user.jurisdictionCode)) {
    return {
      code: CaseExceptionCode.INVALID_JURISDICTION,
      message: `Jurisdiction ${jurisdiction} is not a division code inside your jurisdiction ${user.jurisdictionCode}`,
    };
  }
  const { role, level: startLevel } = definition.start;
  if (!user.roles.includes(role) || jurisdictionAt(jurisdiction, startLevel) !== user.jurisdictionCode) {
    return {
      code: CaseExceptionCode.START_NOT_ALLOWED,
      message: `A '${definition.label}' case is started by the ${startLevel} ${role} of the household's ${startLevel}`,
    };
  }
  const placement = placementLevel(compiled);
  if (LEVELS.indexOf(level) < LEVELS.indexOf(placement)) {
    return {
      code: CaseExceptionCode.INVALID_JURISDICTION,
      message: `A '${definition.label}' case is worked on down to the ${placement} level: place it in a ${placement}${placement === 'village' ? '' : ' or below'}, not in ${jurisdiction}`,
    };
  }
  return undefined;
}
