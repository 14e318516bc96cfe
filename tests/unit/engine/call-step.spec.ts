import { readFileSync, readdirSync } from 'node:fs';
import { callChainBack } from '../../../src/engine/call-step.js';
import { childDone, restore, startCase, type PersistedCaseSnapshot } from '../../../src/engine/case-transition.js';
import { loadDefinition, loadDefinitions, validateDefinition, type DefinitionIssue } from '../../../src/engine/definition-validator.js';
import { EngineException, EngineExceptionCode } from '../../../src/engine/engine.exception.js';
import { replayHistory } from '../../../src/engine/history-replay.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';
import { compileWorkflow, type CompiledWorkflow } from '../../../src/engine/workflow-machine.js';
import {
  CaseDriver,
  DAY,
  START,
  TAISHAN_VILLAGE,
  appraisal,
  approver,
  eligibleProposal,
  entered,
  entryStartData,
  finished,
  left,
  officer,
  plus,
  reviewer,
  supportPlan,
  system,
} from '../../support/engine-fixtures.js';
import { loadSeedWorkflow } from '../../support/seed-workflows.js';

const entry = loadSeedWorkflow('poverty-entry');
const investigationDeadline = entry.steps.get('investigation')!.definition.deadline!;

/** A poverty-entry case at its objection review, the objection recorded without an objector. */
function atObjectionReview(): CaseDriver {
  const c = CaseDriver.start(entry, entryStartData());
  c.act(officer, 'submit', eligibleProposal());
  c.act(officer, 'submit', supportPlan());
  c.act(officer, 'record', appraisal(45));
  c.act(reviewer, 'approve', {});
  c.act(approver, 'approve', {});
  c.act(officer, 'object', { objection: '该户有经营性收入未申报' });
  return c;
}

/** The `$childDone` of the case's investigation, as the shell would deliver it, recorded in its history. */
function deliver(c: CaseDriver, status: string, data: Record<string, unknown> = {}, now = plus(c.now, DAY)) {
  const result = childDone(entry, c.snapshot, { step: 'investigation', stepEntry: c.entry('investigation'), childCaseId: 'child-1', status, data, actor: system, now });
  c.now = now;
  c.last = result;
  c.history.push({ eventType: 'action', payload: result.event });
  c.snapshots.push(result.snapshot);
  return result;
}

