import {
  activeSteps,
  applyAction,
  availableActions,
  caseStatus,
  type TransitionResult,
} from '../../../src/engine/case-transition.js';
import type { Effect } from '../../../src/engine/effects.js';
import { EngineException, EngineExceptionCode } from '../../../src/engine/engine.exception.js';
import { replayHistory } from '../../../src/engine/history-replay.js';
import { compileWorkflow, type Actor, type CompiledWorkflow } from '../../../src/engine/workflow-machine.js';
import {
  CaseDriver,
  DAY,
  DEPARTMENT_STEPS,
  START,
  TAISHAN_VILLAGE,
  XINHUI_VILLAGE,
  appraisal,
  approver,
  disasterStartData,
  eligibleProposal,
  entered,
  entryStartData,
  exitProposal,
  exitStartData,
  finished,
  kaipingOfficer,
  kaipingReviewer,
  left,
  officer,
  plus,
  returned,
  reviewer,
  supportPlan,
  system,
  xinhuiOfficer,
} from '../../support/engine-fixtures.js';
import { loadSeedDefinition, loadSeedWorkflow } from '../../support/seed-workflows.js';

const entry = loadSeedWorkflow('poverty-entry');
const exit = loadSeedWorkflow('poverty-exit');
const disaster = loadSeedWorkflow('disaster-reentry');

const guardMessage = (workflow: CompiledWorkflow, step: string, action: string): string =>
  workflow.steps.get(step)!.definition.actions![action].guardMessage!;

/** Asserts where a transition left the case: its active steps, its status and its effects (in order). */
function expectMove(result: TransitionResult, expected: { steps: string[]; status: string; effects: Effect[]; done?: boolean }) {
  expect(result.activeSteps).toEqual(expected.steps);
  expect(result.status).toBe(expected.status);
  expect(result.effects).toEqual(expected.effects);
  expect(result.snapshot.status).toBe(expected.done ? 'done' : 'active');
}

// ---------------------------------------------------------------------------
// poverty-entry
// ---------------------------------------------------------------------------

type EntryStep = 'propose' | 'support' | 'appraisal' | 'countyReview' | 'cityApproval' | 'publicNotice' | 'objectionReview';
const ENTRY_ORDER: EntryStep[] = ['propose', 'support', 'appraisal', 'countyReview', 'cityApproval', 'publicNotice', 'objectionReview'];

/** Starts a 台山 rural case and takes it, by the straight path, to `step`. */
function entryCaseAt(step: EntryStep, workflow: CompiledWorkflow = entry): CaseDriver {
  const c = CaseDriver.start(workflow, entryStartData());
  const moves: Record<Exclude<EntryStep, 'propose'>, () => unknown> = {
    support: () => c.act(officer, 'submit', eligibleProposal()),
    appraisal: () => c.act(officer, 'submit', supportPlan()),
    countyReview: () => c.act(officer, 'record', appraisal(40)),
    cityApproval: () => c.act(reviewer, 'approve', { opinion: '情况属实' }),
    publicNotice: () => c.act(approver, 'approve', { opinion: '同意' }),
    objectionReview: () => c.act(officer, 'object', { objection: '该户有经营性收入未申报', objector: '村民甲' }),
  };
  for (const next of ENTRY_ORDER.slice(1, ENTRY_ORDER.indexOf(step) + 1)) moves[next as keyof typeof moves]();
  expect(c.last.activeSteps).toEqual([step]);
  return c;
}

