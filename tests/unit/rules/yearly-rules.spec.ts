import { chinaYear, exitThreshold, ruleFiguresRead, ruleParams, type YearlyRules } from '../../../src/rules/yearly-rules.js';
import { loadSeedDefinition } from '../../support/seed-workflows.js';

describe('ruleFiguresRead: the rule figures an action’s guard reads', () => {
  it('finds the lines in poverty-entry’s proposal and the exit standard in poverty-exit’s', () => {
    const entry = loadSeedDefinition('poverty-entry');
    const exit = loadSeedDefinition('poverty-exit');
    expect(ruleFiguresRead(entry.steps.propose.actions!.submit).sort()).toEqual(['lowLineCounties', 'povertyLine', 'ruralLowLine']);
    expect(ruleFiguresRead(exit.steps.propose.actions!.submit).sort()).toEqual(['ruralExitRatio', 'ruralMeanIncome', 'urbanDibaoStandard', 'urbanExitRatio']);
  });
  it('finds none where the guard reads other params (the notice period) or no guard exists', () => {
    const entry = loadSeedDefinition('poverty-entry');
    expect(ruleFiguresRead(entry.steps.publicNotice.actions!.conclude)).toEqual([]);
    expect(ruleFiguresRead(entry.steps.appraisal.actions!.record)).toEqual([]);
  });
});

describe('ruleParams', () => {
  const rules = { year: 2017, povertyLine: 7000, ruralLowLine: 5040, lowLineCounties: ['440781'], villageCollectiveIncomeTarget: null } as unknown as YearlyRules;
  it('gives only the figures asked for, and nothing for names that are not figures', () => {
    expect(ruleParams(rules, ['povertyLine', 'lowLineCounties', 'noticePeriodDays', 'villageCollectiveIncomeTarget'])).toEqual({ povertyLine: 7000, lowLineCounties: ['440781'] });
  });
});

describe('exitThreshold', () => {
  it('multiplies as the guard does', () => {
    const rules = { urbanDibaoStandard: 7560, urbanExitRatio: 1.5, ruralMeanIncome: 15218, ruralExitRatio: 0.45 };
    expect(exitThreshold(rules, false)).toBe(11340);
    expect(exitThreshold(rules, true)).toBe(6848.1);
  });
});

describe('chinaYear', () => {
  it('turns the year at midnight in Beijing, not in UTC', () => {
    expect(chinaYear(new Date('2017-12-31T15:59:59Z'))).toBe(2017);
    expect(chinaYear(new Date('2017-12-31T16:00:00Z'))).toBe(2018);
  });
});