describe('a call step in the engine', () => {
  it('starts the child case on entry with the input evaluated over the case, and opens no task', () => {
    const c = atObjectionReview();
    const r = c.act(officer, 'investigate', { finding: '需入户核实' });
    expect(r.activeSteps).toEqual(['investigation']);
    expect(r.effects).toEqual([
      ...left(entry, 'objectionReview', 1, 'investigate'),
      {
        type: 'startChildCase',
        workflow: 'objection-investigation',
        // `objector` was never given: its expression yields null and the field is left out.
        input: { householdName: '李大福', objection: '该户有经营性收入未申报', reviewFinding: '需入户核实' },
        step: 'investigation',
        stepEntry: 1,
      },
      { type: 'startDeadline', step: 'investigation', entry: 1, startedAt: c.now.toISOString(), deadline: investigationDeadline },
    ]);
    expect(r.status).toBe('active');
  });

  it('offers nobody an action while it waits', () => {
    const c = atObjectionReview();
    c.act(officer, 'investigate', { finding: '需入户核实' });
    for (const [actor, action] of [[officer, 'conclude'], [reviewer, 'approve'], [system, 'conclude']] as const) {
      expect(c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, actor, action).message).toContain('investigation (异议调查)');
    }
  });

  it.each([
    ['upheld, not qualifying', 'upheld', { disqualified: true }, 'rejected'],
    ['upheld', 'upheld', { disqualified: false }, 'appraisal'],
    ['dismissed', 'dismissed', {}, 'publicNotice'],
  ])('a child %s sends the case to %s', (_name, status, data, target) => {
    const c = atObjectionReview();
    c.act(officer, 'investigate', { finding: '需入户核实' });
    const r = deliver(c, status, { conclusion: '经核实', ...data });
    const leaving = [{ type: 'cancelDeadline', step: 'investigation', entry: 1, reason: 'child-done', pause: false }];
    if (target === 'rejected') {
      expect(r).toMatchObject({ status: 'rejected', activeSteps: ['rejected'], effects: [...leaving, finished('rejected', 'rejected')] });
    } else {
      // Both were visited once before: this is their second visit.
      expect(r).toMatchObject({ status: 'active', activeSteps: [target], effects: [...leaving, ...entered(entry, target, 2, c.now)] });
    }
    expect(r.event).toEqual({
      type: 'investigation.$childDone',
      step: 'investigation',
      action: '$childDone',
      input: { childCaseId: 'child-1', status, data: { conclusion: '经核实', ...data } },
      actor: system,
      now: c.now.toISOString(),
    });
    // The child's data stays the child's: the calling case's data is unchanged.
    expect(r.snapshot.context.data).toEqual(c.snapshots.at(-2)!.context.data);
  });

  it('refuses an outcome when the case does not wait for it: another visit, another step, a finished case', () => {
    const c = atObjectionReview();
    c.act(officer, 'investigate', { finding: '需入户核实' });
    const refuse = (snapshot: PersistedCaseSnapshot, step: string, stepEntry: number) => {
      try {
        childDone(entry, snapshot, { step, stepEntry, childCaseId: 'child-9', status: 'dismissed', data: {}, actor: system, now: plus(c.now, DAY) });
      } catch (error) {
        return error as EngineException;
      }
      throw new Error('not refused');
    };
    expect(refuse(c.snapshot, 'investigation', 2)).toMatchObject({ code: EngineExceptionCode.CALL_NOT_WAITING, details: { step: 'investigation', stepEntry: 2, childCaseId: 'child-9' } });
    expect(refuse(c.snapshot, 'publicNotice', 1).code).toBe(EngineExceptionCode.CALL_NOT_WAITING);
    deliver(c, 'upheld', { disqualified: true });
    expect(c.snapshot.status).toBe('done');
    expect(refuse(c.snapshot, 'investigation', 1).code).toBe(EngineExceptionCode.CALL_NOT_WAITING);
  });

  it('numbers a second investigation as the step’s second visit', () => {
    const c = atObjectionReview();
    c.act(officer, 'investigate', { finding: '需入户核实' });
    deliver(c, 'dismissed', { conclusion: '异议不成立' });
    c.act(officer, 'object', { objection: '再次异议', objector: '村民乙' });
    const r = c.act(officer, 'investigate', { finding: '再查' });
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'startChildCase', stepEntry: 2, input: expect.objectContaining({ objector: '村民乙', objection: '再次异议' }) }));
  });

  it('replays a history with child outcomes to the same snapshots', () => {
    const c = atObjectionReview();
    c.act(officer, 'investigate', { finding: '需入户核实' });
    deliver(c, 'upheld', { disqualified: false });
    c.act(officer, 'record', appraisal(40));
    c.act(reviewer, 'approve', {});
    c.act(approver, 'approve', {});
    c.act(officer, 'object', { objection: '再次异议' });
    c.act(officer, 'investigate', { finding: '再查' });
    deliver(c, 'dismissed', {});
    c.act(system, 'conclude', {}, { now: plus(c.now, 8 * DAY) });
    expect(c.snapshot.status).toBe('done');
    expect(replayHistory(entry, c.history)).toEqual(c.snapshot);
    // And every intermediate snapshot, history row by history row.
    c.history.forEach((_row, index) => expect(replayHistory(entry, c.history.slice(0, index + 1))).toEqual(c.snapshots[index]));
  });

  it('ignores the calling step visit recorded in a child’s start event when replaying it', () => {
    const child = compiledOf(INQUIRY);
    const input = { data: { subject: '某户' }, jurisdiction: TAISHAN_VILLAGE, now: START.toISOString() };
    const started = startCase(child, { ...input, now: START });
    expect(replayHistory(child, [{ eventType: 'started', payload: { ...input, calledBy: { caseId: 'p', step: 'inquiry', entry: 1 } } }])).toEqual(started.snapshot);
  });
});