describe('poverty-entry', () => {
  describe('driven to each final state', () => {
    it('opens the proposal task for the town officer with a deadline when a case starts', () => {
      const c = CaseDriver.start(entry, entryStartData());
      expectMove(c.last, { steps: ['propose'], status: 'active', effects: entered(entry, 'propose', 1, START) });
      expect(c.snapshot.context).toMatchObject({ jurisdiction: TAISHAN_VILLAGE, entries: { propose: 1 }, enteredAt: { propose: START.toISOString() } });
      expect(c.last.effects[0]).toEqual({ type: 'openTask', step: 'propose', entry: 1, role: 'officer', level: 'town' });
    });

    it('registers an eligible household that passes support, appraisal, county, city and the notice period', () => {
      const c = CaseDriver.start(entry, entryStartData());

      let r = c.act(officer, 'submit', eligibleProposal());
      expectMove(r, { steps: ['support'], status: 'active', effects: [...left(entry, 'propose', 1, 'submit'), ...entered(entry, 'support', 1, c.now)] });

      r = c.act(officer, 'submit', supportPlan());
      expectMove(r, { steps: ['appraisal'], status: 'active', effects: [...left(entry, 'support', 1, 'submit'), ...entered(entry, 'appraisal', 1, c.now)] });

      r = c.act(officer, 'record', appraisal(40));
      expectMove(r, { steps: ['countyReview'], status: 'active', effects: [...left(entry, 'appraisal', 1, 'record'), ...entered(entry, 'countyReview', 1, c.now)] });
      expect(r.effects).toContainEqual({ type: 'openTask', step: 'countyReview', entry: 1, role: 'reviewer', level: 'county' });

      r = c.act(reviewer, 'approve', { opinion: '情况属实' });
      expectMove(r, { steps: ['cityApproval'], status: 'active', effects: [...left(entry, 'countyReview', 1, 'approve'), ...entered(entry, 'cityApproval', 1, c.now)] });
      expect(r.effects).toContainEqual({ type: 'openTask', step: 'cityApproval', entry: 1, role: 'approver', level: 'city' });

      r = c.act(approver, 'approve', {});
      expectMove(r, { steps: ['publicNotice'], status: 'active', effects: [...left(entry, 'cityApproval', 1, 'approve'), ...entered(entry, 'publicNotice', 1, c.now)] });
      const noticeStarted = c.now;
      expect(r.effects).toContainEqual(
        expect.objectContaining({ type: 'startDeadline', step: 'publicNotice', startedAt: noticeStarted.toISOString(), deadline: expect.objectContaining({ duration: '7d', onExpire: 'conclude' }) }),
      );

      r = c.act(officer, 'conclude', {}, { now: plus(noticeStarted, 7 * DAY) });
      expectMove(r, {
        steps: ['registered'],
        status: 'registered',
        done: true,
        effects: [...left(entry, 'publicNotice', 1, 'conclude'), finished('registered', 'registered')],
      });
      expect(r.snapshot.context.data).toMatchObject({
        householdName: '李大福',
        perCapitaIncome: 4800,
        measures: ['industry', 'employment'],
        votesFor: 40,
        opinion: '情况属实',
      });
    });

    it('ends rejected when the county reviewer rejects', () => {
      const c = entryCaseAt('countyReview');
      const r = c.act(reviewer, 'reject', { reason: '家庭有商铺出租收入' });
      expectMove(r, { steps: ['rejected'], status: 'rejected', done: true, effects: [...left(entry, 'countyReview', 1, 'reject'), finished('rejected', 'rejected')] });
    });

    it('ends rejected when the city approver rejects', () => {
      const c = entryCaseAt('cityApproval');
      const r = c.act(approver, 'reject', { reason: '不符合认定条件' });
      expectMove(r, { steps: ['rejected'], status: 'rejected', done: true, effects: [...left(entry, 'cityApproval', 1, 'reject'), finished('rejected', 'rejected')] });
    });

    it('ends cancelled when the town officer withdraws the proposal', () => {
      const c = entryCaseAt('propose');
      const r = c.act(officer, 'cancel', { reason: '该户已迁出' });
      expectMove(r, { steps: ['cancelled'], status: 'cancelled', done: true, effects: [...left(entry, 'propose', 1, 'cancel'), finished('cancelled', 'cancelled')] });
      expect(caseStatus(entry, r.snapshot)).toBe('cancelled');
      expect(activeSteps(entry, r.snapshot)).toEqual(['cancelled']);
    });
  });

  describe('return paths', () => {
    it('returns from support to propose, opening the proposal again as its second entry', () => {
      const c = entryCaseAt('support');
      const r = c.act(officer, 'return', { reason: '收入材料不全' });
      expectMove(r, { steps: ['propose'], status: 'active', effects: [...left(entry, 'support', 1, 'return'), ...entered(entry, 'propose', 2, c.now), returned('support')] });
    });

    it('returns from appraisal to support', () => {
      const c = entryCaseAt('appraisal');
      const r = c.act(officer, 'return', { reason: '帮扶措施需调整' });
      expectMove(r, { steps: ['support'], status: 'active', effects: [...left(entry, 'appraisal', 1, 'return'), ...entered(entry, 'support', 2, c.now), returned('appraisal')] });
    });

    it('sends the plan back to support when the appraisal vote fails, without a return notice', () => {
      const c = entryCaseAt('appraisal');
      const r = c.act(officer, 'record', appraisal(20));
      expectMove(r, { steps: ['support'], status: 'active', effects: [...left(entry, 'appraisal', 1, 'record'), ...entered(entry, 'support', 2, c.now)] });
    });

    it('treats a tie as a failed vote: a majority of those present is needed', () => {
      const c = entryCaseAt('appraisal');
      expect(c.act(officer, 'record', appraisal(25, 50, 0)).activeSteps).toEqual(['support']);
      c.act(officer, 'submit', supportPlan());
      expect(c.act(officer, 'record', appraisal(26, 50, 0)).activeSteps).toEqual(['countyReview']);
    });

    it('returns from county review to propose', () => {
      const c = entryCaseAt('countyReview');
      const r = c.act(reviewer, 'return', { reason: '需补充家庭成员信息' });
      expectMove(r, { steps: ['propose'], status: 'active', effects: [...left(entry, 'countyReview', 1, 'return'), ...entered(entry, 'propose', 2, c.now), returned('countyReview')] });
    });

    it('returns from city approval to county review', () => {
      const c = entryCaseAt('cityApproval');
      const r = c.act(approver, 'return', { reason: '请县级复核收入' });
      expectMove(r, { steps: ['countyReview'], status: 'active', effects: [...left(entry, 'cityApproval', 1, 'return'), ...entered(entry, 'countyReview', 2, c.now), returned('cityApproval')] });
    });

    it('moves an objection during the notice to objection review', () => {
      const c = entryCaseAt('publicNotice');
      const r = c.act(officer, 'object', { objection: '该户有经营性收入未申报' });
      expectMove(r, { steps: ['objectionReview'], status: 'active', effects: [...left(entry, 'publicNotice', 1, 'object'), ...entered(entry, 'objectionReview', 1, c.now)] });
    });

    it('returns to appraisal when an objection is upheld', () => {
      const c = entryCaseAt('objectionReview');
      const r = c.act(officer, 'uphold', { finding: '异议属实' });
      expectMove(r, { steps: ['appraisal'], status: 'active', effects: [...left(entry, 'objectionReview', 1, 'uphold'), ...entered(entry, 'appraisal', 2, c.now), returned('objectionReview')] });
    });

    it('goes back to the public notice when an objection is dismissed, and registers after the notice period', () => {
      const c = entryCaseAt('objectionReview');
      const r = c.act(officer, 'dismiss', { finding: '经核查异议不成立' });
      expectMove(r, { steps: ['publicNotice'], status: 'active', effects: [...left(entry, 'objectionReview', 1, 'dismiss'), ...entered(entry, 'publicNotice', 2, c.now)] });
      const done = c.act(officer, 'conclude', {}, { now: plus(c.now, 7 * DAY) });
      expectMove(done, { steps: ['registered'], status: 'registered', done: true, effects: [...left(entry, 'publicNotice', 2, 'conclude'), finished('registered', 'registered')] });
    });

    it('numbers every visit of a step, so entry numbers grow along a path through every return', () => {
      const c = CaseDriver.start(entry, entryStartData());
      const visit = (result: TransitionResult, step: string, n: number) => {
        expect(result.activeSteps).toEqual([step]);
        expect(result.effects).toContainEqual({ type: 'openTask', step, entry: n, role: expect.any(String), level: expect.any(String) });
        expect(result.effects).toContainEqual(expect.objectContaining({ type: 'startDeadline', step, entry: n }));
      };
      visit(c.act(officer, 'submit', eligibleProposal()), 'support', 1);
      visit(c.act(officer, 'return', { reason: '补充材料' }), 'propose', 2);
      expect(c.last.effects).toContainEqual({ type: 'closeTask', step: 'support', entry: 1, outcome: 'return' });
      visit(c.act(officer, 'submit', eligibleProposal({ perCapitaIncome: 4700 })), 'support', 2);
      visit(c.act(officer, 'submit', supportPlan()), 'appraisal', 1);
      visit(c.act(officer, 'return', { reason: '调整措施' }), 'support', 3);
      visit(c.act(officer, 'submit', supportPlan()), 'appraisal', 2);
      visit(c.act(officer, 'record', appraisal(10)), 'support', 4);
      visit(c.act(officer, 'submit', supportPlan()), 'appraisal', 3);
      visit(c.act(officer, 'record', appraisal(45)), 'countyReview', 1);
      visit(c.act(reviewer, 'return', { reason: '补充成员信息' }), 'propose', 3);
      expect(c.last.effects).toContainEqual({ type: 'cancelDeadline', step: 'countyReview', entry: 1, reason: 'action:return', pause: true });
      visit(c.act(officer, 'submit', eligibleProposal()), 'support', 5);
      visit(c.act(officer, 'submit', supportPlan()), 'appraisal', 4);
      visit(c.act(officer, 'record', appraisal(45)), 'countyReview', 2);
      visit(c.act(reviewer, 'approve', {}), 'cityApproval', 1);
      visit(c.act(approver, 'return', { reason: '复核' }), 'countyReview', 3);
      visit(c.act(reviewer, 'approve', {}), 'cityApproval', 2);
      visit(c.act(approver, 'approve', {}), 'publicNotice', 1);
      visit(c.act(officer, 'object', { objection: '异议一' }), 'objectionReview', 1);
      visit(c.act(officer, 'dismiss', { finding: '不成立' }), 'publicNotice', 2);
      visit(c.act(system, 'object', { objection: '网上异议' }), 'objectionReview', 2);
      visit(c.act(officer, 'uphold', { finding: '成立' }), 'appraisal', 5);
      visit(c.act(officer, 'record', appraisal(45)), 'countyReview', 4);
      visit(c.act(reviewer, 'approve', {}), 'cityApproval', 3);
      visit(c.act(approver, 'approve', {}), 'publicNotice', 3);
      const r = c.act(system, 'conclude', {}, { now: plus(c.now, 7 * DAY) });
      expect(r.effects).toEqual([...left(entry, 'publicNotice', 3, 'conclude'), finished('registered', 'registered')]);
      expect(r.snapshot.context.entries).toEqual({
        propose: 3,
        support: 5,
        appraisal: 5,
        countyReview: 4,
        cityApproval: 3,
        publicNotice: 3,
        objectionReview: 2,
        registered: 1,
      });
    });
  });

  describe('paused clocks (补正)', () => {
    it('records the clock a return pauses, and resumes it from that visit when the case comes back', () => {
      const c = entryCaseAt('cityApproval');
      expect(c.snapshot.context).not.toHaveProperty('pausedClocks');
      const r = c.act(approver, 'return', { reason: '请县级复核收入' });
      expect(r.effects).toContainEqual({ type: 'cancelDeadline', step: 'cityApproval', entry: 1, reason: 'action:return', pause: true });
      expect(r.snapshot.context.pausedClocks).toEqual({ cityApproval: 1 });

      const back = c.act(reviewer, 'approve', { opinion: '已复核' });
      expectMove(back, {
        steps: ['cityApproval'],
        status: 'active',
        effects: [...left(entry, 'countyReview', 2, 'approve'), ...entered(entry, 'cityApproval', 2, c.now, 1)],
      });
      expect(back.snapshot.context).not.toHaveProperty('pausedClocks');
    });

    it('keeps a paused clock while the case is elsewhere, one per step, and starts other clocks afresh', () => {
      const c = entryCaseAt('cityApproval');
      c.act(approver, 'return', { reason: '复核' });
      const r = c.act(reviewer, 'return', { reason: '补充成员信息' });
      expect(r.snapshot.context.pausedClocks).toEqual({ cityApproval: 1, countyReview: 2 });
      expectMove(r, {
        steps: ['propose'],
        status: 'active',
        effects: [...left(entry, 'countyReview', 2, 'return'), ...entered(entry, 'propose', 2, c.now), returned('countyReview')],
      });
      c.act(officer, 'submit', eligibleProposal());
      c.act(officer, 'submit', supportPlan());
      const county = c.act(officer, 'record', appraisal(40));
      expect(county.effects).toContainEqual(entered(entry, 'countyReview', 3, c.now, 2)[1]);
      expect(county.snapshot.context.pausedClocks).toEqual({ cityApproval: 1 });
      const city = c.act(reviewer, 'approve', {});
      expect(city.effects).toContainEqual(entered(entry, 'cityApproval', 2, c.now, 1)[1]);
      expect(city.snapshot.context).not.toHaveProperty('pausedClocks');
      // A later visit after an ordinary exit starts afresh again.
      c.act(approver, 'return', { reason: '再次复核' });
      expect(c.snapshot.context.pausedClocks).toEqual({ cityApproval: 2 });
    });

    it('never records a clock for a step that restarts it on return', () => {
      const definition = loadSeedDefinition('poverty-entry');
      definition.steps.cityApproval.deadline!.restartOnReturn = true;
      const restarting = compileWorkflow(definition);
      const c = entryCaseAt('cityApproval', restarting);
      const r = c.act(approver, 'return', { reason: '复核' });
      expect(r.effects).toContainEqual({ type: 'cancelDeadline', step: 'cityApproval', entry: 1, reason: 'action:return', pause: false });
      expect(r.snapshot.context).not.toHaveProperty('pausedClocks');
      const back = c.act(reviewer, 'approve', {});
      expect(back.effects).toEqual([...left(restarting, 'countyReview', 2, 'approve'), ...entered(restarting, 'cityApproval', 2, c.now)]);
    });

    it('replays to the same paused clocks', () => {
      const c = entryCaseAt('cityApproval');
      c.act(approver, 'return', { reason: '复核' });
      c.act(reviewer, 'return', { reason: '补充成员信息' });
      expect(replayHistory(entry, c.history)).toEqual(c.snapshot);
      c.act(officer, 'submit', eligibleProposal());
      c.act(officer, 'submit', supportPlan());
      c.act(officer, 'record', appraisal(40));
      expect(replayHistory(entry, c.history)).toEqual(c.snapshot);
    });
  });

  describe('guards', () => {
    const ELIGIBILITY = guardMessage(entry, 'propose', 'submit');

    it.each`
      where              | jurisdiction      | actor            | rural    | income  | eligible
      ${'rural 台山'}    | ${TAISHAN_VILLAGE} | ${officer}       | ${true}  | ${5039} | ${true}
      ${'rural 台山'}    | ${TAISHAN_VILLAGE} | ${officer}       | ${true}  | ${5040} | ${false}
      ${'rural 台山'}    | ${TAISHAN_VILLAGE} | ${officer}       | ${true}  | ${6599} | ${false}
      ${'rural 新会'}    | ${XINHUI_VILLAGE}  | ${xinhuiOfficer} | ${true}  | ${5040} | ${true}
      ${'rural 新会'}    | ${XINHUI_VILLAGE}  | ${xinhuiOfficer} | ${true}  | ${6599} | ${true}
      ${'rural 新会'}    | ${XINHUI_VILLAGE}  | ${xinhuiOfficer} | ${true}  | ${6600} | ${false}
      ${'rural 新会'}    | ${XINHUI_VILLAGE}  | ${xinhuiOfficer} | ${true}  | ${6601} | ${false}
      ${'urban 台山'}    | ${TAISHAN_VILLAGE} | ${officer}       | ${false} | ${6599} | ${true}
      ${'urban 台山'}    | ${TAISHAN_VILLAGE} | ${officer}       | ${false} | ${6600} | ${false}
      ${'urban 台山'}    | ${TAISHAN_VILLAGE} | ${officer}       | ${false} | ${6601} | ${false}
      ${'urban 新会'}    | ${XINHUI_VILLAGE}  | ${xinhuiOfficer} | ${false} | ${6599} | ${true}
      ${'urban 新会'}    | ${XINHUI_VILLAGE}  | ${xinhuiOfficer} | ${false} | ${6600} | ${false}
    `('$where household with income $income is eligible: $eligible', ({ jurisdiction, actor, rural, income, eligible }) => {
      const c = CaseDriver.start(entry, entryStartData({ rural }), { jurisdiction });
      if (eligible) {
        expect(c.act(actor, 'submit', eligibleProposal({ perCapitaIncome: income })).activeSteps).toEqual(['support']);
      } else {
        const refusal = c.refuse(EngineExceptionCode.GUARD_FAILED, actor, 'submit', eligibleProposal({ perCapitaIncome: income }));
        expect(refusal.message).toBe(ELIGIBILITY);
        expect(refusal.details).toEqual({ step: 'propose', action: 'submit' });
      }
    });

    it('uses the low line for rural households of 开平 and 恩平 too, but not of 新会', () => {
      const kaiping = { ...officer, id: 'officer-kp', jurisdictionCode: '440783103' };
      const enping = { ...officer, id: 'officer-ep', jurisdictionCode: '440785100' };
      const xinhui = CaseDriver.start(entry, entryStartData(), { jurisdiction: XINHUI_VILLAGE });
      expect(xinhui.act(xinhuiOfficer, 'submit', eligibleProposal({ perCapitaIncome: 5500 })).activeSteps).toEqual(['support']);
      for (const [actor, village] of [[kaiping, '440783103001'], [enping, '440785100001']] as const) {
        const c = CaseDriver.start(entry, entryStartData(), { jurisdiction: village });
        c.refuse(EngineExceptionCode.GUARD_FAILED, actor, 'submit', eligibleProposal({ perCapitaIncome: 5500 }));
      }
    });

    it('takes the poverty line from the params in force when they are passed in', () => {
      const c = CaseDriver.start(entry, entryStartData({ rural: false }));
      const params = { povertyLine: 7000 };
      c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', eligibleProposal({ perCapitaIncome: 6800 }));
      const r = c.act(officer, 'submit', eligibleProposal({ perCapitaIncome: 6800 }), { params });
      expect(r.activeSteps).toEqual(['support']);
      expect(r.event.params).toEqual(params);
    });

    it('refuses a household without labour ability (dibao covers it)', () => {
      const c = entryCaseAt('propose');
      const refusal = c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', eligibleProposal({ hasLabourAbility: false }));
      expect(refusal).toBeInstanceOf(EngineException);
      expect(refusal.message).toBe(ELIGIBILITY);
    });

    it('refuses a household that does not consent', () => {
      const c = entryCaseAt('propose');
      expect(c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', eligibleProposal({ consent: false })).message).toBe(ELIGIBILITY);
    });

    it('refuses a support plan without any measure', () => {
      const c = entryCaseAt('support');
      const refusal = c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', supportPlan({ measures: [] }));
      expect(refusal.message).toBe(guardMessage(entry, 'support', 'submit'));
    });

    it('refuses an appraisal with more votes than people present', () => {
      const c = entryCaseAt('appraisal');
      const refusal = c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'record', appraisal(30, 50, 21));
      expect(refusal.message).toBe(guardMessage(entry, 'appraisal', 'record'));
      expect(c.act(officer, 'record', appraisal(30, 50, 20)).activeSteps).toEqual(['countyReview']);
    });

    describe.each([
      ['the town officer', officer],
      ['the system', system],
    ])('closing the notice period by %s', (_who, actor: Actor) => {
      it('is refused before 7 days have passed', () => {
        const c = entryCaseAt('publicNotice');
        const opened = new Date(c.snapshot.context.enteredAt.publicNotice);
        for (const early of [plus(opened, DAY), plus(opened, 7 * DAY - 1)]) {
          const refusal = c.refuse(EngineExceptionCode.GUARD_FAILED, actor, 'conclude', {}, { now: early });
          expect(refusal.message).toBe(guardMessage(entry, 'publicNotice', 'conclude'));
        }
      });

      it('registers the household once 7 days have passed', () => {
        const c = entryCaseAt('publicNotice');
        const opened = new Date(c.snapshot.context.enteredAt.publicNotice);
        const r = c.act(actor, 'conclude', {}, { now: plus(opened, 7 * DAY) });
        expect(r.status).toBe('registered');
        expect(r.event.actor).toEqual(actor);
      });
    });

    it('lets the notice period be set by the params in force', () => {
      const c = entryCaseAt('publicNotice');
      const opened = new Date(c.snapshot.context.enteredAt.publicNotice);
      c.refuse(EngineExceptionCode.GUARD_FAILED, system, 'conclude', {}, { now: plus(opened, 9 * DAY), params: { noticePeriodDays: 10 } });
      expect(c.act(system, 'conclude', {}, { now: plus(opened, 10 * DAY), params: { noticePeriodDays: 10 } }).status).toBe('registered');
    });

    it('refuses the system an action taken by people only', () => {
      refuseSystem(entryCaseAt('propose'), 'submit', eligibleProposal());
      refuseSystem(entryCaseAt('countyReview'), 'approve', {});
      refuseSystem(entryCaseAt('objectionReview'), 'dismiss', { finding: '不成立' });
    });

    function refuseSystem(c: CaseDriver, action: string, input: Record<string, unknown>) {
      const refusal = c.refuse(EngineExceptionCode.ACTION_NOT_ALLOWED, system, action, input);
      expect(refusal.message).toMatch(/people, not by the system/);
    }

    it('refuses people an action the definition reserves for the system', () => {
      const definition = loadSeedDefinition('poverty-entry');
      const conclude = definition.steps.publicNotice.actions!.conclude;
      conclude.system = true;
      delete conclude.allowSystem;
      const systemOnly = compileWorkflow(definition);
      const c = entryCaseAt('publicNotice', systemOnly);
      const later = { now: plus(c.now, 8 * DAY) };
      c.refuse(EngineExceptionCode.SYSTEM_ONLY_ACTION, officer, 'conclude', {}, later);
      expect(availableActions(systemOnly, c.snapshot, officer).map((a) => a.action)).toEqual(['object']);
      expect(c.act(system, 'conclude', {}, later).status).toBe('registered');
    });
  });

  describe('refusals', () => {
    it('refuses a user without the role of the step (ROLE_NOT_ALLOWED)', () => {
      entryCaseAt('propose').refuse(EngineExceptionCode.ROLE_NOT_ALLOWED, reviewer, 'submit', eligibleProposal());
      const atCounty = entryCaseAt('countyReview');
      atCounty.refuse(EngineExceptionCode.ROLE_NOT_ALLOWED, officer, 'approve', {});
      atCounty.refuse(EngineExceptionCode.ROLE_NOT_ALLOWED, approver, 'approve', {});
      entryCaseAt('cityApproval').refuse(EngineExceptionCode.ROLE_NOT_ALLOWED, reviewer, 'approve', {});
    });

    it('refuses the right role from another county (JURISDICTION_NOT_ALLOWED)', () => {
      entryCaseAt('propose').refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, kaipingOfficer, 'submit', eligibleProposal());
      entryCaseAt('countyReview').refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, kaipingReviewer, 'approve', {});
      entryCaseAt('publicNotice').refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, kaipingOfficer, 'object', { objection: 'x' });
    });

    it('refuses the right role at the wrong node: another town of the county, or the county for a town step', () => {
      const c = entryCaseAt('propose');
      c.refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, { ...officer, jurisdictionCode: '440781100' }, 'submit', eligibleProposal());
      c.refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, { ...officer, jurisdictionCode: '440781' }, 'submit', eligibleProposal());
      c.refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, { ...officer, jurisdictionCode: undefined }, 'submit', eligibleProposal());
      entryCaseAt('countyReview').refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, { ...reviewer, jurisdictionCode: '440700' }, 'approve', {});
    });

    it('refuses an action the current step does not offer (ACTION_NOT_IN_STEP)', () => {
      const c = entryCaseAt('propose');
      const refusal = c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, reviewer, 'approve', {});
      expect(refusal.details).toEqual({ activeSteps: ['propose'] });
      c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, officer, 'conclude', {});
      // Names inherited from Object.prototype are not actions of any step.
      for (const inherited of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
        c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, officer, inherited, {});
        c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, system, inherited, {});
      }
      c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, officer, 'submit', eligibleProposal(), { step: 'support' });
      entryCaseAt('countyReview').refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, officer, 'submit', supportPlan());
    });

    it('refuses invalid input, listing missing required fields, wrong types and unknown fields (INVALID_INPUT)', () => {
      const c = entryCaseAt('propose');
      const refusal = c.refuse(EngineExceptionCode.INVALID_INPUT, officer, 'submit', {
        perCapitaIncome: '4800',
        consent: 'yes',
        members: [{ name: '李大福', age: -1, labourAbility: true }],
        favouriteColour: 'red',
      });
      const issues = (refusal.details as { issues: { field: string; message: string }[] }).issues;
      expect(issues).toEqual(
        expect.arrayContaining([
          { field: 'favouriteColour', message: 'is not a field of this form' },
          { field: 'perCapitaIncome', message: 'must be a number' },
          { field: 'hasLabourAbility', message: expect.stringMatching(/^is required/) },
          { field: 'dibao', message: expect.stringMatching(/^is required/) },
          { field: 'consent', message: 'must be true or false' },
          { field: 'members.0.relation', message: expect.stringMatching(/^is required/) },
          { field: 'members.0.age', message: 'must be at least 0' },
        ]),
      );
      expect(issues).toHaveLength(7);
      for (const field of ['favouriteColour', 'perCapitaIncome', 'hasLabourAbility', 'dibao', 'consent', 'members.0.relation', 'members.0.age']) {
        expect(refusal.message).toContain(field);
      }
    });

    it('checks the input before the guard, and refuses input to an action without fields', () => {
      const c = entryCaseAt('publicNotice');
      const refusal = c.refuse(EngineExceptionCode.INVALID_INPUT, officer, 'conclude', { note: '提前结束' }, { now: plus(c.now, DAY) });
      expect(refusal.details).toEqual({ issues: [{ field: 'note', message: 'is not a field of this form' }] });
      entryCaseAt('support').refuse(EngineExceptionCode.INVALID_INPUT, officer, 'return', {});
      entryCaseAt('support').refuse(EngineExceptionCode.INVALID_INPUT, officer, 'submit', supportPlan({ measures: ['lottery'] }));
      entryCaseAt('appraisal').refuse(EngineExceptionCode.INVALID_INPUT, officer, 'record', { ...appraisal(40), meetingDate: '20/09/2016' });
    });

    it('refuses every action on a finished case (CASE_FINISHED)', () => {
      const cancelled = entryCaseAt('propose');
      cancelled.act(officer, 'cancel', { reason: '撤销' });
      for (const [actor, action] of [[officer, 'submit'], [officer, 'cancel'], [reviewer, 'approve'], [system, 'conclude'], [officer, 'nothing']] as const) {
        cancelled.refuse(EngineExceptionCode.CASE_FINISHED, actor, action, {});
      }
      const registered = entryCaseAt('publicNotice');
      registered.act(system, 'conclude', {}, { now: plus(registered.now, 7 * DAY) });
      registered.refuse(EngineExceptionCode.CASE_FINISHED, officer, 'object', { objection: '迟到的异议' });
      expect(availableActions(entry, registered.snapshot, officer)).toEqual([]);
    });

    it('leaves the snapshot passed in untouched when it refuses', () => {
      // Each refusal above checks this through CaseDriver.refuse; here the snapshot is also frozen.
      const c = entryCaseAt('countyReview');
      const frozen = deepFreeze(structuredClone(c.snapshot));
      const before = structuredClone(frozen);
      for (const [actor, action, input] of [
        [kaipingReviewer, 'approve', {}],
        [officer, 'approve', {}],
        [reviewer, 'submit', {}],
        [reviewer, 'reject', {}],
      ] as const) {
        expect(() => applyAction(entry, frozen, { actor, action, input, now: plus(c.now, DAY) })).toThrow(EngineException);
      }
      expect(frozen).toEqual(before);
      // And an accepted action does not mutate its input snapshot either.
      expect(applyAction(entry, frozen, { actor: reviewer, action: 'approve', input: {}, now: plus(c.now, DAY) }).activeSteps).toEqual(['cityApproval']);
      expect(frozen).toEqual(before);
    });
  });

  describe('availableActions', () => {
    const keys = (c: CaseDriver, actor: Actor) => availableActions(entry, c.snapshot, actor).map((a) => `${a.step}.${a.action}`);

    it('offers the town officer submit and cancel at propose, with the form fields', () => {
      const c = entryCaseAt('propose');
      const offered = availableActions(entry, c.snapshot, officer);
      expect(offered.map((a) => a.action)).toEqual(['submit', 'cancel']);
      expect(offered[0]).toMatchObject({ step: 'propose', stepLabel: '拟选对象', label: '提交拟选对象', labelEn: 'Submit proposal', kind: 'submit' });
      expect(Object.keys(offered[0].fields)).toEqual(['perCapitaIncome', 'hasLabourAbility', 'dibao', 'consent', 'members']);
      expect(offered[1]).toMatchObject({ action: 'cancel', kind: 'reject' });
    });

    it('offers nothing at propose to the reviewer, the approver, an officer of 开平 or the system', () => {
      const c = entryCaseAt('propose');
      for (const actor of [reviewer, approver, kaipingOfficer, system]) expect(keys(c, actor)).toEqual([]);
    });

    it('offers the county reviewer approve, return and reject at county review, and the officer nothing', () => {
      const c = entryCaseAt('countyReview');
      expect(keys(c, reviewer)).toEqual(['countyReview.approve', 'countyReview.return', 'countyReview.reject']);
      expect(keys(c, officer)).toEqual([]);
      expect(keys(c, kaipingReviewer)).toEqual([]);
      expect(keys(c, approver)).toEqual([]);
    });

    it('offers the city approver its actions at city approval', () => {
      expect(keys(entryCaseAt('cityApproval'), approver)).toEqual(['cityApproval.approve', 'cityApproval.return', 'cityApproval.returnToStep', 'cityApproval.reject']);
    });

    it('offers the system only the actions it may take during the notice', () => {
      const c = entryCaseAt('publicNotice');
      expect(keys(c, system)).toEqual(['publicNotice.conclude', 'publicNotice.object']);
      expect(keys(c, officer)).toEqual(['publicNotice.conclude', 'publicNotice.object']);
    });

    it('offers a user holding several roles what each role may do', () => {
      const both: Actor = { kind: 'user', id: 'x', roles: ['officer', 'reviewer'], jurisdictionCode: '440781001' };
      expect(keys(entryCaseAt('propose'), both)).toEqual(['propose.submit', 'propose.cancel']);
      // The reviewer role is bound to the county, not to this user's town.
      expect(keys(entryCaseAt('countyReview'), both)).toEqual([]);
    });
  });
});

