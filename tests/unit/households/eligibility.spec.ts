import { explainEligibility, type HouseholdFacts } from '../../../src/households/eligibility.js';
import { DEFAULT_CHECKLIST, type YearlyRules } from '../../../src/rules/yearly-rules.js';

/** The migration's 2017 rules. */
const RULES_2017: YearlyRules = {
  year: 2017,
  povertyLine: 6600,
  ruralLowLine: 5040,
  lowLineCounties: ['440781', '440783', '440785'],
  urbanDibaoStandard: 7560,
  urbanExitRatio: 1.5,
  ruralMeanIncome: 15218,
  ruralExitRatio: 0.45,
  checklist: [...DEFAULT_CHECKLIST],
  villageCollectiveIncomeTarget: 180000,
  placeholders: ['urbanDibaoStandard', 'ruralMeanIncome'],
};

const TAISHAN = '440781';
const XINHUI = '440705';
const ALL_CHECKS = { foodAndClothing: true, compulsoryEducation: true, basicMedical: true, housingSafety: true };

/** A household of three with the given per-capita income (the year's records sum to three times it). */
function household(overrides: Partial<HouseholdFacts> & { perCapita?: number } = {}): HouseholdFacts {
  const { perCapita = 4000, ...rest } = overrides;
  const total = perCapita * 3;
  return {
    county: TAISHAN,
    rural: true,
    registerStatus: 'none',
    dibao: true,
    consent: true,
    members: [{ labourAbility: true }, { labourAbility: true }, { labourAbility: false }],
    incomes: [total - 1000, 1000],
    checklist: null,
    ...rest,
  };
}

const line = (report: ReturnType<typeof explainEligibility>['entry'], rule: string) => report.lines.find((l) => l.rule === rule)!;

describe('entry: per-capita income below the line, able to work, consenting', () => {
  const cases: Array<[string, string, boolean, number, boolean, number]> = [
    // description, county, rural, per-capita, eligible, the line applied
    ['rural 台山 just below the low line', TAISHAN, true, 5039, true, 5040],
    ['rural 台山 at the low line', TAISHAN, true, 5040, false, 5040],
    ['rural 台山 between the two lines', TAISHAN, true, 6599, false, 5040],
    ['urban 台山 below the poverty line', TAISHAN, false, 6599, true, 6600],
    ['urban 台山 at the poverty line', TAISHAN, false, 6600, false, 6600],
    ['urban 台山 above the poverty line', TAISHAN, false, 6601, false, 6600],
    ['rural 新会 (not a low-line county) at 5,039', XINHUI, true, 5039, true, 6600],
    ['rural 新会 at 5,040', XINHUI, true, 5040, true, 6600],
    ['rural 新会 at 6,599', XINHUI, true, 6599, true, 6600],
    ['rural 新会 at the poverty line', XINHUI, true, 6600, false, 6600],
    ['rural 新会 above the poverty line', XINHUI, true, 6601, false, 6600],
    ['urban 新会 at 6,599', XINHUI, false, 6599, true, 6600],
    ['urban 新会 at 6,600', XINHUI, false, 6600, false, 6600],
  ];
  it.each(cases)('%s', (_description, county, rural, perCapita, eligible, applied) => {
    const report = explainEligibility(household({ county, rural, perCapita }), RULES_2017, 2017);
    expect(report.perCapitaIncome).toBe(perCapita);
    expect(line(report.entry, 'income')).toMatchObject({ figure: perCapita, threshold: applied, comparison: '<', pass: eligible });
    expect(report.entry.pass).toBe(eligible);
  });

  it('refuses a household without labour ability whatever its income (低保兜底), and says so', () => {
    const report = explainEligibility(household({ perCapita: 3000, members: [{ labourAbility: false }, { labourAbility: false }, { labourAbility: false }] }), RULES_2017, 2017);
    expect(line(report.entry, 'income').pass).toBe(true);
    expect(line(report.entry, 'labourAbility')).toMatchObject({ figure: 0, pass: false });
    expect(line(report.entry, 'labourAbility').explanation).toContain('低保兜底');
    expect(report.entry.pass).toBe(false);
  });

  it('counts the members able to work', () => {
    const report = explainEligibility(household({ perCapita: 3000 }), RULES_2017, 2017);
    expect(line(report.entry, 'labourAbility')).toMatchObject({ figure: 2, pass: true, explanationEn: '2 members are able to work.' });
  });

  it('needs the consent and a household not registered yet', () => {
    expect(explainEligibility(household({ consent: null }), RULES_2017, 2017).entry.pass).toBe(false);
    expect(explainEligibility(household({ consent: false }), RULES_2017, 2017).entry.pass).toBe(false);
    const registered = explainEligibility(household({ registerStatus: 'registered' }), RULES_2017, 2017);
    expect(line(registered.entry, 'status')).toMatchObject({ pass: false, explanation: '已是“建档立卡”，不再申报识别。' });
  });

  it('explains the income line in Chinese and English', () => {
    const report = explainEligibility(household({ county: TAISHAN, rural: true, perCapita: 5039 }), RULES_2017, 2017);
    expect(line(report.entry, 'income').explanation).toBe('2017年人均可支配收入5,039元，低于农村低线（台山、开平、恩平农村）5,040元。');
    expect(line(report.entry, 'income').explanationEn).toBe(
      'Per-capita disposable income in 2017: 5,039 yuan, below the rural low line (rural Taishan, Kaiping, Enping) of 5,040 yuan.',
    );
  });

  it('has no per-capita figure without income records', () => {
    const report = explainEligibility(household({ incomes: [] }), RULES_2017, 2017);
    expect(report.perCapitaIncome).toBeNull();
    expect(line(report.entry, 'income')).toMatchObject({ figure: null, pass: false });
    expect(report.entry.pass).toBe(false);
  });
});

