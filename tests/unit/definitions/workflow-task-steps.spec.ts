import { readFileSync } from 'node:fs';
import { workflowTaskSteps } from '../../../src/definitions/workflow-task-steps.js';
import { loadDefinition } from '../../../src/engine/definition-validator.js';
import type { WorkflowDefinition } from '../../../src/engine/workflow-definition.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';

function seed(key: string): WorkflowDefinition {
  return loadDefinition(readFileSync(`workflows/${key}.yaml`, 'utf8'), `${key}.yaml`).definition!;
}

const keysOf = (steps: { key: string }[]) => steps.map((s) => s.key);

describe('workflowTaskSteps: the inbox’s step filter', () => {
  const versions = ['disaster-reentry', 'poverty-entry', 'rectification'].map((key) => compileWorkflow(seed(key)));

  it('lists the workflows with a step of one of the roles, each with all its task steps in the definition’s order, parallel branches included', () => {
    const officer = workflowTaskSteps(versions, ['officer']);
    expect(officer.map((w) => [w.key, w.label])).toEqual([
      ['disaster-reentry', '因灾返贫重新纳入'],
      ['poverty-entry', '贫困户识别（建档立卡）'],
    ]);
    expect(keysOf(officer[0].steps)).toEqual(['agricultureConfirm', 'meteorologyConfirm', 'civilAffairsConfirm', 'landConfirm', 'townApplication', 'countyReview', 'cityApproval']);
    // The county's and the city's steps too: a colleague may add the officer as a signer there.
    expect(keysOf(officer[1].steps)).toEqual(['propose', 'support', 'appraisal', 'countyReview', 'cityApproval', 'publicNotice', 'objectionReview']);
    expect(officer[1].steps[0]).toEqual({ key: 'propose', label: '拟选对象', labelEn: expect.any(String) });
  });

  it('leaves out workflows with no step of the roles, and gives nothing to roles that hold no tasks', () => {
    expect(workflowTaskSteps(versions, ['supervisor']).map((w) => w.key)).toEqual(['rectification']);
    expect(workflowTaskSteps(versions, ['auditor'])).toEqual([]);
    expect(workflowTaskSteps(versions, ['officer', 'supervisor']).map((w) => w.key)).toEqual(['disaster-reentry', 'poverty-entry', 'rectification']);
  });

  it('labels a step as the newest version does and adds the steps only an older running version has, after', () => {
    const older = seed('rectification');
    const newer = structuredClone(older);
    newer.version = 2;
    newer.steps.plan.label = '整改方案（新）';
    const [first] = workflowTaskSteps([compileWorkflow(newer), compileWorkflow(older)], ['reviewer']);
    expect(first.steps.map((s) => s.label)).toEqual(['整改方案（新）', '限期整改', '整改核查']);

    const renamed = structuredClone(newer);
    renamed.version = 3;
    renamed.steps = Object.fromEntries(Object.entries(newer.steps).map(([key, step]) => [key === 'plan' ? 'draftPlan' : key, step]));
    renamed.initial = 'draftPlan';
    const [both] = workflowTaskSteps([compileWorkflow(renamed), compileWorkflow(older)], ['reviewer']);
    expect(keysOf(both.steps)).toEqual(['draftPlan', 'rectify', 'verify', 'plan']);
  });
});
