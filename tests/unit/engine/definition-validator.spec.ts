import { readFileSync } from 'node:fs';
import {
  formatIssue,
  loadDefinition,
  validateDefinition,
  type DefinitionIssue,
  type DefinitionValidation,
} from '../../../src/engine/definition-validator.js';
import { parseDefinitionSource, SOURCE_LIMITS } from '../../../src/engine/definition-source.js';
import { DURATION_PATTERN } from '../../../src/engine/definition-schema.js';

/**
 * Inputs built to blow up a naive walker (10,000-deep, huge) must still finish in well under
 * a second; the bound is generous so that a loaded machine can't fail the test, while a
 * recursion or quadratic blow-up (minutes, or a stack overflow) still does.
 */
const BLOWUP_MS = 5_000;

// Fixtures are edited as loose `any` data on purpose: most cases make them invalid.

// Snapshotted before any test runs, so the last test can prove nothing leaked onto it.
const objectPrototypeKeysBefore = Reflect.ownKeys(Object.prototype).map(String).sort();

/**
 * A small valid definition exercising every feature the validator knows: start fields,
 * a guard, a branch decision, a parallel countersign with two regions, deadlines with
 * escalation, an onExpire system action and final steps with statuses.
 */
const FIXTURE = `key: household-entry
version: 1
label: 贫困户识别
labelEn: Household entry
description: Test fixture for the definition validator.
start:
  role: officer
  level: town
  fields:
    householdName: { type: string, label: 户主姓名, required: true, maxLength: 50 }
    income: { type: number, label: 人均可支配收入, min: 0 }
titleField: householdName
access: { pairedCountyRead: true }
params:
  povertyLine: 6600
initial: propose
steps:
  propose:
    label: 拟选对象
    role: officer
    level: town
    deadline:
      duration: 5wd
      reminderBefore: 1wd
      escalation:
        - after: 0wd
          notify: { role: supervisor, level: town }
        - after: 3wd
          notify: { role: supervisor, level: county }
          openCase: accountability-interview
    actions:
      submit:
        label: 提交
        kind: submit
        target: review
        withdrawable: true
        guard: { "<": [{ var: data.income }, { var: params.povertyLine }] }
        guardMessage: 收入不低于贫困线
        fields:
          reason: { type: enum, label: 致贫原因, options: [illness, disability], optionLabels: { illness: 因病, disability: 因残 } }
          idNumber: { type: residentId, label: 身份证号 }
  review:
    label: 县级审核
    role: reviewer
    level: county
    countersign: { mode: ratio, ratio: 0.5, approve: decide, reject: sendBack }
    deadline:
      duration: P10D
      escalation:
        - after: 1d
          notify: { role: supervisor, level: county }
    actions:
      decide:
        label: 审核决定
        kind: decide
        fields:
          outcome: { type: enum, label: 结论, options: [pass, fail], required: true }
        branches:
          - when: { "==": [{ var: data.outcome }, pass] }
            target: countersign
          - target: rejected
      sendBack:
        label: 退回补正
        kind: return
        target: propose
      sendBackTo:
        label: 退回到指定环节
        kind: return
        returnTo: [propose]
        fields:
          reason: { type: text, label: 退回原因, required: true }
  countersign:
    label: 部门会签
    type: parallel
    onDone: notice
    regions:
      agriculture:
        initial: agricultureReview
        steps:
          agricultureReview:
            label: 农业部门认定
            role: reviewer
            level: county
            deadline:
              duration: 3wd
              escalation: [{ after: 0wd, notify: { role: supervisor, level: county } }]
            actions:
              confirm: { label: 认定, kind: approve, target: agricultureDone }
          agricultureDone: { label: 农业部门已认定, type: final }
      civil:
        initial: civilReview
        steps:
          civilReview:
            label: 民政部门认定
            role: reviewer
            level: county
            deadline:
              duration: PT72H
              escalation: [{ after: 12h, notify: { role: supervisor, level: county } }]
            actions:
              confirm: { label: 认定, kind: approve, target: civilDone }
          civilDone: { label: 民政部门已认定, type: final }
  notice:
    label: 公示
    role: officer
    level: town
    caseStatus: notice
    deadline:
      duration: 7d
      onExpire: close
      escalation: [{ after: 1d, notify: { role: supervisor, level: town } }]
    actions:
      close: { label: 公示期满, kind: complete, target: registered, allowSystem: true }
      uphold: { label: 异议成立, kind: object, target: review }
  registered: { label: 已纳入, type: final, status: registered }
  rejected: { label: 不予纳入, type: final, status: rejected }
`;

const FILE = 'household-entry.yaml';

/** 1-based number of the (first) line equal to `text`. */
function lineOf(text: string, source = FIXTURE): number {
  const index = source.split('\n').indexOf(text);
  if (index < 0) throw new Error(`fixture has no line ${JSON.stringify(text)}`);
  return index + 1;
}

/** 1-based column of `fragment` in that line. */
function columnOf(line: string, fragment: string): number {
  return line.indexOf(fragment) + 1;
}

const valid = loadDefinition(FIXTURE, FILE);

