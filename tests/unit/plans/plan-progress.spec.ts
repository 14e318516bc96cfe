import { elapsedShare, planYearBounds, targetStanding } from '../../../src/plans/plan-progress.js';

describe('the plan year', () => {
  it('runs from 1 January to 1 January in Beijing time', () => {
    expect(planYearBounds(2017)).toEqual({ start: new Date('2016-12-31T16:00:00Z'), end: new Date('2017-12-31T16:00:00Z') });
  });

  it('is 0 gone before it starts, 182 days gone on 2 July, all gone after it', () => {
    expect(elapsedShare(2017, new Date('2016-12-31T15:59:59Z'))).toBe(0);
    expect(elapsedShare(2017, new Date('2016-12-31T16:00:00Z'))).toBe(0);
    expect(elapsedShare(2017, new Date('2017-07-01T16:00:00Z'))).toBeCloseTo(182 / 365, 10);
    expect(elapsedShare(2017, new Date('2017-12-31T16:00:00Z'))).toBe(1);
    expect(elapsedShare(2017, new Date('2019-01-01T00:00:00Z'))).toBe(1);
  });
});

describe('standing against the target', () => {
  it('is behind below the target times the share of the year gone by', () => {
    // 1,000 people, a quarter of the year gone: 250 expected.
    expect(targetStanding(1000, 249, 0.25)).toEqual({ percentage: 24.9, expectedByNow: 250, behind: true });
    expect(targetStanding(1000, 250, 0.25)).toEqual({ percentage: 25, expectedByNow: 250, behind: false });
    expect(targetStanding(1222, 0, 0)).toEqual({ percentage: 0, expectedByNow: 0, behind: false });
  });

  it('after the year, is behind below the target itself', () => {
    expect(targetStanding(1222, 1221, 1)).toEqual({ percentage: 99.9, expectedByNow: 1222, behind: true });
    expect(targetStanding(1222, 1300, 1)).toEqual({ percentage: 106.4, expectedByNow: 1222, behind: false });
  });

  it('says nothing without a target', () => {
    expect(targetStanding(null, 12, 0.5)).toEqual({ percentage: null, expectedByNow: null, behind: null });
    expect(targetStanding(0, 0, 1)).toEqual({ percentage: null, expectedByNow: 0, behind: false });
  });

  it('does not call a unit behind for floating-point dust', () => {
    // 0.1 + 0.2 of a year: 300.00000000000006 expected of 1,000.
    expect(targetStanding(1000, 300, 0.1 + 0.2)).toMatchObject({ expectedByNow: 300, behind: false });
  });
});
