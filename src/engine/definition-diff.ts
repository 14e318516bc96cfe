import { canonicalJson } from '../common/canonical-json.js';
import type { ActionDefinition, StepDefinition, WorkflowDefinition } from './workflow-definition.js';

/**
 * What changed between two versions of a definition, in words an administrator reads:
 * steps, actions, guards, deadlines, forms, who acts, and the parameters guards use.
 * Pure: both versions are plain definitions; the order is the order of the newer one.
 */
export interface DefinitionChange {
  change: 'added' | 'removed' | 'changed';
  /** Where, as a path into the definition (`steps.countyReview.deadline`). */
  path: string;
  text: string;
  before?: unknown;
  after?: unknown;
}

export function diffDefinitions(from: WorkflowDefinition, to: WorkflowDefinition): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  const changed = (path: string, text: string, before: unknown, after: unknown) => changes.push({ change: 'changed', path, text, before, after });

  if (from.label !== to.label) changed('label', `Name: ${from.label} → ${to.label}`, from.label, to.label);
  if (from.start.role !== to.start.role || from.start.level !== to.start.level) {
    changed('start', `Started by: the ${from.start.level} ${from.start.role} → the ${to.start.level} ${to.start.role}`, pick(from.start), pick(to.start));
  }
  diffFields(changes, 'start.fields', 'Start form', from.start.fields, to.start.fields);
  if (from.initial !== to.initial) changed('initial', `First step: ${from.initial} → ${to.initial}`, from.initial, to.initial);
  for (const key of union(Object.keys(from.params ?? {}), Object.keys(to.params ?? {}))) {
    const before = from.params?.[key];
    const after = to.params?.[key];
    if (!same(before, after)) {
      changes.push({
        change: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed',
        path: `params.${key}`,
        text: `Parameter ${key}: ${show(before)} → ${show(after)}`,
        before,
        after,
      });
    }
  }

  const before = stepsOf(from);
  const after = stepsOf(to);
  for (const [key, step] of after) {
    const old = before.get(key);
    if (!old) {
      const who = step.step.role ? `, acted on by the ${step.step.level} ${step.step.role}` : step.step.call ? `, calling ${step.step.call.workflow}` : '';
      changes.push({ change: 'added', path: step.path, text: `Step added: ${name(key, step.step)}${who}`, after: step.step });
    }
    else diffStep(changes, key, old.step, step.step, step.path);
  }
  for (const [key, step] of before) {
    if (!after.has(key)) changes.push({ change: 'removed', path: step.path, text: `Step removed: ${name(key, step.step)}`, before: step.step });
  }
  return changes;
}

function diffStep(changes: DefinitionChange[], key: string, from: StepDefinition, to: StepDefinition, path: string): void {
  const label = name(key, to);
  const changed = (where: string, text: string, before: unknown, after: unknown) =>
    changes.push({ change: before === undefined ? 'added' : after === undefined ? 'removed' : 'changed', path: `${path}.${where}`, text, before, after });
  if (from.label !== to.label) changed('label', `Step ${key}: renamed ${from.label} → ${to.label}`, from.label, to.label);
  if ((from.type ?? 'task') !== (to.type ?? 'task')) changed('type', `Step ${label}: ${from.type ?? 'task'} → ${to.type ?? 'task'}`, from.type ?? 'task', to.type ?? 'task');
  if (from.role !== to.role || from.level !== to.level) {
    changed('role', `Step ${label}: acted on by the ${from.level} ${from.role} → the ${to.level} ${to.role}`, pick(from), pick(to));
  }
  if (!same(from.deadline, to.deadline)) {
    const text =
      from.deadline === undefined
        ? `Step ${label}: deadline added (${to.deadline!.duration})`
        : to.deadline === undefined
          ? `Step ${label}: deadline removed (was ${from.deadline.duration})`
          : from.deadline.duration !== to.deadline.duration
            ? `Step ${label}: deadline ${from.deadline.duration} → ${to.deadline.duration}${same({ ...from.deadline, duration: '' }, { ...to.deadline, duration: '' }) ? '' : ', and its reminder or escalation changed'}`
            : `Step ${label}: reminder, escalation or expiry of the deadline changed`;
    changed('deadline', text, from.deadline, to.deadline);
  }
  if (!same(from.countersign, to.countersign)) {
    changed('countersign', `Step ${label}: countersign ${show(from.countersign?.mode ?? 'none')} → ${show(to.countersign?.mode ?? 'none')}`, from.countersign, to.countersign);
  }
  if (!same(from.assignment, to.assignment)) changed('assignment', `Step ${label}: transfer, delegation or added signers allowed differently`, from.assignment, to.assignment);
  if (from.call?.workflow !== to.call?.workflow) changed('call', `Step ${label}: calls ${show(from.call?.workflow)} → ${show(to.call?.workflow)}`, from.call, to.call);
  else if (!same(from.call, to.call)) changed('call', `Step ${label}: the input of the called ${to.call!.workflow} changed`, from.call, to.call);
  if (!same(from.outcomes, to.outcomes)) {
    changed('outcomes', `Step ${label}: outcomes go to ${(from.outcomes ?? []).map((o) => o.target).join(' or ') || '—'} → now to ${(to.outcomes ?? []).map((o) => o.target).join(' or ') || '—'}`, from.outcomes, to.outcomes);
  }
  if (from.status !== to.status || from.caseStatus !== to.caseStatus) {
    changed('status', `Step ${label}: case status ${from.status ?? from.caseStatus ?? '—'} → ${to.status ?? to.caseStatus ?? '—'}`, from.status ?? from.caseStatus, to.status ?? to.caseStatus);
  }
  const actions = union(Object.keys(from.actions ?? {}), Object.keys(to.actions ?? {}));
  for (const action of actions) {
    const a = from.actions?.[action];
    const b = to.actions?.[action];
    const actionPath = `actions.${action}`;
    if (!a) changed(actionPath, `Step ${label}: action added: ${b!.label} (${action})${destination(b!)}`, undefined, b);
    else if (!b) changed(actionPath, `Step ${label}: action removed: ${a.label} (${action})`, a, undefined);
    else diffAction(changes, `${path}.${actionPath}`, `Step ${label}, action ${b.label} (${action})`, a, b);
  }
}