/**
 * A fresh, editable copy of the parsed valid definition. JSON round trip rather than
 * structuredClone: under Jest the latter builds objects of another realm.
 */
function fixture(): any {
  return JSON.parse(JSON.stringify(valid.definition)) as any;
}

function validate(change: (doc: any) => void): DefinitionValidation {
  const doc = fixture();
  change(doc);
  return validateDefinition(doc, FILE);
}

const errors = (result: DefinitionValidation): DefinitionIssue[] => result.issues.filter((issue) => issue.severity === 'error');
const warnings = (result: DefinitionValidation): DefinitionIssue[] => result.issues.filter((issue) => issue.severity === 'warning');

/** A `{"!": {"!": ... true}}` chain built iteratively, so building it cannot overflow either. */
function deepGuard(depth: number): unknown {
  let expr: unknown = true;
  for (let i = 0; i < depth; i++) expr = { '!': expr };
  return expr;
}

describe('validateDefinition: the valid fixture', () => {
  it('has no issues at all and returns the definition', () => {
    expect(valid.issues).toEqual([]);
    expect(valid.definition?.key).toBe('household-entry');
    expect(valid.definition?.steps.countersign.regions?.civil.steps.civilReview.role).toBe('reviewer');
  });

  it('accepts the same definition handed over as a plain object (e.g. from the admin API)', () => {
    expect(validateDefinition(fixture(), FILE).issues).toEqual([]);
  });

  it('accepts the same definition written as JSON', () => {
    const json = JSON.stringify(valid.definition, null, 2);
    const result = loadDefinition(json, 'household-entry.json');
    expect(result.issues).toEqual([]);
    expect(result.definition).toEqual(valid.definition);
  });
});

/**
 * [name, change, path of the error, fragment of its message, paths of any other errors the
 * change rightly causes]. The error paths must match exactly: no missing, no extra errors.
 */
type Case = [name: string, change: (doc: any) => void, path: string, fragment: string, alsoAt?: string[]];