// ---------------------------------------------------------------------------
// Small definitions for what the seed does not show
// ---------------------------------------------------------------------------

const INQUIRY: WorkflowDefinition = {
  key: 'inquiry',
  version: 1,
  label: '调查',
  start: { role: 'officer', level: 'town', fields: { subject: { type: 'string', label: '事项', required: true }, note: { type: 'text', label: '备注' } } },
  initial: 'check',
  steps: {
    check: {
      label: '核实',
      role: 'officer',
      level: 'town',
      deadline: { duration: '5wd', escalation: [{ after: '0wd', notify: { role: 'supervisor', level: 'county' } }] },
      actions: { confirm: { label: '属实', kind: 'decide', target: 'confirmed' }, deny: { label: '不属实', kind: 'decide', target: 'denied' } },
    },
    confirmed: { label: '属实', type: 'final', status: 'confirmed' },
    denied: { label: '不属实', type: 'final', status: 'denied' },
  },
};

/** Starts by calling `inquiry` at once; `share` divides by params.divisor, to make an input fail. */
const HEARING: WorkflowDefinition = {
  key: 'hearing',
  version: 1,
  label: '听证',
  start: { role: 'officer', level: 'town', fields: { subject: { type: 'string', label: '事项', required: true }, amount: { type: 'number', label: '金额' } } },
  params: { divisor: 2 },
  initial: 'inquiry',
  steps: {
    inquiry: {
      label: '调查',
      type: 'call',
      call: { workflow: 'inquiry', input: { subject: { var: 'data.subject' }, note: { '/': [{ var: ['data.amount', 0] }, { var: 'params.divisor' }] } } },
      outcomes: [{ when: { '==': [{ var: 'child.status' }, 'confirmed'] }, target: 'decide' }, { target: 'closed' }],
    },
    decide: {
      label: '决定',
      role: 'reviewer',
      level: 'county',
      deadline: { duration: '5wd', escalation: [{ after: '0wd', notify: { role: 'supervisor', level: 'city' } }] },
      actions: { close: { label: '办结', kind: 'complete', target: 'closed' } },
    },
    closed: { label: '办结', type: 'final', status: 'closed' },
  },
};

function compiledOf(definition: WorkflowDefinition): CompiledWorkflow {
  return compileWorkflow(JSON.parse(JSON.stringify(definition)) as WorkflowDefinition);
}

