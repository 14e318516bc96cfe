import { loadDefinition, type DefinitionIssue, type ValidationOptions } from '../../../src/engine/definition-validator.js';

/** A 公示 step (it has an objection action) with the given notice period; `extra` lines go into its deadline. */
function notice(duration: string, extra = ''): string {
  return `key: village-notice
version: 1
label: 村务公示
start: { role: officer, level: town }
initial: notice
steps:
  notice:
    label: 公示
    role: officer
    level: town
    deadline:
      duration: ${duration}
      escalation:
        - { after: 0wd, notify: { role: supervisor, level: county }, openCase: accountability-interview }
${extra}    actions:
      object: { label: 登记异议, kind: object, target: done }
      close: { label: 公示结束, kind: complete, target: done }
  done: { label: 结束, type: final, status: closed }
`;
}

const issues = (source: string, options: ValidationOptions = {}): DefinitionIssue[] => loadDefinition(source, 'workflows/village-notice.yaml', 'yaml', options).issues;

describe('the public notice period (公示) warning', () => {
  it.each(['7d', 'P7D', '168h', '7wd', '10wd', 'P6DT24H'])('accepts %s: at least 7 natural days', (duration) => {
    expect(issues(notice(duration))).toEqual([]);
  });

  it.each([
    ['6d', '6 natural days'],
    ['5wd', '5 natural days'],
    ['4wd', '4 natural days'],
    ['167h', '6.96 natural days'],
    ['PT12H', '0.5 natural days'],
  ])('warns about %s, which can end after %s', (duration, shortest) => {
    expect(issues(notice(duration))).toEqual([
      {
        file: 'workflows/village-notice.yaml',
        path: 'steps.notice.deadline.duration',
        severity: 'warning',
        message: `public notice period '${duration}' can end after ${shortest}, less than the 7 days a notice runs (compared in natural days; a working day counts as at least one day)`,
        line: 12,
        column: 7,
      },
    ]);
  });

  it('takes the threshold from the options', () => {
    expect(issues(notice('6d'), { minNoticeDays: 5 })).toEqual([]);
  });

  it('does not apply to a step without an objection action', () => {
    expect(issues(notice('2d').replace('kind: object', 'kind: submit'))).toEqual([]);
  });
});

describe('references to workflows and calendars', () => {
  it('errs on an openCase of a workflow that does not take cases, when told which do', () => {
    expect(issues(notice('7d'), { knownWorkflows: ['poverty-entry', 'rectification'] })).toEqual([
      expect.objectContaining({
        path: 'steps.notice.deadline.escalation.0.openCase',
        severity: 'error',
        message: "openCase: there is no published workflow 'accountability-interview'; workflows that can be named here: poverty-entry, rectification",
        line: 14,
        column: 70,
      }),
    ]);
    expect(issues(notice('7d'), { knownWorkflows: ['accountability-interview'] })).toEqual([]);
    // The CLI sees files only: without the set, nothing is said.
    expect(issues(notice('7d'))).toEqual([]);
  });

  it('errs on a calendar that does not exist and accepts the statutory one', () => {
    expect(issues(notice('7d', '      calendar: statutory\n'))).toEqual([]);
    expect(issues(notice('7d', '      calendar: lunar\n'))).toEqual([
      expect.objectContaining({ path: 'steps.notice.deadline.calendar', severity: 'error', message: "unknown calendar 'lunar'; known calendars: statutory", line: 15, column: 7 }),
    ]);
  });

  it('errs on a definition that declares another key than the draft it is saved as', () => {
    expect(issues(notice('7d'), { key: 'village-notices' })).toEqual([
      expect.objectContaining({ path: 'key', severity: 'error', message: "the definition declares key 'village-notice' but is a draft of workflow 'village-notices'", line: 1, column: 1 }),
    ]);
  });

  it('errs on a role or a field type that does not exist', () => {
    const source = notice('7d').replace('    role: officer\n    level: town\n    deadline', '    role: clerk\n    level: town\n    deadline');
    expect(issues(source)).toEqual([
      expect.objectContaining({ path: 'steps.notice.role', severity: 'error', message: "unknown role 'clerk'; known roles: officer, reviewer, approver, supervisor, administrator, auditor", line: 9 }),
    ]);
    const form = notice('7d').replace("object: { label: 登记异议, kind: object, target: done }", "object: { label: 登记异议, kind: object, target: done, fields: { who: { type: person, label: 异议人 } } }");
    expect(issues(form)).toEqual([expect.objectContaining({ path: 'steps.notice.actions.object.fields.who.type', severity: 'error', message: expect.stringContaining("unknown field type 'person'") })]);
  });
});