const CASES: Case[] = [
  [
    'unreachable step',
    (d) => {
      d.steps.orphan = {
        label: '孤立',
        role: 'officer',
        level: 'town',
        deadline: { duration: '1d', escalation: [{ after: '1d', notify: { role: 'supervisor', level: 'town' } }] },
        actions: { go: { label: '走', kind: 'submit', target: 'registered' } },
      };
    },
    'steps.orphan',
    "step 'orphan' cannot be reached from the initial step 'propose'",
  ],
  ['missing target', (d) => (d.steps.propose.actions.submit.target = 'nowhere'), 'steps.propose.actions.submit.target', "there is no step named 'nowhere'"],
  ['missing branch target', (d) => (d.steps.review.actions.decide.branches[1].target = 'nowhere'), 'steps.review.actions.decide.branches.1.target', "no step named 'nowhere'"],
  ['unknown role', (d) => (d.steps.review.role = 'mayor'), 'steps.review.role', "unknown role 'mayor'; known roles: officer, reviewer, approver"],
  ['unknown level', (d) => (d.steps.review.level = 'province'), 'steps.review.level', "unknown level 'province'; known levels: city, county, town, village"],
  ['unknown role in an escalation', (d) => (d.steps.propose.deadline.escalation[0].notify.role = 'boss'), 'steps.propose.deadline.escalation.0.notify.role', "unknown role 'boss'"],
  [
    '__proto__ in a guard var path',
    (d) => (d.steps.propose.actions.submit.guard = { '<': [{ var: 'data.__proto__.polluted' }, 1] }),
    'steps.propose.actions.submit.guard.<.0.var',
    'forbidden segment "__proto__"',
  ],
  [
    'constructor in a branch condition var path',
    (d) => (d.steps.review.actions.decide.branches[0].when = { '==': [{ var: 'data.constructor' }, 'x'] }),
    'steps.review.actions.decide.branches.0.when.==.0.var',
    'forbidden segment "constructor"',
  ],
  ['unknown guard operator', (d) => (d.steps.propose.actions.submit.guard = { eval: 'process.exit()' }), 'steps.propose.actions.submit.guard.eval', 'unknown operator'],
  [
    'constructor as a field name',
    (d) => (d.steps.propose.actions.submit.fields.constructor = { type: 'string', label: '构造' }),
    'steps.propose.actions.submit.fields.constructor',
    "'constructor' is a reserved name",
  ],
  ['toString as a param name', (d) => (d.params.toString = 1), 'params.toString', "'toString' is a reserved name"],
  [
    'valueOf as a step name',
    (d) => {
      d.steps.valueOf = { label: '终', type: 'final' };
      d.steps.notice.actions.uphold.target = 'valueOf';
    },
    'steps.valueOf',
    "'valueOf' is a reserved name",
  ],
  ['a 1 MB string label', (d) => (d.steps.propose.label = 'x'.repeat(1024 * 1024)), 'steps.propose.label', "'label' is too long: 1048576 characters, at most 200 allowed"],
  ['a 6,000-character description', (d) => (d.description = '说'.repeat(6000)), 'description', 'at most 5000 allowed'],
  ['a task with no actions', (d) => delete d.steps.countersign.regions.civil.steps.civilReview.actions, 'steps.countersign.regions.civil.steps.civilReview', 'a task step needs at least one action'],
  ['a task with no role', (d) => delete d.steps.review.role, 'steps.review', "a task step needs a 'role'"],
  [
    'a final step with actions',
    (d) => (d.steps.registered.actions = { reopen: { label: '重开', kind: 'submit', target: 'review' } }),
    'steps.registered.actions',
    'a final step has no actions',
  ],
  [
    'a final step with a deadline',
    (d) => (d.steps.rejected.deadline = { duration: '1d', escalation: [{ after: '1d', notify: { role: 'supervisor', level: 'town' } }] }),
    'steps.rejected.deadline',
    "a final step has no 'deadline'",
  ],
  [
    'a non-final dead end (a step that only loops on itself)',
    (d) => (d.steps.countersign.regions.agriculture.steps.agricultureReview.actions.confirm.target = 'agricultureReview'),
    'steps.countersign.regions.agriculture.steps.agricultureReview',
    "step 'agricultureReview' is a dead end: no final step can be reached from it",
    // Its only way on was to its region's final step, which is now unreachable too.
    ['steps.countersign.regions.agriculture.steps.agricultureDone'],
  ],
  ['initial missing', (d) => delete d.initial, '', "missing required property 'initial'"],
  ['initial names no step', (d) => (d.initial = 'nowhere'), 'initial', "initial: there is no step named 'nowhere'"],
  ['initial names a region step', (d) => (d.initial = 'civilReview'), 'initial', "initial 'civilReview' is a step inside region 'civil' of step 'countersign'"],
  [
    "a region's initial names a step of another region",
    (d) => (d.steps.countersign.regions.civil.initial = 'agricultureReview'),
    'steps.countersign.regions.civil.initial',
    "initial 'agricultureReview' is a step inside region 'agriculture'",
  ],
  [
    'both target and branches',
    (d) => (d.steps.propose.actions.submit.branches = [{ target: 'review' }]),
    'steps.propose.actions.submit',
    "exactly one of 'target', 'branches' and 'returnTo', this one has both: target, branches",
  ],
  ['neither target nor branches', (d) => delete d.steps.propose.actions.submit.target, 'steps.propose.actions.submit', "needs a 'target', 'branches' or (a return) 'returnTo'"],
  [
    'branches with a conditional last branch',
    (d) => (d.steps.review.actions.decide.branches[1].when = { '==': [{ var: 'data.outcome' }, 'fail'] }),
    'steps.review.actions.decide.branches.1.when',
    "the last branch must omit 'when'",
  ],
  [
    'a branch without when before the last',
    (d) => d.steps.review.actions.decide.branches.unshift({ target: 'rejected' }),
    'steps.review.actions.decide.branches.0',
    "only the last branch may omit 'when'",
  ],
  [
    "typo'd property",
    (d) => {
      const submit = d.steps.propose.actions.submit;
      submit.targte = submit.target;
      delete submit.target;
    },
    'steps.propose.actions.submit',
    "unknown property 'targte'; did you mean 'target'?",
  ],
  ['typo at top level', (d) => (d.lable = 'x'), '', "unknown property 'lable'; did you mean 'label'?"],
  ['bad duration `5 days`', (d) => (d.steps.propose.deadline.duration = '5 days'), 'steps.propose.deadline.duration', "'5 days' is not valid for 'duration': a duration is e.g. 5wd"],
  ['bad ISO duration `PT`', (d) => (d.steps.review.deadline.duration = 'PT'), 'steps.review.deadline.duration', "'PT' is not valid"],
  ['onExpire to a non-system action', (d) => (d.steps.notice.deadline.onExpire = 'uphold'), 'steps.notice.deadline.onExpire', "'system: true' or 'allowSystem: true'"],
  ['onExpire to no action', (d) => (d.steps.notice.deadline.onExpire = 'finish'), 'steps.notice.deadline.onExpire', "onExpire 'finish' is not an action of step 'notice'; its actions: close, uphold"],
  [
    'openCase that is not a workflow key',
    (d) => (d.steps.propose.deadline.escalation[1].openCase = 'Accountability_Interview'),
    'steps.propose.deadline.escalation.1.openCase',
    'a workflow key is a lowercase letter',
  ],
  ['bad workflow key', (d) => (d.key = 'Household Entry'), 'key', "'Household Entry' is not valid for 'key'"],
  ['an invalid step key', (d) => (d.steps['bad key'] = { label: 'x', type: 'final' }), 'steps.bad key', "'bad key' is not a valid name"],
  ['unknown action kind', (d) => (d.steps.propose.actions.submit.kind = 'approveAll'), 'steps.propose.actions.submit.kind', "unknown action kind 'approveAll'"],
  ['unknown field type', (d) => (d.start.fields.income.type = 'money'), 'start.fields.income.type', "unknown field type 'money'"],
  ['wrong value type', (d) => (d.version = '1'), 'version', "'version' must be an integer"],
  ['enum field without options', (d) => delete d.steps.propose.actions.submit.fields.reason.options, 'steps.propose.actions.submit.fields.reason', "a field of type 'enum' needs 'options'"],
  ['table field without columns', (d) => (d.start.fields.members = { type: 'table', label: '家庭成员' }), 'start.fields.members', "a field of type 'table' needs 'columns'"],
  ['min greater than max', (d) => (d.start.fields.income.max = -1), 'start.fields.income', 'min (0) is greater than max (-1)'],
  ['titleField that is not a start field', (d) => (d.titleField = 'name'), 'titleField', "titleField 'name' is not a start field; start fields: householdName, income"],
  [
    'a step key used twice across regions',
    (d) => (d.steps.countersign.regions.civil.steps.review = { label: '重复', type: 'final' }),
    'steps.countersign.regions.civil.steps.review',
    "duplicate step key 'review', already used at steps.review",
  ],
  [
    'a top-level step targeting a step inside a region',
    (d) => (d.steps.notice.actions.uphold.target = 'civilReview'),
    'steps.notice.actions.uphold.target',
    'a top-level step may not target a step inside a region',
  ],
  [
    'a region step targeting a step of another region',
    (d) => (d.steps.countersign.regions.civil.steps.civilReview.actions.confirm.target = 'agricultureDone'),
    'steps.countersign.regions.civil.steps.civilReview.actions.confirm.target',
    'a step may target a step of its own region or a top-level step',
  ],
  [
    'a region without a final step',
    (d) => {
      const civil = d.steps.countersign.regions.civil;
      delete civil.steps.civilDone;
      civil.steps.civilReview.actions.confirm.target = 'notice';
    },
    'steps.countersign.regions.civil',
    "region 'civil' has no final step",
  ],
  ['a parallel step without onDone', (d) => delete d.steps.countersign.onDone, 'steps.countersign', "a parallel step needs 'onDone'"],
  ['a parallel step with a role', (d) => (d.steps.countersign.role = 'reviewer'), 'steps.countersign.role', "a parallel step has no 'role'"],
  ['countersign without a ratio in mode ratio', (d) => delete d.steps.review.countersign.ratio, 'steps.review.countersign', "countersign mode 'ratio' needs a 'ratio'"],
  ['countersign with a ratio in mode all', (d) => (d.steps.review.countersign.mode = 'all'), 'steps.review.countersign.ratio', "'ratio' only applies to countersign mode 'ratio', not 'all'"],
  ['countersign ratio 0', (d) => (d.steps.review.countersign.ratio = 0), 'steps.review.countersign.ratio', "'ratio' must be > 0"],
  ['countersign ratio over 1', (d) => (d.steps.review.countersign.ratio = 1.5), 'steps.review.countersign.ratio', "'ratio' must be <= 1"],
  ['unknown countersign mode', (d) => (d.steps.review.countersign.mode = 'majority'), 'steps.review.countersign.mode', "unknown countersign mode 'majority'; known countersign modes: all, any, ratio"],
  [
    'countersign approve that is not an action of the step',
    (d) => (d.steps.review.countersign.approve = 'approve'),
    'steps.review.countersign.approve',
    "countersign approve 'approve' is not an action of step 'review'; its actions: decide, sendBack, sendBackTo",
  ],
  [
    'countersign reject that is an action of another step',
    (d) => (d.steps.review.countersign.reject = 'submit'),
    'steps.review.countersign.reject',
    "countersign reject 'submit' is not an action of step 'review'",
  ],
  ['countersign approve and reject the same', (d) => (d.steps.review.countersign.reject = 'decide'), 'steps.review.countersign.reject', 'are the same action'],
  ['countersign on a final step', (d) => (d.steps.registered.countersign = { mode: 'any', approve: 'a', reject: 'b' }), 'steps.registered.countersign', "a final step has no 'countersign'"],
  [
    'countersign on a parallel step',
    (d) => (d.steps.countersign.countersign = { mode: 'any', approve: 'a', reject: 'b' }),
    'steps.countersign.countersign',
    "a parallel step has no 'countersign'",
  ],
  [
    'returnTo beside a target',
    (d) => (d.steps.review.actions.sendBackTo.target = 'propose'),
    'steps.review.actions.sendBackTo',
    "exactly one of 'target', 'branches' and 'returnTo', this one has both: target, returnTo",
  ],
  ['returnTo on an action that is not a return', (d) => (d.steps.review.actions.sendBackTo.kind = 'decide'), 'steps.review.actions.sendBackTo.returnTo', "'returnTo' is for actions of kind 'return'"],
  [
    'returnTo naming no step',
    (d) => (d.steps.review.actions.sendBackTo.returnTo = ['propse']),
    'steps.review.actions.sendBackTo.returnTo.0',
    "returnTo: there is no step named 'propse' in the top level; steps that can be named here: propose, notice",
  ],
  ['returnTo naming its own step', (d) => d.steps.review.actions.sendBackTo.returnTo.push('review'), 'steps.review.actions.sendBackTo.returnTo.1', "returnTo names step 'review' itself"],
  ['returnTo naming a final step', (d) => d.steps.review.actions.sendBackTo.returnTo.push('rejected'), 'steps.review.actions.sendBackTo.returnTo.1', "returnTo 'rejected' is a final step"],
  ['returnTo naming a parallel step', (d) => d.steps.review.actions.sendBackTo.returnTo.push('countersign'), 'steps.review.actions.sendBackTo.returnTo.1', "returnTo 'countersign' is a parallel step"],
  ['returnTo naming a step twice', (d) => d.steps.review.actions.sendBackTo.returnTo.push('propose'), 'steps.review.actions.sendBackTo.returnTo', 'has duplicate items'],
  [
    'returnTo from a region to a top-level step',
    (d) => (d.steps.countersign.regions.civil.steps.civilReview.actions.back = { label: '退回', kind: 'return', returnTo: ['review'] }),
    'steps.countersign.regions.civil.steps.civilReview.actions.back.returnTo.0',
    "returnTo 'review' is a step at top level; a return goes back to a step of region 'civil', like step 'civilReview'",
  ],
  [
    'returnTo into a region',
    (d) => (d.steps.review.actions.sendBackTo.returnTo = ['civilReview']),
    'steps.review.actions.sendBackTo.returnTo.0',
    "returnTo 'civilReview' is a step inside region 'civil' of step 'countersign'; a return goes back to a step of the top level",
  ],
  [
    'a field named returnStep on a returnTo action',
    (d) => (d.steps.review.actions.sendBackTo.fields.returnStep = { type: 'string', label: '退回到' }),
    'steps.review.actions.sendBackTo.fields.returnStep',
    "'returnStep' is the field in which the user picks a step of 'returnTo'",
  ],
  [
    'optionLabels for a value that is not an option',
    (d) => (d.steps.propose.actions.submit.fields.reason.optionLabels.accident = '因灾'),
    'steps.propose.actions.submit.fields.reason.optionLabels',
    "'optionLabels' names values that are not options: 'accident'",
  ],
  ['withdrawable with branches', (d) => (d.steps.review.actions.decide.withdrawable = true), 'steps.review.actions.decide.withdrawable', "only an action with a single 'target' can be withdrawable"],
  ['withdrawable with returnTo', (d) => (d.steps.review.actions.sendBackTo.withdrawable = true), 'steps.review.actions.sendBackTo.withdrawable', "only an action with a single 'target'"],
  ['withdrawable into a final step', (d) => (d.steps.notice.actions.close.withdrawable = true), 'steps.notice.actions.close.withdrawable', "target 'registered' is a final step"],
  [
    'withdrawable into a parallel step',
    (d) => Object.assign(d.steps.notice.actions.uphold, { target: 'countersign', withdrawable: true }),
    'steps.notice.actions.uphold.withdrawable',
    "target 'countersign' is a parallel step",
  ],
  [
    'withdrawable inside a region',
    (d) => (d.steps.countersign.regions.civil.steps.civilReview.actions.confirm.withdrawable = true),
    'steps.countersign.regions.civil.steps.civilReview.actions.confirm.withdrawable',
    "an action of a step inside region 'civil' of step 'countersign' cannot be withdrawable",
  ],
  ['withdrawable back into its own step', (d) => Object.assign(d.steps.notice.actions.uphold, { target: 'notice', withdrawable: true }), 'steps.notice.actions.uphold.withdrawable', "leads back to step 'notice' itself"],
  ['a withdrawable system-only action', (d) => (d.steps.propose.actions.submit.system = true), 'steps.propose.actions.submit.withdrawable', 'a system-only action cannot be withdrawable'],
  ['withdrawable that is not a boolean', (d) => (d.steps.propose.actions.submit.withdrawable = 'yes'), 'steps.propose.actions.submit.withdrawable', "'withdrawable' must be a boolean"],
  // `$` keeps the withdraw event (`T.$withdraw.S`) and its action name out of reach of any key.
  ['$withdraw as an action key', (d) => (d.steps.propose.actions.$withdraw = { label: '撤回', kind: 'return', target: 'propose' }), 'steps.propose.actions.$withdraw', "'$withdraw' is not a valid name"],
  ['a misspelt access option', (d) => (d.access = { pairedCountyReed: true }), 'access', "unknown property 'pairedCountyReed'; did you mean 'pairedCountyRead'?"],
  ['an access option that is not a boolean', (d) => (d.access.pairedCountyRead = 'yes'), 'access.pairedCountyRead', "'pairedCountyRead' must be a boolean"],
];