describe('returnTo: the city approver picks the step the case goes back to (驳回到指定节点)', () => {
  it('offers the choice as a required enum field returnStep, with the steps’ names', () => {
    const offered = availableActions(entry, entryCaseAt('cityApproval').snapshot, approver).find((a) => a.action === 'returnToStep')!;
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
    const c = entryCaseAt('cityApproval');
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
    const refusal = entryCaseAt('cityApproval').refuse(EngineExceptionCode.INVALID_INPUT, approver, 'returnToStep', input);
    expect(refusal.message).toContain(message);
  });

  it('leaves the existing return to county review as it was', () => {
    const c = entryCaseAt('cityApproval');
    expect(c.act(approver, 'return', { reason: '请县级复核' }).activeSteps).toEqual(['countyReview']);
  });

  it('replays to the same snapshot: the chosen step is in the recorded input', () => {
    const c = entryCaseAt('cityApproval');
    c.act(approver, 'returnToStep', { reason: '户籍信息有误', returnStep: 'propose' });
    c.act(officer, 'submit', eligibleProposal());
    expect(replayHistory(entry, c.history)).toEqual(c.snapshot);
  });
});

// ---------------------------------------------------------------------------
// poverty-exit
// ---------------------------------------------------------------------------

/** Starts a 台山 exit case and takes it to the public notice. */
function exitCaseAtNotice(rural = true): CaseDriver {
  const c = CaseDriver.start(exit, exitStartData({ rural }));
  c.act(officer, 'submit', exitProposal({ perCapitaIncome: 12000 }));
  c.act(officer, 'submit', { pairedUnit: '台山市农业局', responsiblePerson: '黄志强' });
  c.act(officer, 'record', appraisal(40));
  c.act(reviewer, 'approve', {});
  expect(c.last.activeSteps).toEqual(['publicNotice']);
  return c;
}

