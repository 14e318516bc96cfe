import { countiesFailedError, countyVerdict, interviewReason, runSeenFrom, yearIsOver, yearToAssess } from '../../../src/assessment/year-end.js';
import { disasterProblems } from '../../../src/disasters/disaster-input.js';

describe('the year a run assesses, in Beijing time', () => {
  it('the scheduler in early January assesses the year just ended', () => {
    expect(yearToAssess(new Date('2018-01-01T18:00:00Z'))).toBe(2017); // 2 January 02:00 Beijing
    expect(yearToAssess(new Date('2017-12-31T15:59:59Z'))).toBe(2016); // still 31 December in Beijing
  });

  it('a year may be assessed from 1 January 00:00 Beijing of the next year on', () => {
    expect(yearIsOver(2017, new Date('2017-12-31T15:59:59Z'))).toBe(false);
    expect(yearIsOver(2017, new Date('2017-12-31T16:00:00Z'))).toBe(true);
    expect(yearIsOver(2018, new Date('2017-12-31T16:00:00Z'))).toBe(false);
  });
});

describe('a county’s verdict', () => {
  it.each([
    [6, 0, 5, { planned: 6, missed: true, shortfall: 1 }],
    [6, 0, 6, { planned: 6, missed: false, shortfall: 0 }],
    [6, 0, 9, { planned: 6, missed: false, shortfall: 0 }],
    [6, 2, 7, { planned: 8, missed: true, shortfall: 1 }],
    [0, 0, 0, { planned: 0, missed: false, shortfall: 0 }],
    [null, 3, 0, { planned: null, missed: null, shortfall: null }],
  ])('target %p, re-entered %p, exited %p', (target, reentered, exited, verdict) => {
    expect(countyVerdict(target, reentered, exited)).toEqual(verdict);
  });

  it('the interview names the plan, the re-entered people and the shortfall', () => {
    expect(interviewReason(2017, '开平市', 6, 2, 5)).toBe(
      '开平市未完成2017年度减贫任务：计划脱贫8人（年度目标6人，含因灾返贫纳入2人），实际脱贫5人，差3人。依据“对未完成年度减贫任务的市(区)要对党政主要领导进行约谈”，约谈其党政主要领导。',
    );
  });
});

describe('a disaster as recorded', () => {
  const towns = new Set(['440781109', '440783108']);

  it('is valid with current towns inside the jurisdiction and a date up to today', () => {
    expect(disasterProblems({ date: '2017-09-01', affectedTowns: ['440781109', '440783108'] }, '2017-09-01', towns, '440700')).toEqual([]);
  });

  it('names every problem', () => {
    expect(disasterProblems({ date: '2017-09-02', affectedTowns: ['440781109'] }, '2017-09-01', towns, '440700')).toEqual(['2017-09-02 is in the future (today is 2017-09-01)']);
    expect(disasterProblems({ date: '2017-02-30', affectedTowns: ['440781109'] }, '2017-09-01', towns, '440700')).toEqual(['2017-02-30 is not a calendar date']);
    expect(disasterProblems({ date: '2017-08-01', affectedTowns: ['440781109', '440781109', '440781999', '440783108'] }, '2017-09-01', towns, '440781')).toEqual([
      'given twice: 440781109',
      'not a current town: 440781999',
      'outside your jurisdiction 440781: 440783108',
    ]);
  });
});

describe('a run as a user sees it', () => {
  const counties = [
    { code: '440705', outcome: 'assessed' },
    { code: '440781', outcome: 'assessed' },
    { code: '440783', outcome: 'failed' },
    { code: '440785', outcome: 'failed' },
  ];
  const run = { id: 'r1', status: 'failed', error: countiesFailedError(['440783', '440785']), counties };

  it('shows a city user everything', () => {
    expect(runSeenFrom(run, '440700')).toBe(run);
  });

  it('shows a county its own outcome, and an error naming only itself', () => {
    expect(runSeenFrom(run, '440781')).toEqual({ id: 'r1', status: 'failed', error: null, counties: [{ code: '440781', outcome: 'assessed' }] });
    expect(runSeenFrom(run, '440783')).toEqual({ id: 'r1', status: 'failed', error: '1 county(ies) failed: 440783', counties: [{ code: '440783', outcome: 'failed' }] });
  });

  it('shows a town no county outcome', () => {
    expect(runSeenFrom(run, '440781109')).toMatchObject({ counties: [], error: null });
  });

  it('leaves an error of the whole run (no per-county result) to everyone', () => {
    const early = { id: 'r2', status: 'failed', error: 'No rules are configured for 2017 or any year before', counties: null };
    expect(runSeenFrom(early, '440781')).toBe(early);
  });
});