describe('validateDefinition: one change away from valid', () => {
  it.each(CASES)('%s', (_name, change, path, fragment, alsoAt = []) => {
    const result = validate(change);
    expect(result.definition).toBeUndefined();
    expect(errors(result)).toContainEqual(expect.objectContaining({ path, severity: 'error', message: expect.stringContaining(fragment) }));
    expect(errors(result).map((issue) => issue.path).sort()).toEqual([path, ...alsoAt].sort());
  });

  it('reports a reference error once, not again as unreachable or dead-end steps downstream', () => {
    const result = validate((d) => (d.steps.propose.actions.submit.target = 'nowhere'));
    expect(errors(result)).toEqual([expect.objectContaining({ path: 'steps.propose.actions.submit.target' })]);
  });

  it('a 10,000-deep guard finishes fast and is refused for its depth', () => {
    const started = performance.now();
    const result = validate((d) => (d.steps.propose.actions.submit.guard = deepGuard(10_000)));
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    const depth = errors(result).filter((issue) => /depth/.test(issue.message));
    expect(depth).toHaveLength(1);
    expect(depth[0].path.startsWith('steps.propose.actions.submit.guard.!.0.!.0')).toBe(true);
  });

  it('a 10,000-deep value elsewhere is refused for its depth before the schema sees it', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const started = performance.now();
    const result = validate((d) => (d.params.deep = deep));
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(errors(result)).toEqual([expect.objectContaining({ message: expect.stringMatching(/too deep.*depth limit/) })]);
    expect(errors(result)[0].path.startsWith('params.deep.0.0')).toBe(true);
  });

  it('a cyclic object is refused, not walked forever', () => {
    const cyclic = fixture();
    cyclic.params.loop = {};
    cyclic.params.loop.self = cyclic.params.loop;
    expect(errors(validateDefinition(cyclic, FILE))[0].message).toMatch(/depth limit/);
  });

  it('refuses a huge sparse array by its length, without walking it', () => {
    const sparse: unknown[] = [];
    sparse.length = 1_000_000_000;
    const started = performance.now();
    const result = validate((d) => (d.params.sparse = sparse));
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(errors(result)).toEqual([expect.objectContaining({ path: '', message: expect.stringContaining('too large') })]);
  });

  it('treats an optional property set to undefined as absent, as JSON would', () => {
    const result = validate((d) => {
      d.steps.review.labelEn = undefined;
      Object.assign(d.steps.propose.actions.submit, { guard: undefined, guardMessage: undefined });
    });
    expect(result.issues).toEqual([]);
  });

  it('refuses a document that is not a mapping', () => {
    expect(errors(validateDefinition(['a'], FILE))).toEqual([expect.objectContaining({ path: '', message: 'the definition must be a mapping' })]);
    expect(errors(validateDefinition(null, FILE))).toEqual([expect.objectContaining({ path: '', message: 'the definition must be a mapping' })]);
  });

  it('refuses values that are not plain JSON', () => {
    const result = validate((d) => (d.params.when = new Date(0)));
    expect(errors(result)).toContainEqual(expect.objectContaining({ path: 'params.when', message: expect.stringContaining('plain data') }));
  });
});