describe('exit: the income standard of the household kind and 两不愁三保障', () => {
  const registered = { registerStatus: 'registered' as const, checklist: ALL_CHECKS };
  const cases: Array<[string, boolean, number, boolean, number]> = [
    // urban: 150% of 7,560 = 11,340; rural: 45% of 15,218 = 6,848.1 (the low-line counties do not matter)
    ['urban below 150% of the dibao standard', false, 11339.99, false, 11340],
    ['urban at 150% of the dibao standard', false, 11340, true, 11340],
    ['urban above', false, 11341, true, 11340],
    ['rural below 45% of the rural mean income', true, 6848.09, false, 6848.1],
    ['rural at 45%', true, 6848.1, true, 6848.1],
    ['rural above', true, 6849, true, 6848.1],
    ['rural at the entry poverty line: still poor by the exit standard', true, 6600, false, 6848.1],
  ];
  it.each(cases)('%s', (_description, rural, perCapita, exits, threshold) => {
    const report = explainEligibility(household({ ...registered, rural, perCapita }), RULES_2017, 2017);
    expect(line(report.exit, 'income')).toMatchObject({ figure: perCapita, threshold, comparison: '>=', pass: exits });
    expect(report.exit.pass).toBe(exits);
  });

  it('needs every item of the checklist', () => {
    const report = explainEligibility(household({ ...registered, rural: false, perCapita: 12000, checklist: { ...ALL_CHECKS, housingSafety: false } }), RULES_2017, 2017);
    expect(line(report.exit, 'checklist.housingSafety')).toMatchObject({ figure: false, pass: false, explanation: '住房安全有保障：未达到。' });
    expect(report.exit.pass).toBe(false);
    const unchecked = explainEligibility(household({ ...registered, rural: false, perCapita: 12000, checklist: null }), RULES_2017, 2017);
    expect(line(unchecked.exit, 'checklist.basicMedical').explanationEn).toBe('Basic medical care guaranteed: not checked for 2017.');
  });

  it('is for registered or re-entered households only', () => {
    expect(explainEligibility(household({ registerStatus: 'none', checklist: ALL_CHECKS, perCapita: 12000 }), RULES_2017, 2017).exit.pass).toBe(false);
    expect(explainEligibility(household({ registerStatus: 'reentered', checklist: ALL_CHECKS, perCapita: 12000 }), RULES_2017, 2017).exit.pass).toBe(true);
  });

  it('decides with and without labour ability alike (the standard is about income and 两不愁三保障)', () => {
    const unable = explainEligibility(household({ ...registered, perCapita: 7000, members: [{ labourAbility: false }] }), RULES_2017, 2017);
    expect(unable.exit.pass).toBe(true);
  });
});

describe('notes', () => {
  it('names placeholder figures and rules carried forward from an earlier year', () => {
    const report = explainEligibility(household(), RULES_2017, 2019);
    expect(report.rulesYear).toBe(2017);
    expect(report.notes.map((n) => n.noteEn)).toEqual([
      'The household receives dibao (dibao households able to work are the key targets).',
      'No rules are set for 2019; those of 2017 apply.',
      "These figures are placeholders until an administrator enters the year's official value: the urban dibao standard, the city's rural per-capita disposable income.",
    ]);
  });
});