describe('poverty-exit', () => {
  it('moves an exited household to monitoring (status exited, case still running), then closes it', () => {
    const c = CaseDriver.start(exit, exitStartData());
    expectMove(c.last, { steps: ['propose'], status: 'active', effects: entered(exit, 'propose', 1, START) });

    let r = c.act(officer, 'submit', exitProposal());
    expectMove(r, { steps: ['support'], status: 'active', effects: [...left(exit, 'propose', 1, 'submit'), ...entered(exit, 'support', 1, c.now)] });
    r = c.act(officer, 'submit', { pairedUnit: '台山市农业局', responsiblePerson: '黄志强', followUpPlan: '继续产业帮扶' });
    expectMove(r, { steps: ['appraisal'], status: 'active', effects: [...left(exit, 'support', 1, 'submit'), ...entered(exit, 'appraisal', 1, c.now)] });
    r = c.act(officer, 'record', appraisal(40));
    expectMove(r, { steps: ['countyReview'], status: 'active', effects: [...left(exit, 'appraisal', 1, 'record'), ...entered(exit, 'countyReview', 1, c.now)] });
    r = c.act(reviewer, 'approve', { opinion: '核实达标' });
    expectMove(r, { steps: ['publicNotice'], status: 'active', effects: [...left(exit, 'countyReview', 1, 'approve'), ...entered(exit, 'publicNotice', 1, c.now)] });

    r = c.act(system, 'conclude', {}, { now: plus(c.now, 7 * DAY) });
    expectMove(r, {
      steps: ['monitoring'],
      status: 'exited',
      effects: [...left(exit, 'publicNotice', 1, 'conclude'), { type: 'openTask', step: 'monitoring', entry: 1, role: 'officer', level: 'town' }],
    });
    expect(caseStatus(exit, r.snapshot)).toBe('exited');
    expect(availableActions(exit, r.snapshot, officer).map((a) => a.action)).toEqual(['endMonitoring', 'resumeSupport']);

    r = c.act(officer, 'endMonitoring', { note: '帮扶期满' }, { now: plus(c.now, 365 * DAY) });
    expectMove(r, {
      steps: ['closed'],
      status: 'exited',
      done: true,
      effects: [{ type: 'closeTask', step: 'monitoring', entry: 1, outcome: 'endMonitoring' }, finished('closed', 'exited')],
    });
  });

  it('resumes support from monitoring when the household falls back, and can exit again', () => {
    const c = exitCaseAtNotice();
    c.act(system, 'conclude', {}, { now: plus(c.now, 7 * DAY) });
    const r = c.act(officer, 'resumeSupport', { reason: '因病返贫' });
    expectMove(r, {
      steps: ['support'],
      status: 'active',
      effects: [{ type: 'closeTask', step: 'monitoring', entry: 1, outcome: 'resumeSupport' }, ...entered(exit, 'support', 2, c.now), returned('monitoring')],
    });
    c.act(officer, 'submit', { pairedUnit: '台山市农业局', responsiblePerson: '黄志强' });
    c.act(officer, 'record', appraisal(40));
    c.act(reviewer, 'approve', {});
    const again = c.act(officer, 'conclude', {}, { now: plus(c.now, 7 * DAY) });
    expect(again.status).toBe('exited');
    expect(again.effects).toContainEqual({ type: 'openTask', step: 'monitoring', entry: 2, role: 'officer', level: 'town' });
  });

  it('ends notExited when the county finds the household not ready', () => {
    const c = CaseDriver.start(exit, exitStartData());
    c.act(officer, 'submit', exitProposal());
    c.act(officer, 'submit', { pairedUnit: '台山市农业局', responsiblePerson: '黄志强' });
    c.act(officer, 'record', appraisal(40));
    const r = c.act(reviewer, 'reject', { reason: '收入不稳定' });
    expectMove(r, { steps: ['notExited'], status: 'notExited', done: true, effects: [...left(exit, 'countyReview', 1, 'reject'), finished('notExited', 'notExited')] });
  });

  it('ends notExited when the proposal is withdrawn', () => {
    const c = CaseDriver.start(exit, exitStartData());
    expect(c.act(officer, 'cancel', { reason: '暂不申请' }).status).toBe('notExited');
  });

  it('returns from county verification to appraisal', () => {
    const c = CaseDriver.start(exit, exitStartData());
    c.act(officer, 'submit', exitProposal());
    c.act(officer, 'submit', { pairedUnit: '台山市农业局', responsiblePerson: '黄志强' });
    c.act(officer, 'record', appraisal(40));
    const r = c.act(reviewer, 'return', { reason: '评议记录不全' });
    expectMove(r, { steps: ['appraisal'], status: 'active', effects: [...left(exit, 'countyReview', 1, 'return'), ...entered(exit, 'appraisal', 2, c.now), returned('countyReview')] });
  });

  describe('the exit standard', () => {
    const EXIT_STANDARD = guardMessage(exit, 'propose', 'submit');

    // urban: 1.5 × 7,560 = 11,340; rural: 0.45 × 15,218 = 6,848.1
    it.each`
      kind       | rural    | income      | meets
      ${'urban'} | ${false} | ${11339.99} | ${false}
      ${'urban'} | ${false} | ${11340}    | ${true}
      ${'urban'} | ${false} | ${11340.01} | ${true}
      ${'urban'} | ${false} | ${6848.1}   | ${false}
      ${'rural'} | ${true}  | ${6848}     | ${false}
      ${'rural'} | ${true}  | ${6848.09}  | ${false}
      ${'rural'} | ${true}  | ${6848.1}   | ${true}
      ${'rural'} | ${true}  | ${6849}     | ${true}
    `('$kind household with income $income meets it: $meets', ({ rural, income, meets }) => {
      const c = CaseDriver.start(exit, exitStartData({ rural }));
      if (meets) {
        expect(c.act(officer, 'submit', exitProposal({ perCapitaIncome: income })).activeSteps).toEqual(['support']);
      } else {
        expect(c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', exitProposal({ perCapitaIncome: income })).message).toBe(EXIT_STANDARD);
      }
    });

    it('uses the year’s reference figures passed in as params', () => {
      const c = CaseDriver.start(exit, exitStartData({ rural: true }));
      const params = { ruralMeanIncome: 16000 }; // 45 % → 7,200
      c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', exitProposal({ perCapitaIncome: 7199 }), { params });
      expect(c.act(officer, 'submit', exitProposal({ perCapitaIncome: 7200 }), { params }).activeSteps).toEqual(['support']);
    });

    it.each(['foodAndClothing', 'compulsoryEducation', 'basicMedical', 'housingSafety'])(
      'refuses an exit when %s (两不愁三保障) is not secured, whatever the income',
      (item) => {
        const c = CaseDriver.start(exit, exitStartData());
        const refusal = c.refuse(EngineExceptionCode.GUARD_FAILED, officer, 'submit', exitProposal({ perCapitaIncome: 30000, [item]: false }));
        expect(refusal.message).toBe(EXIT_STANDARD);
      },
    );
  });
});

// ---------------------------------------------------------------------------
// disaster-reentry
// ---------------------------------------------------------------------------

function disasterCaseAt(step: 'confirmation' | 'townApplication' | 'countyReview' | 'cityApproval'): CaseDriver {
  const c = CaseDriver.start(disaster, disasterStartData());
  if (step === 'confirmation') return c;
  for (const department of DEPARTMENT_STEPS) c.act(reviewer, 'confirm', { opinion: '灾情属实' }, { step: department });
  if (step === 'townApplication') return c;
  c.act(officer, 'submit', { perCapitaIncome: 3000, application: '因台风返贫，申请重新纳入' });
  if (step === 'countyReview') return c;
  c.act(reviewer, 'approve', {});
  return c;
}

describe('disaster-reentry', () => {
  it('opens the four department confirmations at once', () => {
    const c = disasterCaseAt('confirmation');
    expectMove(c.last, {
      steps: [...DEPARTMENT_STEPS],
      status: 'active',
      effects: DEPARTMENT_STEPS.flatMap((step) => entered(disaster, step, 1, START)),
    });
    expect(c.last.effects.filter((e) => e.type === 'openTask')).toEqual(
      DEPARTMENT_STEPS.map((step) => ({ type: 'openTask', step, entry: 1, role: 'reviewer', level: 'county' })),
    );
    expect(availableActions(disaster, c.snapshot, reviewer).map((a) => `${a.step}.${a.action}`)).toEqual(
      DEPARTMENT_STEPS.flatMap((step) => [`${step}.confirm`, `${step}.deny`]),
    );
    expect(availableActions(disaster, c.snapshot, kaipingReviewer)).toEqual([]);
  });

  it('stays in confirmation until every department has confirmed, then moves to the town application', () => {
    const c = disasterCaseAt('confirmation');
    const order = ['landConfirm', 'agricultureConfirm', 'civilAffairsConfirm'] as const;
    for (const step of order) {
      const r = c.act(reviewer, 'confirm', { opinion: '灾情属实' }, { step });
      expect(r.effects).toEqual(left(disaster, step, 1, 'confirm'));
      expect(r.status).toBe('active');
      expect(r.activeSteps).toContain('meteorologyConfirm');
      expect(r.activeSteps).not.toContain(step);
      expect(r.snapshot.value).toEqual({ confirmation: expect.objectContaining({ meteorology: 'meteorologyConfirm' }) });
    }
    expect(c.snapshot.value).toEqual({
      confirmation: { agriculture: 'agricultureConfirmed', meteorology: 'meteorologyConfirm', civilAffairs: 'civilAffairsConfirmed', land: 'landConfirmed' },
    });
    // A department that has confirmed cannot act again.
    c.refuse(EngineExceptionCode.ACTION_NOT_IN_STEP, reviewer, 'confirm', { opinion: '再次确认' }, { step: 'landConfirm' });

    const r = c.act(reviewer, 'confirm', { opinion: '灾情属实' }, { step: 'meteorologyConfirm' });
    expectMove(r, {
      steps: ['townApplication'],
      status: 'active',
      effects: [...left(disaster, 'meteorologyConfirm', 1, 'confirm'), ...entered(disaster, 'townApplication', 1, c.now)],
    });
    expect(r.snapshot.context.enteredAt.townApplication).toBe(c.now.toISOString());
  });

  it('asks which department acts when the action alone is ambiguous', () => {
    const c = disasterCaseAt('confirmation');
    const refusal = c.refuse(EngineExceptionCode.AMBIGUOUS_ACTION, reviewer, 'confirm', { opinion: '属实' });
    expect(refusal.details).toEqual({ steps: [...DEPARTMENT_STEPS] });
    c.refuse(EngineExceptionCode.JURISDICTION_NOT_ALLOWED, kaipingReviewer, 'confirm', { opinion: '属实' }, { step: 'landConfirm' });
    c.refuse(EngineExceptionCode.ROLE_NOT_ALLOWED, officer, 'confirm', { opinion: '属实' }, { step: 'landConfirm' });
  });

  it('ends notConfirmed when one department denies, cancelling the other open confirmations', () => {
    const c = disasterCaseAt('confirmation');
    c.act(reviewer, 'confirm', { opinion: '灾情属实' }, { step: 'agricultureConfirm' });
    const r = c.act(reviewer, 'deny', { reason: '气象记录无此灾害' }, { step: 'meteorologyConfirm' });
    expect(r.status).toBe('notConfirmed');
    expect(r.snapshot.status).toBe('done');
    expect(r.activeSteps).toEqual(['notConfirmed']);
    const closed = r.effects.filter((e) => e.type === 'closeTask');
    expect(closed).toHaveLength(3);
    expect(closed).toEqual(
      expect.arrayContaining([
        { type: 'closeTask', step: 'meteorologyConfirm', entry: 1, outcome: 'deny' },
        { type: 'closeTask', step: 'civilAffairsConfirm', entry: 1, outcome: 'cancelled' },
        { type: 'closeTask', step: 'landConfirm', entry: 1, outcome: 'cancelled' },
      ]),
    );
    expect(r.effects).toEqual(
      expect.arrayContaining([
        { type: 'cancelDeadline', step: 'meteorologyConfirm', entry: 1, reason: 'action:deny', pause: false },
        { type: 'cancelDeadline', step: 'civilAffairsConfirm', entry: 1, reason: 'step-left', pause: false },
        { type: 'cancelDeadline', step: 'landConfirm', entry: 1, reason: 'step-left', pause: false },
      ]),
    );
    expect(r.effects.filter((e) => e.type === 'cancelDeadline')).toHaveLength(3);
    expect(r.effects.filter((e) => e.type === 'openTask')).toEqual([]);
    expect(r.effects.at(-1)).toEqual(finished('notConfirmed', 'notConfirmed'));
  });

  it('returns from county review to the town application', () => {
    const c = disasterCaseAt('countyReview');
    const r = c.act(reviewer, 'return', { reason: '补充收入证明' });
    expectMove(r, {
      steps: ['townApplication'],
      status: 'active',
      effects: [...left(disaster, 'countyReview', 1, 'return'), ...entered(disaster, 'townApplication', 2, c.now), returned('countyReview')],
    });
  });

  it('returns from city approval to county review', () => {
    const c = disasterCaseAt('cityApproval');
    const r = c.act(approver, 'return', { reason: '请复核' });
    expectMove(r, {
      steps: ['countyReview'],
      status: 'active',
      effects: [...left(disaster, 'cityApproval', 1, 'return'), ...entered(disaster, 'countyReview', 2, c.now), returned('cityApproval')],
    });
  });

  it('includes the household in the plan of the year the city approves', () => {
    const c = disasterCaseAt('cityApproval');
    c.refuse(EngineExceptionCode.INVALID_INPUT, approver, 'approve', {});
    c.refuse(EngineExceptionCode.INVALID_INPUT, approver, 'approve', { planYear: 2015 });
    c.refuse(EngineExceptionCode.INVALID_INPUT, approver, 'approve', { planYear: '2017' });
    const r = c.act(approver, 'approve', { planYear: 2017 });
    expectMove(r, {
      steps: ['includedInPlan'],
      status: 'includedInPlan',
      done: true,
      effects: [...left(disaster, 'cityApproval', 1, 'approve'), finished('includedInPlan', 'includedInPlan')],
    });
    expect(r.snapshot.context.data.planYear).toBe(2017);
  });

  it('ends rejected or cancelled from the review and application steps', () => {
    expect(disasterCaseAt('countyReview').act(reviewer, 'reject', { reason: '损失未达标准' }).status).toBe('rejected');
    expect(disasterCaseAt('cityApproval').act(approver, 'reject', { reason: '不予纳入' }).status).toBe('rejected');
    expect(disasterCaseAt('townApplication').act(officer, 'cancel', { reason: '撤销' }).status).toBe('cancelled');
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