describe('access: paired county reads in the shipped workflows', () => {
  const shipped = (key: string) => loadDefinition(readFileSync(`workflows/${key}.yaml`, 'utf8'), `workflows/${key}.yaml`).definition!;

  it.each([
    ['poverty-entry', true],
    ['poverty-exit', true],
    ['disaster-reentry', true],
    // About units and officials, not households: the helping county has no business there.
    ['accountability-interview', false],
    ['rectification', false],
  ])('%s lets the helping county read its cases: %s', (key, allowed) => {
    expect(shipped(key).access?.pairedCountyRead === true).toBe(allowed);
  });
});

describe('duration pattern', () => {
  const duration = new RegExp(DURATION_PATTERN, 'u');
  it.each(['5wd', '0wd', '7d', '12h', 'P7D', 'PT12H', 'P1DT6H30M', 'PT30M'])('accepts %s', (text) => expect(duration.test(text)).toBe(true));
  it.each(['5 days', 'P', 'PT', 'P1DT', '5w', 'd', '7D', 'P1W', '-1d', ' 5d'])('refuses %s', (text) => expect(duration.test(text)).toBe(false));
});

describe('warnings never block', () => {
  it('warns about a task step with no deadline', () => {
    const result = validate((d) => delete d.steps.review.deadline);
    expect(errors(result)).toEqual([]);
    expect(result.definition).toBeDefined();
    expect(warnings(result)).toEqual([
      { file: FILE, path: 'steps.review', severity: 'warning', message: expect.stringContaining('task step has no deadline') },
    ]);
  });

  it('warns about a deadline with no escalation', () => {
    const result = validate((d) => delete d.steps.review.deadline.escalation);
    expect(result.definition).toBeDefined();
    expect(warnings(result)).toEqual([
      { file: FILE, path: 'steps.review.deadline', severity: 'warning', message: expect.stringContaining('deadline has no escalation') },
    ]);
  });
});