function diffAction(changes: DefinitionChange[], path: string, where: string, from: ActionDefinition, to: ActionDefinition): void {
  const changed = (at: string, text: string, before: unknown, after: unknown) => changes.push({ change: 'changed', path: `${path}.${at}`, text, before, after });
  if (!same(routeOf(from), routeOf(to))) changed('target', `${where}: goes${destination(from)} → now${destination(to)}`, routeOf(from), routeOf(to));
  if (!same(from.guard, to.guard)) {
    const text = from.guard === undefined ? 'condition added' : to.guard === undefined ? 'condition removed' : 'condition changed';
    changed('guard', `${where}: ${text}`, from.guard, to.guard);
  }
  if (from.kind !== to.kind) changed('kind', `${where}: kind ${from.kind} → ${to.kind}`, from.kind, to.kind);
  if (Boolean(from.withdrawable) !== Boolean(to.withdrawable)) changed('withdrawable', `${where}: ${to.withdrawable ? 'can now be withdrawn' : 'can no longer be withdrawn'}`, from.withdrawable, to.withdrawable);
  diffFields(changes, `${path}.fields`, `${where}, form`, from.fields, to.fields);
}

function diffFields(changes: DefinitionChange[], path: string, where: string, from: ActionDefinition['fields'], to: ActionDefinition['fields']): void {
  for (const key of union(Object.keys(from ?? {}), Object.keys(to ?? {}))) {
    const a = from?.[key];
    const b = to?.[key];
    if (same(a, b)) continue;
    const text = !a ? `field added: ${b!.label} (${key})${b!.required ? ', required' : ''}` : !b ? `field removed: ${a.label} (${key})` : `field ${b.label} (${key}) changed`;
    changes.push({ change: !a ? 'added' : !b ? 'removed' : 'changed', path: `${path}.${key}`, text: `${where}: ${text}`, before: a, after: b });
  }
}

/** Every step, top level and in parallel regions, by key (keys are unique across a definition). */
function stepsOf(definition: WorkflowDefinition): Map<string, { step: StepDefinition; path: string }> {
  const steps = new Map<string, { step: StepDefinition; path: string }>();
  const walk = (map: Record<string, StepDefinition>, path: string) => {
    for (const [key, step] of Object.entries(map)) {
      steps.set(key, { step, path: `${path}.${key}` });
      for (const [region, { steps: inner }] of Object.entries(step.regions ?? {})) walk(inner, `${path}.${key}.regions.${region}.steps`);
    }
  };
  walk(definition.steps, 'steps');
  return steps;
}

function routeOf(action: ActionDefinition): unknown {
  return { target: action.target, branches: action.branches, returnTo: action.returnTo };
}

function destination(action: ActionDefinition): string {
  if (action.target) return ` to ${action.target}`;
  if (action.returnTo) return ` back to one of ${action.returnTo.join(', ')}`;
  return ` to ${(action.branches ?? []).map((b) => b.target).join(' or ')}`;
}

function name(key: string, step: StepDefinition): string {
  return `${step.label} (${key})`;
}

function pick(value: { role?: string; level?: string }) {
  return { role: value.role, level: value.level };
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...b, ...a])];
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function show(value: unknown): string {
  return value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
}
