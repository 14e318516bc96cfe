import { applyAction, withdraw, withdrawTargets, type WithdrawRequest } from '../../../src/engine/case-transition.js';
import { EngineExceptionCode } from '../../../src/engine/engine.exception.js';
import { replayHistory } from '../../../src/engine/history-replay.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';
import {
  CaseDriver,
  DAY,
  appraisal,
  approver,
  eligibleProposal,
  entered,
  entryStartData,
  officer,
  plus,
  reviewer,
  supportPlan,
} from '../../support/engine-fixtures.js';
import { loadSeedDefinition, loadSeedWorkflow } from '../../support/seed-workflows.js';

const entry = loadSeedWorkflow('poverty-entry');

/** Withdraws one day after the last event and records it as the cases service would: an `action` history row. */
function withdrawIn(c: CaseDriver, request: Partial<WithdrawRequest> = {}) {
  const now = request.now ?? plus(c.now, DAY);
  const result = withdraw(c.workflow, c.snapshot, { from: 'support', to: 'propose', actor: officer, ...request, now });
  c.now = now;
  c.last = result;
  c.history.push({ eventType: 'action', payload: result.event });
  c.results.push(result);
  c.snapshots.push(result.snapshot);
  return result;
}

/** Expects the WITHDRAW_NOT_ALLOWED refusal saying `message`, leaving the stored snapshot as it was. */
function expectRefused(c: CaseDriver, request: Partial<WithdrawRequest>, message: RegExp): void {
  const before = structuredClone(c.snapshot);
  expect(() => withdraw(c.workflow, c.snapshot, { from: 'support', to: 'propose', actor: officer, now: plus(c.now, DAY), ...request })).toThrow(
    expect.objectContaining({ name: 'EngineException', code: EngineExceptionCode.WITHDRAW_NOT_ALLOWED, message: expect.stringMatching(message) }),
  );
  expect(c.snapshot).toEqual(before);
}

const submitted = () => {
  const c = CaseDriver.start(entry, entryStartData());
  c.act(officer, 'submit', eligibleProposal());
  return c;
};