describe('loadDefinition: source problems with positions', () => {
  const reviewLabel = '    label: 县级审核';

  it('reports a duplicate YAML key with its line and column', () => {
    const source = FIXTURE.replace(`${reviewLabel}\n`, `${reviewLabel}\n    label: 又一个\n`);
    const result = loadDefinition(source, FILE);
    expect(result.definition).toBeUndefined();
    expect(result.issues).toEqual([
      { file: FILE, path: '', severity: 'error', message: "duplicate key 'label': YAML keys must be unique", line: lineOf(reviewLabel) + 1, column: 5 },
    ]);
  });

  it('reports a duplicate key in JSON too', () => {
    const result = loadDefinition('{\n  "key": "a-b",\n  "key": "c-d"\n}\n', 'dup.json');
    expect(result.issues).toEqual([
      { file: 'dup.json', path: '', severity: 'error', message: 'duplicate key "key": YAML keys must be unique', line: 3, column: 3 },
    ]);
  });

  it('reports invalid YAML syntax with its line and column', () => {
    const line = '    level: county: x';
    const source = FIXTURE.replace('    level: county\n', `${line}\n`);
    const result = loadDefinition(source, FILE);
    expect(result.definition).toBeUndefined();
    expect(errors(result)[0]).toMatchObject({ path: '', line: lineOf(line, source), column: columnOf(line, 'county') });
    expect(errors(result)[0].message).toMatch(/mapping/i);
  });

  it('reports an unterminated quote', () => {
    const result = loadDefinition('key: "household\nversion: 1\n', FILE);
    expect(errors(result)[0]).toMatchObject({ message: expect.stringContaining('quote'), line: expect.any(Number), column: expect.any(Number) });
  });

  it('refuses a source over 512 KiB before parsing it', () => {
    const source = `${FIXTURE}\n# ${'x'.repeat(SOURCE_LIMITS.maxBytes)}\n`;
    const started = performance.now();
    const result = loadDefinition(source, FILE);
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(result.issues).toEqual([{ file: FILE, path: '', severity: 'error', message: expect.stringContaining('the limit is 524288 bytes (512 KiB)') }]);
  });

  it('counts bytes, not characters: 200,000 Chinese characters are over the limit', () => {
    const result = loadDefinition(`${FIXTURE}# ${'说'.repeat(200_000)}\n`, FILE);
    expect(result.issues[0].message).toContain('too large');
  });

  it('refuses a 10,000-deep guard in the text before the YAML composer recurses into it', () => {
    const guardLine = '        guard: { "<": [{ var: data.income }, { var: params.povertyLine }] }';
    const deep = `        guard: ${'{ "!": '.repeat(10_000)}true${' }'.repeat(10_000)}`;
    const source = FIXTURE.replace(guardLine, deep);
    const started = performance.now();
    const result = loadDefinition(source, FILE);
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(result.issues).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('depth limit'), line: lineOf(guardLine) }),
    ]);
  });

  it('refuses an alias bomb (billion laughs)', () => {
    const source = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]',
      '',
    ].join('\n');
    const started = performance.now();
    const result = loadDefinition(source, FILE);
    expect(performance.now() - started).toBeLessThan(BLOWUP_MS);
    expect(errors(result)[0].message).toMatch(/alias/);
  });

  it('refuses a second YAML document', () => {
    const result = loadDefinition(`${FIXTURE}---\nkey: other\n`, FILE);
    expect(errors(result)).toEqual([expect.objectContaining({ message: expect.stringContaining('exactly one YAML document'), line: lineOf('---', `${FIXTURE}---\n`) })]);
  });

  it('points schema issues at the offending key', () => {
    const line = '        target: review';
    const typo = '        targte: review';
    const result = loadDefinition(FIXTURE.replace(line, typo), FILE);
    expect(errors(result)).toEqual([
      {
        file: FILE,
        path: 'steps.propose.actions.submit',
        severity: 'error',
        message: "unknown property 'targte'; did you mean 'target'?",
        line: lineOf(line),
        column: columnOf(typo, 'targte'),
      },
    ]);
  });

  it('points semantic issues at their path and a missing property at its parent', () => {
    const result = loadDefinition(FIXTURE.replace('    role: reviewer\n    level: county\n', '    level: county\n'), FILE);
    expect(errors(result)).toEqual([expect.objectContaining({ path: 'steps.review', line: lineOf('  review:'), column: 3 })]);
  });

  it('a __proto__ key in YAML is refused and pollutes nothing', () => {
    const protoLine = '    __proto__: { polluted: yes }';
    const source = FIXTURE.replace('    householdName:', `${protoLine}\n    householdName:`);
    const result = loadDefinition(source, FILE);
    // Only the key is reported, not the contents of an entry that cannot exist anyway.
    expect(errors(result)).toEqual([
      expect.objectContaining({
        path: 'start.fields.__proto__',
        message: expect.stringContaining('is not a valid name'),
        line: lineOf(protoLine, source),
        column: columnOf(protoLine, '__proto__'),
      }),
    ]);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('a guard with __proto__ as an operator is refused', () => {
    const guardLine = '        guard: { "<": [{ var: data.income }, { var: params.povertyLine }] }';
    const result = loadDefinition(FIXTURE.replace(guardLine, '        guard: { __proto__: { polluted: true } }'), FILE);
    expect(errors(result)).toEqual([
      expect.objectContaining({ path: 'steps.propose.actions.submit.guard.__proto__', message: expect.stringContaining('unknown operator'), line: lineOf(guardLine) }),
    ]);
    expect(({} as any).polluted).toBeUndefined();
  });
});

