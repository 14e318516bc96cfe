import { planDeadlines, remainingTime } from '../../../src/deadlines/deadline-plan.js';
import { followStepClocks, overdueSteps } from '../../../src/deadlines/step-clocks.js';
import { WorkingCalendar } from '../../../src/deadlines/working-calendar.js';
import { replayOnDefinition, stateOf, type NumberedEvent } from '../../../src/engine/what-if.js';
import { compileWorkflow } from '../../../src/engine/workflow-machine.js';
import { CaseDriver, eligibleProposal, entryStartData, officer, supportPlan } from '../../support/engine-fixtures.js';
import { loadSeedDefinition, loadSeedWorkflow } from '../../support/seed-workflows.js';

const calendar = WorkingCalendar.fromChineseDays();
const entry = loadSeedWorkflow('poverty-entry');
const support = entry.steps.get('support')!.definition.deadline!;

// March 2026 has no holiday: working days are Monday to Friday. Times are Beijing (+08:00).
const at = (beijing: string) => new Date(`${beijing}+08:00`);
const MONDAY_0302 = at('2026-03-02T09:00:00');

const numbered = (driver: CaseDriver): NumberedEvent[] => driver.history.map((event, index) => ({ ...event, seq: index + 1 }));
/** The effects the engine returned for each history row, with its time: what the shell wrote. */
const recorded = (driver: CaseDriver) => driver.results.map((result, index) => ({ at: new Date((driver.history[index].payload as { now: string }).now), effects: result.effects }));

/**
 * 精准扶持 (support, 10wd) entered on Monday 03-02 — due Monday 03-16 17:30 — returned for
 * correction (补正) to the proposal on `returnedAt`, and sent on again on `backAt`.
 */
function returnedToProposal(returnedAt: Date, backAt: Date): CaseDriver {
  const driver = CaseDriver.start(entry, entryStartData(), { now: MONDAY_0302 });
  driver.act(officer, 'submit', eligibleProposal(), { now: at('2026-03-02T10:00:00') });
  driver.act(officer, 'return', { reason: '家庭成员信息不全' }, { now: returnedAt });
  driver.act(officer, 'submit', eligibleProposal(), { now: backAt });
  return driver;
}

describe('step clocks: the due time of each step visit, as the engine keeps it', () => {
  // Returned on Friday 03-13 with one working day left (Monday 03-16); away six working days
  // (03-16 … 03-23); back on Monday 03-23 10:00, so due one working day later: Tuesday 03-24 17:30.
  const paused = () => returnedToProposal(at('2026-03-13T10:00:00'), at('2026-03-23T10:00:00'));

  it('does not count the working days a case spent returned for correction', () => {
    const driver = paused();
    const clocks = followStepClocks(recorded(driver), calendar);
    expect(clocks.get('support')).toEqual({
      entry: 2,
      settings: support,
      startedAt: at('2026-03-23T10:00:00'),
      resumedWith: 1,
      dueAt: at('2026-03-24T17:30:00'),
      paused: null,
    });
    // The engine's own computation: what was left when the return paused the clock, from the time it came back.
    const left = remainingTime(support, at('2026-03-13T10:00:00'), at('2026-03-16T17:30:00'), calendar);
    expect(planDeadlines(support, at('2026-03-23T10:00:00'), calendar, left)[0].dueAt).toEqual(clocks.get('support')!.dueAt);

    // Sixteen working days after the step began, ten of them on the clock: not overdue.
    expect(overdueSteps(entry, driver.snapshot, clocks, at('2026-03-24T12:00:00'))).toEqual([]);
    // The next morning it is, by what was left — not by a fresh 10wd from the return.
    expect(overdueSteps(entry, driver.snapshot, clocks, at('2026-03-25T10:00:00'))).toEqual([
      {
        step: 'support',
        enteredAt: at('2026-03-23T10:00:00').toISOString(),
        duration: '10wd',
        dueAt: at('2026-03-24T17:30:00').toISOString(),
        resumed: { at: at('2026-03-23T10:00:00').toISOString(), remaining: '1wd' },
      },
    ]);
  });

  it('starts the clock afresh when the due time had passed (the due timer fired) before the return', () => {
    const driver = returnedToProposal(at('2026-03-17T10:00:00'), at('2026-03-19T10:00:00'));
    const clocks = followStepClocks(recorded(driver), calendar);
    expect(clocks.get('support')).toMatchObject({ entry: 2, resumedWith: null, dueAt: at('2026-04-02T17:30:00'), paused: null });
    expect(overdueSteps(entry, driver.snapshot, clocks, at('2026-04-02T12:00:00'))).toEqual([]);
  });

  it('keeps a returned step paused while the case is away, and counts only the current visits', () => {
    const driver = CaseDriver.start(entry, entryStartData(), { now: MONDAY_0302 });
    driver.act(officer, 'submit', eligibleProposal(), { now: at('2026-03-02T10:00:00') });
    driver.act(officer, 'return', { reason: '家庭成员信息不全' }, { now: at('2026-03-13T10:00:00') });
    const clocks = followStepClocks(recorded(driver), calendar);
    expect(clocks.get('support')).toMatchObject({ entry: 1, paused: { remaining: 1 } });
    // Weeks later, only the proposal's second visit (10wd from 03-13: due 03-27) is overdue.
    expect(overdueSteps(entry, driver.snapshot, clocks, at('2026-04-01T10:00:00')).map((o) => [o.step, o.dueAt])).toEqual([
      ['propose', at('2026-03-27T17:30:00').toISOString()],
    ]);
  });
});

describe('what-if uses the same clocks', () => {
  it('replays the history with the effects the engine gave, so a draft equal to the version reports what the engine says', () => {
    const driver = returnedToProposal(at('2026-03-13T10:00:00'), at('2026-03-23T10:00:00'));
    const replay = replayOnDefinition(entry, numbered(driver), stateOf(entry, driver.snapshot));
    if (replay.outcome === 'refused') throw new Error(replay.reason);
    expect(replay.timeline).toEqual(recorded(driver));
    const clocks = followStepClocks(replay.timeline, calendar);
    expect(overdueSteps(entry, replay.snapshot, clocks, at('2026-03-24T12:00:00'))).toEqual([]);
    expect(overdueSteps(entry, replay.snapshot, clocks, at('2026-03-25T10:00:00')).map((o) => o.dueAt)).toEqual([at('2026-03-24T17:30:00').toISOString()]);
  });

  it('pauses and resumes by the draft’s own duration', () => {
    const definition = loadSeedDefinition('poverty-entry');
    definition.steps.support.deadline!.duration = '15wd';
    const draft = compileWorkflow(definition);
    const driver = returnedToProposal(at('2026-03-13T10:00:00'), at('2026-03-23T10:00:00'));
    const replay = replayOnDefinition(draft, numbered(driver), stateOf(entry, driver.snapshot));
    if (replay.outcome === 'refused') throw new Error(replay.reason);
    // 15wd from 03-02 is 03-23 17:30: six working days left at the return, from 03-23 10:00 → 03-31 17:30.
    const clocks = followStepClocks(replay.timeline, calendar);
    expect(clocks.get('support')).toMatchObject({ resumedWith: 6, dueAt: at('2026-03-31T17:30:00') });
    expect(overdueSteps(draft, replay.snapshot, clocks, at('2026-03-25T10:00:00'))).toEqual([]);
  });
});
