import { availableActions } from '../../../src/engine/case-transition.js';
import { EngineExceptionCode } from '../../../src/engine/engine.exception.js';
import { replayHistory } from '../../../src/engine/history-replay.js';
import { CaseDriver, appraisal, approver, eligibleProposal, entered, entryStartData, left, officer, returned, reviewer, supportPlan } from '../../support/engine-fixtures.js';
import { loadSeedWorkflow } from '../../support/seed-workflows.js';

const entry = loadSeedWorkflow('poverty-entry');

/** A 台山 case at city approval, by the straight path. */
function atCityApproval(): CaseDriver {
  const c = CaseDriver.start(entry, entryStartData());
  c.act(officer, 'submit', eligibleProposal());
  c.act(officer, 'submit', supportPlan());
  c.act(officer, 'record', appraisal(40));
  c.act(reviewer, 'approve', {});
  expect(c.last.activeSteps).toEqual(['cityApproval']);
  return c;
}

describe('returnTo: the city approver picks the step the case goes back to (驳回到指定节点)', () => {
  it('offers the choice as a required enum field returnStep, with the steps’ names', () => {
    const offered = availableActions(entry, atCityApproval().snapshot, approver).find((a) => a.action === 'returnToStep')!;
    expect(offered).toMatchObject({ step: 'cityApproval', kind: 'return', label: '退回到指定环节' });
    expect(Object.keys(offered.fields)).toEqual(['reason', 'returnStep']);
    expect(offered.fields.returnStep).toEqual({
      type: 'enum',
      label: '退回到',
      labelEn: 'Return to',
      required: true,
      options: ['countyReview', 'propose'],
      optionLabels: { countyReview: '县级审核', propose: '拟选对象' },
      optionLabelsEn: { countyReview: 'County review', propose: 'Proposal' },
    });
  });

  it.each([
    ['countyReview', 2],
    ['propose', 2],
  ])('returns the case to %s, pausing the city’s clock as any return for correction does', (step, visit) => {
    const c = atCityApproval();
    const r = c.act(approver, 'returnToStep', { reason: '户籍信息有误', returnStep: step });
    expect(r.activeSteps).toEqual([step]);
    expect(r.effects).toEqual([...left(entry, 'cityApproval', 1, 'returnToStep'), ...entered(entry, step, visit, c.now), returned('cityApproval')]);
    expect(r.snapshot.context.pausedClocks).toEqual({ cityApproval: 1 });
    expect(r.event).toMatchObject({ type: 'cityApproval.returnToStep', action: 'returnToStep', input: { reason: '户籍信息有误', returnStep: step } });
  });

  it.each([
    ['no step chosen', { reason: '有误' }, 'returnStep is required (退回到)'],
    ['a step the action does not list', { reason: '有误', returnStep: 'support' }, 'returnStep must be one of countyReview, propose'],
    ['the step itself', { reason: '有误', returnStep: 'cityApproval' }, 'returnStep must be one of countyReview, propose'],
  ])('refuses %s (INVALID_INPUT)', (_name, input, message) => {
    const refusal = atCityApproval().refuse(EngineExceptionCode.INVALID_INPUT, approver, 'returnToStep', input);
    expect(refusal.message).toContain(message);
  });

  it('leaves the existing return to county review as it was', () => {
    const c = atCityApproval();
    expect(c.act(approver, 'return', { reason: '请县级复核' }).activeSteps).toEqual(['countyReview']);
  });

  it('replays to the same snapshot: the chosen step is in the recorded input', () => {
    const c = atCityApproval();
    c.act(approver, 'returnToStep', { reason: '户籍信息有误', returnStep: 'propose' });
    c.act(officer, 'submit', eligibleProposal());
    expect(replayHistory(entry, c.history)).toEqual(c.snapshot);
  });
});