describe('locate', () => {
  const parsed = parseDefinitionSource(FIXTURE, FILE);

  it('gives the 1-based line and column of a nested path (at its key)', () => {
    const branchLine = '          - target: rejected';
    expect(parsed.locate(['steps', 'review', 'actions', 'decide', 'branches', 1, 'target'])).toEqual({
      line: lineOf(branchLine),
      column: columnOf(branchLine, 'target'),
    });
    const durationLine = '              duration: PT72H';
    expect(parsed.locate(['steps', 'countersign', 'regions', 'civil', 'steps', 'civilReview', 'deadline', 'duration'])).toEqual({
      line: lineOf(durationLine),
      column: columnOf(durationLine, 'duration'),
    });
  });

  it('gives the position of a sequence item and of a key inside a flow mapping', () => {
    const item = '        - after: 3wd';
    expect(parsed.locate(['steps', 'propose', 'deadline', 'escalation', 1])).toEqual({ line: lineOf(item), column: columnOf(item, 'after') });
    const flow = '    income: { type: number, label: 人均可支配收入, min: 0 }';
    expect(parsed.locate(['start', 'fields', 'income', 'min'])).toEqual({ line: lineOf(flow), column: columnOf(flow, 'min') });
  });

  it('is undefined for a path that is not in the source', () => {
    expect(parsed.locate(['steps', 'nowhere'])).toBeUndefined();
    expect(parsed.locate(['steps', 'review', 'actions', 'decide', 'branches', 7])).toBeUndefined();
  });

  it('works for JSON sources', () => {
    const json = JSON.stringify(valid.definition, null, 2);
    const located = parseDefinitionSource(json, 'household-entry.json').locate(['steps', 'review', 'role']);
    const lines = json.split('\n');
    const reviewAt = lines.indexOf('    "review": {');
    const roleAt = lines.findIndex((line, index) => index > reviewAt && line.includes('"role"'));
    expect(located).toEqual({ line: roleAt + 1, column: columnOf(lines[roleAt], '"role"') });
  });
});