describe('withdraw (撤回): poverty-entry’s proposal, taken back before the support plan is worked on', () => {
  it('lists what could be withdrawn now, structurally', () => {
    const c = CaseDriver.start(entry, entryStartData());
    expect(withdrawTargets(entry, c.snapshot)).toEqual([]);
    c.act(officer, 'submit', eligibleProposal());
    expect(withdrawTargets(entry, c.snapshot)).toEqual([{ from: 'support', to: 'propose', action: 'submit' }]);
    c.act(officer, 'submit', supportPlan());
    expect(withdrawTargets(entry, c.snapshot)).toEqual([]);
  });

  it('closes the support task as withdrawn, cancels its clock and enters the proposal anew with a fresh clock', () => {
    const c = submitted();
    const r = withdrawIn(c, { comment: '漏报一名家庭成员' });
    expect(r.activeSteps).toEqual(['propose']);
    expect(r.status).toBe('active');
    expect(r.effects).toEqual([
      { type: 'cancelDeadline', step: 'support', entry: 1, reason: 'withdrawn', pause: false },
      { type: 'closeTask', step: 'support', entry: 1, outcome: 'withdrawn' },
      ...entered(entry, 'propose', 2, c.now),
    ]);
    expect(r.event).toEqual({
      type: 'support.$withdraw.propose',
      step: 'support',
      action: '$withdraw',
      input: { to: 'propose' },
      actor: officer,
      now: c.now.toISOString(),
      comment: '漏报一名家庭成员',
    });
    expect(r.snapshot.context.entries).toEqual({ propose: 2, support: 1 });
    expect(r.snapshot.context).not.toHaveProperty('pausedClocks');
  });

  it('keeps the case data as it was: where the case went back to is not data', () => {
    const c = submitted();
    const data = c.snapshot.context.data;
    expect(withdrawIn(c).snapshot.context.data).toEqual(data);
  });

  it('goes on as usual after a withdraw: submitting again opens the support plan as its second visit', () => {
    const c = submitted();
    withdrawIn(c);
    const r = c.act(officer, 'submit', eligibleProposal({ perCapitaIncome: 4500 }));
    expect(r.activeSteps).toEqual(['support']);
    expect(r.effects).toContainEqual({ type: 'openTask', step: 'support', entry: 2, role: 'officer', level: 'town' });
  });

  it('replays: the withdraw stored as an action history row reproduces every snapshot', () => {
    const c = submitted();
    withdrawIn(c);
    c.act(officer, 'submit', eligibleProposal());
    withdrawIn(c);
    c.act(officer, 'submit', eligibleProposal());
    c.act(officer, 'submit', supportPlan());
    expect(replayHistory(entry, c.history)).toEqual(c.snapshot);
    for (let n = 1; n <= c.history.length; n++) expect(replayHistory(entry, c.history.slice(0, n))).toEqual(c.snapshots[n - 1]);
  });

  it('refuses when the step withdrawn from is no longer active (someone acted on it)', () => {
    const c = submitted();
    c.act(officer, 'submit', supportPlan());
    expectRefused(c, {}, /Step 'support' is not active/);
  });

  it('refuses an action that is not withdrawable, or a way back no action opened', () => {
    const c = submitted();
    c.act(officer, 'submit', supportPlan());
    c.act(officer, 'record', appraisal(40));
    // appraisal.record decides by branches; it is not withdrawable.
    expectRefused(c, { from: 'countyReview', to: 'appraisal' }, /No withdrawable action leads from step 'appraisal' to step 'countyReview'/);
    const s = submitted();
    expectRefused(s, { from: 'support', to: 'appraisal' }, /No withdrawable action/);
  });

  it('refuses on a finished case', () => {
    const c = CaseDriver.start(entry, entryStartData());
    c.act(officer, 'cancel', { reason: '重复申报' });
    expectRefused(c, {}, /finished/);
  });

  it('is no action a user can take by name', () => {
    const c = submitted();
    const request = { action: '$withdraw', step: 'support', input: { to: 'propose' }, actor: officer, now: plus(c.now, DAY) };
    expect(() => applyAction(entry, c.snapshot, request)).toThrow(expect.objectContaining({ code: EngineExceptionCode.ACTION_NOT_IN_STEP }));
  });

  it('cancels a clock it resumed rather than pausing it again, and starts the step returned to afresh', () => {
    // A withdrawable county approval: support → … → county → city, the city returns, the county approves again.
    const definition = loadSeedDefinition('poverty-entry');
    definition.steps.countyReview.actions!.approve.withdrawable = true;
    const workflow = compileWorkflow(definition);
    const c = CaseDriver.start(workflow, entryStartData());
    c.act(officer, 'submit', eligibleProposal());
    c.act(officer, 'submit', supportPlan());
    c.act(officer, 'record', appraisal(40));
    c.act(reviewer, 'approve', {});
    c.act(approver, 'return', { reason: '复核' });
    const back = c.act(reviewer, 'approve', {});
    expect(back.effects).toContainEqual(expect.objectContaining({ type: 'startDeadline', step: 'cityApproval', entry: 2, resume: true, pausedEntry: 1 }));
    const r = withdrawIn(c, { from: 'cityApproval', to: 'countyReview', actor: reviewer });
    expect(r.effects).toEqual([
      { type: 'cancelDeadline', step: 'cityApproval', entry: 2, reason: 'withdrawn', pause: false },
      { type: 'closeTask', step: 'cityApproval', entry: 2, outcome: 'withdrawn' },
      ...entered(workflow, 'countyReview', 3, c.now),
    ]);
    expect(r.snapshot.context).not.toHaveProperty('pausedClocks');
    expect(replayHistory(workflow, c.history)).toEqual(c.snapshot);
  });
});
