/**
 * Moving a running case from one version of its definition to another (pure): given the
 * two compiled versions, the case's snapshot and a mapping of old steps to new ones, either
 * the plan — the snapshot under the new version, what happens to each open task and which
 * step visits need their deadlines recomputed — or the reason the case cannot be moved.
 *
 * The rules:
 * - A step maps to the step the mapping names, else to the step of the same key.
 * - A step maps to a step of the same kind (task → task, parallel → parallel, final →
 *   final) in the same place: a top-level step to a top-level step, a step of region R of
 *   parallel step P to a step of region R of the step P maps to. A parallel step maps only
 *   when its regions are the same (by key): a case inside a parallel step whose regions
 *   changed cannot be moved.
 * - Two steps the case is in may not become one.
 * - A task step whose role or level changed is reassigned: its task closes and a new one is
 *   offered to the new role and level, as a new visit (entry) of the step; one whose key
 *   changed moves its task (assignee kept) to a new visit of the new key; otherwise the task
 *   is kept as it is. The visit keeps its entry time, so the time already spent counts
 *   against the new deadline (src/deadlines/deadline-plan.ts replanDeadlines).
 * - A countersign step whose countersign settings changed cannot be moved: the votes cast
 *   would be counted under another rule.
 * - A call step the case waits in keeps its key and the workflow it calls: the called case
 *   delivers its outcome to that step visit (call-step.ts). Its deadline is recomputed like
 *   a task's.
 * - A clock paused by a return for correction (补正) follows its step through the mapping;
 *   when the new version has no task step with a deadline there, the paused clock is
 *   dropped (the case can never come back to it) and the plan says so.
 *
 * The plan depends on nothing but its inputs (no time), so replaying a case's history
 * applies the same plan at the `definition`/`migrated` event (history-replay.ts).
 */
import { activeSteps, caseStatus, restore, type PersistedCaseSnapshot } from './case-transition.js';
import type { DeadlineDefinition, Level, Role } from './workflow-definition.js';
import type { CaseContext, CompiledWorkflow, StepInfo } from './workflow-machine.js';
import { canonicalJson } from '../common/canonical-json.js';

/** Old step key → new step key; steps not named map to the step of the same key. */
export type StepMapping = Record<string, string>;

export type TaskChange = 'kept' | 'moved' | 'reassigned';

/** One visit of a step with a clock (a task step, or a call step waiting for its case), before and after. */
export interface StepMove {
  from: { step: string; entry: number };
  to: { step: string; entry: number };
  /** A task step: what happens to its task, who it goes to. Absent for a call step. */
  task?: TaskChange;
  role?: Role;
  level?: Level;
  /** When the task is reassigned: who had it. */
  previous?: { role: Role; level: Level };
  /** When the visit began (ISO 8601): the time spent since counts against the new deadline. */
  enteredAt: string;
  deadline: { before?: DeadlineDefinition; after?: DeadlineDefinition };
}

/** A clock paused by a return for correction, before and after; `to` absent when it is dropped. */
export interface PausedClockMove {
  from: { step: string; entry: number };
  to?: { step: string; entry: number };
  deadline: { before?: DeadlineDefinition; after?: DeadlineDefinition };
  dropped?: string;
}

export interface MigrationPlan {
  snapshot: PersistedCaseSnapshot;
  status: string;
  activeSteps: string[];
  steps: StepMove[];
  pausedClocks: PausedClockMove[];
}

export type MigrationVerdict = { ok: true; plan: MigrationPlan } | { ok: false; reason: string };

class Refusal extends Error {}

/** What is wrong with a mapping as such: old steps the old version lacks, new steps the new version lacks. */
export function mappingProblems(from: CompiledWorkflow, to: CompiledWorkflow, mapping: StepMapping): string[] {
  const problems: string[] = [];
  for (const [old, next] of Object.entries(mapping)) {
    if (!from.steps.has(old)) problems.push(`mapping: version ${from.definition.version} has no step '${old}'`);
    if (!to.steps.has(next)) problems.push(`mapping: version ${to.definition.version} has no step '${next}' (for '${old}')`);
  }
  return problems;
}