describe('formatIssue', () => {
  it('formats file:line:column: severity: message (at path)', () => {
    expect(
      formatIssue({ file: 'workflows/entry.yaml', path: 'steps.propose.label', message: 'too long', severity: 'error', line: 18, column: 5 }),
    ).toBe('workflows/entry.yaml:18:5: error: too long (at steps.propose.label)');
  });

  it('leaves out what it does not know', () => {
    expect(formatIssue({ file: 'entry.yaml', path: '', message: 'source too large', severity: 'error' })).toBe('entry.yaml: error: source too large');
    expect(formatIssue({ file: 'entry.yaml', path: 'steps.a', message: 'no deadline', severity: 'warning' })).toBe(
      'entry.yaml: warning: no deadline (at steps.a)',
    );
  });

  it('formats a real issue', () => {
    const result = loadDefinition(FIXTURE.replace('duration: 5wd', 'duration: 5 days'), FILE);
    const line = lineOf('      duration: 5wd');
    expect(result.issues.map(formatIssue)).toEqual([
      `${FILE}:${line}:7: error: '5 days' is not valid for 'duration': a duration is e.g. 5wd (working days), 7d, 12h, or ISO 8601 such as P7D or PT12H (at steps.propose.deadline.duration)`,
    ]);
  });
});

describe('prototype safety', () => {
  it('left Object.prototype untouched', () => {
    expect(({} as any).polluted).toBeUndefined();
    expect(Reflect.ownKeys(Object.prototype).map(String).sort()).toEqual(objectPrototypeKeysBefore);
  });
});

describe('call steps (the shape the BPMN import maps a call activity to)', () => {
  const withCall = (call: Record<string, unknown>) =>
    validate((doc) => {
      doc.steps.investigate = { label: '立案调查', type: 'call', ...call };
      doc.steps.review.actions.decide.branches[0].target = 'investigate';
    });

  it('accepts a call with outcomes over the child case status, its last outcome unconditional', () => {
    const result = withCall({
      call: { workflow: 'accountability-interview', input: { unitName: { var: 'data.householdName' } } },
      outcomes: [{ when: { '==': [{ var: 'child.status' }, 'referred'] }, target: 'rejected' }, { target: 'countersign' }],
    });
    expect(errors(result)).toEqual([]);
  });

  it('refuses a call without outcomes, with a role, with an input that is no expression, or whose outcomes could get stuck', () => {
    expect(errors(withCall({ call: { workflow: 'accountability-interview' } })).map((issue) => [issue.path, issue.message])).toEqual([
      ['steps.investigate', "a call step needs 'outcomes': where the case goes when the called case has finished"],
    ]);
    const result = withCall({
      call: { workflow: 'accountability-interview', input: { x: { nope: 1 } } },
      role: 'reviewer',
      outcomes: [{ target: 'rejected' }, { when: true, target: 'countersign' }],
    });
    expect(errors(result).map((issue) => [issue.path, issue.message])).toEqual([
      ['steps.investigate.call.input.x.nope', 'invalid input expression: unknown operator "nope"'],
      ['steps.investigate.role', "a call step has no 'role' (nobody acts on it; the called case's steps have their own)"],
      ['steps.investigate.outcomes.0', "only the last outcome may omit 'when': the outcomes after this one could never be taken"],
      ['steps.investigate.outcomes.1.when', "the last outcome must omit 'when' and catch every remaining case; otherwise the case gets stuck when no condition holds"],
    ]);
  });
});
