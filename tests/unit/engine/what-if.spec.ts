import { childDone, withdraw } from '../../../src/engine/case-transition.js';
import { replayOnDefinition, stateOf, type NumberedEvent } from '../../../src/engine/what-if.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';
import { CaseDriver, DAY, appraisal, approver, eligibleProposal, entryStartData, officer, plus, reviewer, supportPlan, system } from '../../support/engine-fixtures.js';
import { loadSeedDefinition, loadSeedWorkflow } from '../../support/seed-workflows.js';

const entry = loadSeedWorkflow('poverty-entry');

/** A case's history as numbered rows, the way the shell reads them. */
const numbered = (driver: CaseDriver): NumberedEvent[] => driver.history.map((event, index) => ({ ...event, seq: index + 1 }));

/** Submitted, withdrawn (撤回), submitted again, the support plan sent on: at the appraisal. */
function withdrawnAndResubmitted(): CaseDriver {
  const driver = CaseDriver.start(entry, entryStartData());
  driver.act(officer, 'submit', eligibleProposal());
  const back = withdraw(entry, driver.snapshot, { from: 'support', to: 'propose', actor: officer, now: plus(driver.now, DAY) });
  driver.now = plus(driver.now, DAY);
  driver.last = back;
  driver.history.push({ eventType: 'action', payload: back.event });
  driver.act(officer, 'submit', eligibleProposal());
  driver.act(officer, 'submit', supportPlan());
  return driver;
}

describe('replayOnDefinition', () => {
  it('ends where the case stands when the definition is the same, withdrawals included', () => {
    const driver = withdrawnAndResubmitted();
    const replay = replayOnDefinition(entry, numbered(driver), stateOf(entry, driver.snapshot));
    // The timeline (the effects of each replayed transition) is tested with the step clocks (tests/unit/deadlines/step-clocks.spec.ts).
    expect(replay).toEqual({ outcome: 'same', state: { steps: ['appraisal'], status: 'active' }, snapshot: driver.snapshot, timeline: expect.any(Array) });
  });

  it('says at which history row a definition refuses the recorded actions, and why', () => {
    const definition = loadSeedDefinition('poverty-entry');
    delete definition.steps.propose.actions!.submit.withdrawable;
    const draft = compileWorkflow(definition);
    const driver = withdrawnAndResubmitted();
    expect(replayOnDefinition(draft, numbered(driver), stateOf(entry, driver.snapshot))).toEqual({
      outcome: 'refused',
      seq: 3,
      step: 'support',
      action: '$withdraw',
      code: 'WITHDRAW_NOT_ALLOWED',
      reason: "No withdrawable action leads from step 'propose' to step 'support'",
    });
  });

  it('refuses a start the new start form does not accept', () => {
    const definition = loadSeedDefinition('poverty-entry');
    definition.start.fields!.householdName.maxLength = 2;
    const driver = CaseDriver.start(entry, entryStartData());
    const replay = replayOnDefinition(compileWorkflow(definition), numbered(driver), stateOf(entry, driver.snapshot));
    expect(replay).toMatchObject({ outcome: 'refused', seq: 1, code: 'INVALID_INPUT', reason: expect.stringMatching(/^the start form refuses the case data: householdName /) });
  });

  it('delivers a called case’s recorded outcome to the call step, and refuses it where the definition has no call step', () => {
    const driver = CaseDriver.start(entry, entryStartData());
    driver.act(officer, 'submit', eligibleProposal());
    driver.act(officer, 'submit', supportPlan());
    driver.act(officer, 'record', appraisal(45));
    driver.act(reviewer, 'approve', {});
    driver.act(approver, 'approve', {});
    driver.act(officer, 'object', { objection: '该户有经营性收入未申报' });
    driver.act(officer, 'investigate', { finding: '需入户核实' });
    const outcome = childDone(entry, driver.snapshot, { step: 'investigation', stepEntry: 1, childCaseId: 'child-1', status: 'dismissed', data: {}, actor: system, now: plus(driver.now, DAY) });
    driver.history.push({ eventType: 'action', payload: outcome.event });
    expect(replayOnDefinition(entry, numbered(driver), { steps: ['publicNotice'], status: 'active' })).toMatchObject({ outcome: 'same', state: { steps: ['publicNotice'] } });

    // A draft that decides the objection at the review: the investigation step is gone.
    const definition = loadSeedDefinition('poverty-entry');
    definition.steps.objectionReview.actions!.investigate.target = 'publicNotice';
    delete definition.steps.investigation;
    expect(replayOnDefinition(compileWorkflow(definition), numbered(driver), { steps: ['publicNotice'], status: 'active' })).toEqual({
      outcome: 'refused',
      seq: 9,
      step: 'investigation',
      action: '$childDone',
      code: 'CALL_NOT_WAITING',
      reason: "The case no longer waits at step 'investigation' (visit 0) for case child-1",
    });
  });
});