export function planMigration(from: CompiledWorkflow, to: CompiledWorkflow, persisted: PersistedCaseSnapshot, mapping: StepMapping): MigrationVerdict {
  if (persisted.status !== 'active') return { ok: false, reason: 'the case has finished' };
  try {
    return { ok: true, plan: new Planner(from, to, persisted, mapping).plan() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The snapshot after the migration, for replay: what was migrated once must migrate again. */
export function migrateSnapshot(from: CompiledWorkflow, to: CompiledWorkflow, persisted: PersistedCaseSnapshot, mapping: StepMapping): PersistedCaseSnapshot | string {
  const verdict = planMigration(from, to, persisted, mapping);
  return verdict.ok ? verdict.plan.snapshot : verdict.reason;
}

interface Place {
  parallel?: string;
  region?: string;
}

class Planner {
  private readonly context: CaseContext;
  private readonly entries: Record<string, number>;
  private readonly enteredAt: Record<string, string>;
  private readonly taken = new Map<string, string>();
  private readonly steps: StepMove[] = [];
  private readonly fromVersion: number;
  private readonly toVersion: number;

  constructor(
    private readonly from: CompiledWorkflow,
    private readonly to: CompiledWorkflow,
    private readonly persisted: PersistedCaseSnapshot,
    private readonly mapping: StepMapping,
  ) {
    this.context = persisted.context;
    this.entries = { ...this.context.entries };
    this.enteredAt = { ...this.context.enteredAt };
    this.fromVersion = from.definition.version;
    this.toVersion = to.definition.version;
  }

  plan(): MigrationPlan {
    const value = this.mapValue(this.persisted.value, {});
    const pausedClocks = this.mapPausedClocks();
    const paused = Object.fromEntries(pausedClocks.flatMap((move) => (move.to ? [[move.to.step, move.to.entry]] : [])));
    const context: CaseContext = { ...this.context, entries: this.entries, enteredAt: this.enteredAt };
    if (Object.keys(paused).length > 0) context.pausedClocks = paused;
    else delete context.pausedClocks;
    // Through the new machine: the result is exactly what it would persist (and restorable by it).
    const restored = restore(this.to, { ...this.persisted, value, context });
    const snapshot = JSON.parse(JSON.stringify(this.to.machine.getPersistedSnapshot(restored))) as PersistedCaseSnapshot;
    return { snapshot, status: caseStatus(this.to, snapshot), activeSteps: activeSteps(this.to, snapshot), steps: this.steps, pausedClocks };
  }

  private target(step: string): string {
    return Object.hasOwn(this.mapping, step) ? this.mapping[step] : step;
  }

  /** A state value (a step key, or a parallel step with its regions' values) under the new version. */
  private mapValue(value: unknown, place: Place): string | Record<string, unknown> {
    if (typeof value === 'string') return this.mapStep(value, undefined, place);
    const [[key, regions]] = Object.entries(value as Record<string, Record<string, unknown>>);
    const next = this.mapStep(key, regions, place);
    return { [next]: Object.fromEntries(Object.entries(regions).map(([region, inner]) => [region, this.mapValue(inner, { parallel: next, region })])) };
  }

  private mapStep(key: string, regions: Record<string, unknown> | undefined, place: Place): string {
    const old = this.from.steps.get(key);
    if (!old) throw new Refusal(`the case is in step '${key}', which version ${this.fromVersion} does not have`);
    const next = this.target(key);
    const info = this.to.steps.get(next);
    if (!info) {
      throw new Refusal(
        next === key
          ? `step '${key}' (${old.definition.label}) has no counterpart in version ${this.toVersion}: map it to a step of that version`
          : `step '${key}' is mapped to '${next}', which version ${this.toVersion} does not have`,
      );
    }
    if (info.parallel !== place.parallel || info.region !== place.region) {
      throw new Refusal(`step '${key}' is ${where(old, this.fromVersion)} but '${next}' is ${where(info, this.toVersion)}: a step maps to a step in the same place`);
    }
    const kind = old.definition.type ?? 'task';
    const nextKind = info.definition.type ?? 'task';
    if (kind !== nextKind) {
      throw new Refusal(`step '${key}' is a ${kind} step but '${next}' in version ${this.toVersion} is a ${nextKind} step: a running case only moves to a step of the same kind`);
    }
    const other = this.taken.get(next);
    if (other !== undefined) throw new Refusal(`steps '${other}' and '${key}' would both become step '${next}'`);
    this.taken.set(next, key);

    if (regions !== undefined) {
      const before = Object.keys(old.definition.regions ?? {}).sort();
      const after = Object.keys(info.definition.regions ?? {}).sort();
      if (canonicalJson(before) !== canonicalJson(after)) {
        throw new Refusal(
          `the regions of parallel step '${key}' changed (version ${this.fromVersion}: ${before.join(', ')}; version ${this.toVersion}: ${after.join(', ')}): a case inside it cannot be moved`,
        );
      }
    }
    if (kind === 'call') return this.mapCall(key, old, info);
    if (kind !== 'task') {
      if (next !== key) this.newVisit(key, next);
      return next;
    }

    const role = info.definition.role!;
    const level = info.definition.level!;
    const reassigned = old.definition.role !== role || old.definition.level !== level;
    if (canonicalJson(old.definition.countersign ?? null) !== canonicalJson(info.definition.countersign ?? null)) {
      throw new Refusal(`the countersign of step '${key}' changed (${describeCountersign(old)} → ${describeCountersign(info)}): votes already cast would be counted under another rule`);
    }
    const fromEntry = this.context.entries[key] ?? 0;
    const toEntry = next === key && !reassigned ? fromEntry : this.newVisit(key, next);
    this.steps.push({
      from: { step: key, entry: fromEntry },
      to: { step: next, entry: toEntry },
      task: reassigned ? 'reassigned' : next === key ? 'kept' : 'moved',
      role,
      level,
      ...(reassigned ? { previous: { role: old.definition.role!, level: old.definition.level! } } : {}),
      enteredAt: this.context.enteredAt[key],
      deadline: { before: old.definition.deadline, after: info.definition.deadline },
    });
    return next;
  }

  /** A call step the case waits in: the called case will deliver its outcome to this very step visit. */
  private mapCall(key: string, old: StepInfo, info: StepInfo): string {
    if (info.key !== key) throw new Refusal(`the case waits in call step '${key}' for the case it called: a waiting call step keeps its key`);
    const before = old.definition.call?.workflow;
    const after = info.definition.call?.workflow;
    if (before !== after) throw new Refusal(`the case waits in call step '${key}' for a case of '${before}', but version ${this.toVersion} calls '${after}' there`);
    const entry = this.context.entries[key] ?? 0;
    this.steps.push({
      from: { step: key, entry },
      to: { step: key, entry },
      enteredAt: this.context.enteredAt[key],
      deadline: { before: old.definition.deadline, after: info.definition.deadline },
    });
    return key;
  }

  /** The step is entered anew under its new key (or for its new assignees), keeping the time the visit began. */
  private newVisit(key: string, next: string): number {
    const entry = (this.context.entries[next] ?? 0) + 1;
    this.entries[next] = entry;
    this.enteredAt[next] = this.context.enteredAt[key];
    return entry;
  }

  private mapPausedClocks(): PausedClockMove[] {
    const moves: PausedClockMove[] = [];
    const owners = new Map<string, string>();
    for (const [key, entry] of Object.entries(this.context.pausedClocks ?? {})) {
      const before = this.from.steps.get(key)?.definition.deadline;
      const next = this.target(key);
      const info = this.to.steps.get(next);
      const after = info && (info.definition.type ?? 'task') === 'task' ? info.definition.deadline : undefined;
      if (!after) {
        const why = !info ? `version ${this.toVersion} has no step '${next}'` : `step '${next}' of version ${this.toVersion} has no deadline`;
        moves.push({ from: { step: key, entry }, deadline: { before }, dropped: `the clock paused by a return in step '${key}' is dropped: ${why}` });
        continue;
      }
      const other = owners.get(next);
      if (other !== undefined) throw new Refusal(`the paused clocks of steps '${other}' and '${key}' would both belong to step '${next}'`);
      owners.set(next, key);
      moves.push({ from: { step: key, entry }, to: { step: next, entry }, deadline: { before, after } });
    }
    return moves;
  }
}

function where(info: StepInfo, version: number): string {
  return info.parallel ? `in region '${info.region}' of parallel step '${info.parallel}' in version ${version}` : `at the top level in version ${version}`;
}

function describeCountersign(info: StepInfo): string {
  const countersign = info.definition.countersign;
  return countersign ? `${countersign.mode}${countersign.ratio !== undefined ? ` ${countersign.ratio}` : ''}` : 'none';
}