describe('a call step as the first step', () => {
  it('starts the child with the case itself, its params from the start', () => {
    const hearing = compiledOf(HEARING);
    const r = startCase(hearing, { data: { subject: '某户', amount: 9 }, jurisdiction: TAISHAN_VILLAGE, now: START, params: { divisor: 3 } });
    expect(r.effects).toEqual([{ type: 'startChildCase', workflow: 'inquiry', input: { subject: '某户', note: 3 }, step: 'inquiry', stepEntry: 1 }]);
    expect(restore(hearing, r.snapshot).value).toBe('inquiry');
  });

  it('refuses a start whose call input fails to evaluate, naming the field', () => {
    const hearing = compiledOf(HEARING);
    let caught: unknown;
    try {
      startCase(hearing, { data: { subject: '某户', amount: 9 }, jurisdiction: TAISHAN_VILLAGE, now: START, params: { divisor: 0 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineException);
    expect(caught).toMatchObject({ code: EngineExceptionCode.CALL_INPUT_INVALID, details: { step: 'inquiry', workflow: 'inquiry', field: 'note' } });
    expect((caught as Error).message).toMatch(/^Step 'inquiry' cannot start 'inquiry': its input 'note' failed \("\/" by zero\)$/);
  });

  it('goes on by the outcome whose condition holds, the last one otherwise', () => {
    const hearing = compiledOf(HEARING);
    const start = startCase(hearing, { data: { subject: '某户' }, jurisdiction: TAISHAN_VILLAGE, now: START });
    const outcome = (status: string) =>
      childDone(hearing, start.snapshot, { step: 'inquiry', stepEntry: 1, childCaseId: 'c', status, data: {}, actor: system, now: plus(START, DAY) });
    expect(outcome('confirmed').activeSteps).toEqual(['decide']);
    expect(outcome('denied')).toMatchObject({ status: 'closed', effects: [{ type: 'caseFinished', step: 'closed', status: 'closed' }] });
  });
});

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const errorsOf = (issues: DefinitionIssue[]) => issues.filter((i) => i.severity === 'error').map((i) => ({ path: i.path, message: i.message }));
const known = { workflowDefinitions: new Map([['inquiry', INQUIRY]]) };

function hearingWith(change: (d: any) => void): any {
  const d = JSON.parse(JSON.stringify(HEARING));
  change(d);
  return d;
}

describe('validating call steps', () => {
  it('accepts the shipped workflows validated together, poverty-entry calling objection-investigation', () => {
    const files = readdirSync('workflows').filter((f) => f.endsWith('.yaml')).map((f) => ({ source: readFileSync(`workflows/${f}`, 'utf8'), file: `workflows/${f}` }));
    const results = loadDefinitions(files);
    expect(results.flatMap((r) => errorsOf(r.issues))).toEqual([]);
    expect(results.map((r) => r.definition?.key)).toContain('objection-investigation');
  });

  it('accepts a call step that fits the called start form', () => {
    expect(errorsOf(validateDefinition(hearingWith(() => {}), 'hearing.json', undefined, known).issues)).toEqual([]);
  });

  it.each<[string, (d: any) => void, { path: string; message: string }[]]>([
    ['an unknown workflow', (d) => (d.steps.inquiry.call.workflow = 'inquest'), [{ path: 'steps.inquiry.call.workflow', message: "there is no workflow 'inquest' to call; known workflows: inquiry" }]],
    ['its own workflow', (d) => (d.steps.inquiry.call.workflow = 'hearing'), [{ path: 'steps.inquiry.call.workflow', message: "step 'inquiry' calls its own workflow 'hearing': every case would start another one without end" }]],
    ['an input that is not a start field', (d) => (d.steps.inquiry.call.input.subjekt = 'x'), [{ path: 'steps.inquiry.call.input.subjekt', message: "'subjekt' is not a start field of 'inquiry'; its start fields: subject, note" }]],
    ['a required start field not given', (d) => delete d.steps.inquiry.call.input.subject, [{ path: 'steps.inquiry.call.input', message: "the start form of 'inquiry' requires subject: give it in 'input'" }]],
    ['no input at all', (d) => delete d.steps.inquiry.call.input, [{ path: 'steps.inquiry.call', message: "the start form of 'inquiry' requires subject: give it in 'input'" }]],
    [
      'a role, a level and actions',
      (d) => Object.assign(d.steps.inquiry, { role: 'officer', level: 'town', actions: { go: { label: '走', kind: 'submit', target: 'closed' } } }),
      [
        { path: 'steps.inquiry.actions', message: "a call step has no actions (the called case's outcome moves it on)" },
        { path: 'steps.inquiry.role', message: "a call step has no 'role' (nobody acts on it; the called case's steps have their own)" },
        { path: 'steps.inquiry.level', message: "a call step has no 'level' (nobody acts on it)" },
      ],
    ],
    ['no outcomes', (d) => delete d.steps.inquiry.outcomes, [{ path: 'steps.inquiry', message: "a call step needs 'outcomes': where the case goes when the called case has finished" }]],
    ['no call', (d) => delete d.steps.inquiry.call, [{ path: 'steps.inquiry', message: "a call step needs 'call': the workflow whose case it starts" }]],
    [
      'a last outcome with a condition',
      (d) => (d.steps.inquiry.outcomes[1].when = { '==': [{ var: 'child.status' }, 'denied'] }),
      [{ path: 'steps.inquiry.outcomes.1.when', message: "the last outcome must omit 'when' and catch every remaining case; otherwise the case gets stuck when no condition holds" }],
    ],
    ['an outcome to no step', (d) => (d.steps.inquiry.outcomes[1].target = 'close'), [{ path: 'steps.inquiry.outcomes.1.target', message: 'outcome target: there is no step named \'close\'; steps that can be named here: inquiry, decide, closed' }]],
    ['an invalid input expression', (d) => (d.steps.inquiry.call.input.note = { eval: 'x' }), [{ path: 'steps.inquiry.call.input.note.eval', message: 'invalid input expression: unknown operator "eval"' }]],
    ['a reserved name as an input field', (d) => (d.steps.inquiry.call.input.constructor = 'x'), [
      { path: 'steps.inquiry.call.input.constructor', message: "'constructor' is a reserved name (a built-in property of every JavaScript object); choose another field name" },
      { path: 'steps.inquiry.call.input.constructor', message: "'constructor' is not a start field of 'inquiry'; its start fields: subject, note" },
    ]],
    ['a call on a task step', (d) => (d.steps.decide.call = { workflow: 'inquiry' }), [{ path: 'steps.decide.call', message: "only a call step (type: call) has 'call'" }]],
  ])('refuses %s', (_name, change, expected) => {
    const result = validateDefinition(hearingWith(change), 'hearing.json', undefined, known);
    expect(result.definition).toBeUndefined();
    expect(errorsOf(result.issues)).toEqual(expected);
  });

  it('checks the called workflow only when it knows the workflows', () => {
    const unknownCall = hearingWith((d) => (d.steps.inquiry.call.workflow = 'inquest'));
    expect(errorsOf(validateDefinition(unknownCall, 'hearing.json').issues)).toEqual([]);
    expect(errorsOf(validateDefinition(unknownCall, 'hearing.json', undefined, { knownWorkflows: ['inquest'] }).issues)).toEqual([]);
  });

  it('reports a chain of calls that leads back to the workflow', () => {
    const looping = JSON.parse(JSON.stringify(INQUIRY));
    looping.steps.check.actions.confirm.target = 'again';
    looping.steps.again = { label: '复听', type: 'call', call: { workflow: 'hearing', input: { subject: { var: 'data.subject' } } }, outcomes: [{ target: 'confirmed' }] };
    const definitions = new Map<string, WorkflowDefinition>([['inquiry', looping], ['hearing', HEARING]]);
    expect(callChainBack('inquiry', 'hearing', definitions)).toEqual(['inquiry', 'hearing']);
    const result = validateDefinition(hearingWith(() => {}), 'hearing.json', undefined, { workflowDefinitions: definitions });
    expect(errorsOf(result.issues)).toEqual([
      { path: 'steps.inquiry.call.workflow', message: "calling 'inquiry' leads back to 'hearing' (hearing → inquiry → hearing): every case would start another one without end" },
    ]);
  });

  it('points at the line of a misspelt called workflow in a file validated with its set', () => {
    const source = readFileSync('workflows/poverty-entry.yaml', 'utf8').replace('workflow: objection-investigation', 'workflow: objection-investigaton');
    const child = loadDefinition(readFileSync('workflows/objection-investigation.yaml', 'utf8'), 'workflows/objection-investigation.yaml').definition!;
    // The workflow its escalations open is known too (an unknown `openCase` is an error of its own).
    const result = loadDefinition(source, 'workflows/poverty-entry.yaml', 'yaml', { workflowDefinitions: new Map([[child.key, child]]), knownWorkflows: ['accountability-interview'] });
    const line = source.split('\n').findIndex((l) => l.includes('workflow: objection-investigaton')) + 1;
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([
      {
        file: 'workflows/poverty-entry.yaml',
        path: 'steps.investigation.call.workflow',
        severity: 'error',
        message: "there is no workflow 'objection-investigaton' to call; known workflows: accountability-interview, objection-investigation",
        line,
        column: 7, // the key of the value, as for every issue
      },
    ]);
  });
});
