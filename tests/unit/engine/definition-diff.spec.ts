import { readFileSync } from 'node:fs';
import { diffDefinitions } from '../../../src/engine/definition-diff.js';
import { loadDefinition } from '../../../src/engine/definition-validator.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';

function povertyEntry(): WorkflowDefinition {
  const loaded = loadDefinition(readFileSync('workflows/poverty-entry.yaml', 'utf8'), 'poverty-entry.yaml');
  return loaded.definition!;
}

describe('diffDefinitions', () => {
  it('finds nothing between a definition and itself', () => {
    expect(diffDefinitions(povertyEntry(), povertyEntry())).toEqual([]);
  });

  it('says in words what an administrator changed: a deadline, a guard, a new step, a removed action, a form field, a parameter', () => {
    const before = povertyEntry();
    const after = structuredClone(before);
    after.version += 1;
    after.steps.countyReview.deadline!.duration = '15wd';
    delete after.steps.propose.actions!.submit.guard;
    after.steps.support.actions!.submit.fields!.budget = { type: 'number', label: '帮扶资金（元）', required: true };
    delete after.steps.cityApproval.actions!.returnToStep;
    after.steps.townReview = { label: '镇级复核', role: 'reviewer', level: 'town', actions: { approve: { label: '通过', kind: 'approve', target: 'countyReview' } } };
    after.steps.appraisal.actions!.record.branches![0].target = 'townReview';
    after.params = { ...after.params, povertyLine: 7000 };

    const changes = diffDefinitions(before, after);
    const texts = changes.map((c) => c.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Step 县级审核 (countyReview): deadline 10wd → 15wd',
        'Step added: 镇级复核 (townReview), acted on by the town reviewer',
        'Step 市级审定 (cityApproval): action removed: 退回到指定环节 (returnToStep)',
        'Step 精准扶持 (support), action 提交帮扶计划 (submit), form: field added: 帮扶资金（元） (budget), required',
        'Parameter povertyLine: 6600 → 7000',
      ]),
    );
    expect(changes.find((c) => c.path === 'steps.propose.actions.submit.guard')).toMatchObject({ change: 'changed', text: expect.stringContaining('condition removed') });
    expect(changes.find((c) => c.path === 'steps.appraisal.actions.record.target')).toMatchObject({ text: expect.stringContaining('townReview') });
    expect(changes.find((c) => c.path === 'steps.countyReview.deadline')).toMatchObject({ before: expect.objectContaining({ duration: '10wd' }), after: expect.objectContaining({ duration: '15wd' }) });
  });

  it('reports a removed step and steps inside parallel regions', () => {
    const loaded = loadDefinition(readFileSync('workflows/disaster-reentry.yaml', 'utf8'), 'disaster-reentry.yaml');
    const before = loaded.definition!;
    const after = structuredClone(before);
    const parallel = Object.entries(after.steps).find(([, s]) => s.type === 'parallel')!;
    const [regionKey, region] = Object.entries(parallel[1].regions!)[0];
    const [innerKey, inner] = Object.entries(region.steps).find(([, s]) => s.deadline)!;
    inner.deadline = { ...inner.deadline!, duration: '3wd' };
    const changes = diffDefinitions(before, after);
    expect(changes).toEqual([
      expect.objectContaining({ change: 'changed', path: `steps.${parallel[0]}.regions.${regionKey}.steps.${innerKey}.deadline` }),
    ]);
    delete after.steps.cityApproval;
    expect(diffDefinitions(before, after).map((c) => c.change)).toContain('removed');
  });

  it('says what changed in a call step: the workflow called, its input, where its outcomes go, and a call step added', () => {
    const before = povertyEntry();
    const after = structuredClone(before);
    const investigation = after.steps.investigation;
    investigation.call!.input = { ...investigation.call!.input, objector: 'anonymous' };
    investigation.outcomes = [investigation.outcomes![1], investigation.outcomes![2]].map((o, i) => (i === 1 ? { target: o.target } : o));
    after.steps.recheck = { label: '复查', type: 'call', call: { workflow: 'rectification' }, outcomes: [{ target: 'registered' }] };
    expect(diffDefinitions(before, after).map((c) => [c.path, c.text])).toEqual([
      ['steps.investigation.call', 'Step 异议调查 (investigation): the input of the called objection-investigation changed'],
      ['steps.investigation.outcomes', 'Step 异议调查 (investigation): outcomes go to rejected or appraisal or publicNotice → now to appraisal or publicNotice'],
      ['steps.recheck', 'Step added: 复查 (recheck), calling rectification'],
    ]);
    const other = structuredClone(before);
    other.steps.investigation.call!.workflow = 'rectification';
    expect(diffDefinitions(before, other).map((c) => c.text)).toEqual(['Step 异议调查 (investigation): calls objection-investigation → rectification']);
  });
});
