import { entryLine, exitThreshold, type RuleFigure, type YearlyRules } from '../rules/yearly-rules.js';
import { perCapitaIncome, REGISTER_STATUS_LABELS, type RegisterStatus } from './household-file.js';

/**
 * The entry (识别) and exit (退出) decisions for a household and a year, explained line by
 * line (pure). The figures come from the year's rules — the same rules the case shell
 * hands the workflows' guards (src/rules/rules.service.ts guardParams), computed the same
 * way (src/rules/yearly-rules.ts entryLine / exitThreshold), so the explanation and the
 * guards decide alike:
 *
 * - entry (poverty-entry `propose.submit`): per-capita income below the line (5,040 for
 *   rural households of the low-line counties, else 6,600), at least one member able to
 *   work (otherwise dibao covers the household: 低保兜底), and the household's consent.
 *   The file adds one precondition the guard cannot see: the household is not registered yet.
 * - exit (poverty-exit `propose.submit`): per-capita income at or above the exit standard
 *   (rural: ruralExitRatio × the city's rural mean income; urban: urbanExitRatio × the urban
 *   dibao standard) and every item of the year's 两不愁三保障 checklist; the household must
 *   be registered (or re-entered).
 */
export interface HouseholdFacts {
  /** The household's county (6 digits). */
  county: string;
  rural: boolean;
  registerStatus: RegisterStatus;
  dibao: boolean;
  consent: boolean | null;
  members: ReadonlyArray<{ labourAbility: boolean }>;
  /** The amounts (yuan) of the year's income records. */
  incomes: readonly number[];
  /** The year's checklist answers; null when none was recorded. */
  checklist: Readonly<Record<string, boolean>> | null;
}

export interface DecisionLine {
  rule: string;
  label: string;
  labelEn: string;
  /** The household's value. */
  figure: number | boolean | string | null;
  /** What it is compared with, and how. */
  comparison: '<' | '>=' | '==' | '>=1' | 'in';
  threshold: number | boolean | string | string[];
  pass: boolean;
  /** One sentence in Chinese, then the same in English. */
  explanation: string;
  explanationEn: string;
}

export interface Decision {
  /** Every line passes. */
  pass: boolean;
  lines: DecisionLine[];
}

export interface EligibilityReport {
  year: number;
  /** The year whose rules were used (earlier than `year` when carried forward). */
  rulesYear: number;
  memberCount: number;
  totalIncome: number | null;
  perCapitaIncome: number | null;
  entry: Decision;
  exit: Decision;
  /** Facts that inform but do not decide (dibao, placeholder figures, carried-forward rules). */
  notes: { note: string; noteEn: string }[];
}

const yuan = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

export function explainEligibility(facts: HouseholdFacts, rules: YearlyRules, year: number): EligibilityReport {
  const income = perCapitaIncome(facts.incomes, facts.members.length);
  const perCapita = income?.perCapita ?? null;
  const status = REGISTER_STATUS_LABELS[facts.registerStatus];

  // Entry.
  const line = entryLine(rules, facts.rural, facts.county);
  const lowLine = facts.rural && rules.lowLineCounties.includes(facts.county);
  const lineName = lowLine ? '农村低线（台山、开平、恩平农村）' : '相对贫困线';
  const lineNameEn = lowLine ? 'the rural low line (rural Taishan, Kaiping, Enping)' : 'the relative poverty line';
  const able = facts.members.filter((m) => m.labourAbility).length;
  const entry: DecisionLine[] = [
    {
      rule: 'status',
      label: '建档状态',
      labelEn: 'Registration status',
      figure: facts.registerStatus,
      comparison: '==',
      threshold: 'none',
      pass: facts.registerStatus === 'none',
      explanation: facts.registerStatus === 'none' ? '尚未建档立卡，可以申报识别。' : `已是“${status.label}”，不再申报识别。`,
      explanationEn: facts.registerStatus === 'none' ? 'Not registered yet: it can be proposed.' : `Already ${status.labelEn.toLowerCase()}: no new registration.`,
    },
    incomeLine(perCapita, year, '<', line, `${lineName}${yuan(line)}元`, `${lineNameEn} of ${yuan(line)} yuan`, perCapita !== null && perCapita < line),
    {
      rule: 'labourAbility',
      label: '劳动能力',
      labelEn: 'Labour ability',
      figure: able,
      comparison: '>=1',
      threshold: 1,
      pass: able >= 1,
      explanation: able >= 1 ? `家庭有${able}名有劳动能力的成员。` : '家庭成员均无劳动能力，由低保兜底，不纳入精准扶贫帮扶程序。',
      explanationEn:
        able >= 1
          ? `${able} member${able === 1 ? ' is' : 's are'} able to work.`
          : 'No member is able to work: dibao covers the household (低保兜底); it is not in the support procedure.',
    },
    {
      rule: 'consent',
      label: '自愿接受帮扶',
      labelEn: 'Consent',
      figure: facts.consent,
      comparison: '==',
      threshold: true,
      pass: facts.consent === true,
      explanation: facts.consent === true ? '本户自愿接受帮扶。' : facts.consent === false ? '本户不愿接受帮扶。' : '尚未登记本户是否自愿接受帮扶。',
      explanationEn: facts.consent === true ? 'The household consents.' : facts.consent === false ? 'The household declined support.' : 'Consent has not been recorded.',
    },
  ];

  // Exit.
  const threshold = exitThreshold(rules, facts.rural);
  const shown = Math.round(threshold * 100) / 100;
  const standard = facts.rural
    ? [`全市农村居民人均可支配收入${yuan(rules.ruralMeanIncome)}元的${percent(rules.ruralExitRatio)}（${yuan(shown)}元）`, `${percent(rules.ruralExitRatio)} of the city's rural per-capita disposable income of ${yuan(rules.ruralMeanIncome)} yuan (${yuan(shown)} yuan)`]
    : [`城镇低保标准${yuan(rules.urbanDibaoStandard)}元的${percent(rules.urbanExitRatio)}（${yuan(shown)}元）`, `${percent(rules.urbanExitRatio)} of the urban dibao standard of ${yuan(rules.urbanDibaoStandard)} yuan (${yuan(shown)} yuan)`];
  const exitable = facts.registerStatus === 'registered' || facts.registerStatus === 'reentered';
  const exit: DecisionLine[] = [
    {
      rule: 'status',
      label: '建档状态',
      labelEn: 'Registration status',
      figure: facts.registerStatus,
      comparison: 'in',
      threshold: ['registered', 'reentered'],
      pass: exitable,
      explanation: exitable ? `现为“${status.label}”，可以申报退出。` : `现为“${status.label}”，无需办理退出。`,
      explanationEn: exitable ? `${status.labelEn}: an exit can be proposed.` : `${status.labelEn}: there is nothing to exit from.`,
    },
    incomeLine(perCapita, year, '>=', threshold, standard[0], standard[1], perCapita !== null && perCapita >= threshold, shown),
    ...rules.checklist.map((item): DecisionLine => {
      const answer = facts.checklist?.[item.key];
      return {
        rule: `checklist.${item.key}`,
        label: item.label,
        labelEn: item.labelEn,
        figure: answer ?? null,
        comparison: '==',
        threshold: true,
        pass: answer === true,
        explanation: answer === true ? `${item.label}：已核实。` : answer === false ? `${item.label}：未达到。` : `${item.label}：${year}年尚未核查。`,
        explanationEn: answer === true ? `${item.labelEn}: confirmed.` : answer === false ? `${item.labelEn}: not met.` : `${item.labelEn}: not checked for ${year}.`,
      };
    }),
  ];

  const notes: EligibilityReport['notes'] = [
    facts.dibao
      ? { note: '本户为低保户（有劳动能力的低保户是重点帮扶对象）。', noteEn: 'The household receives dibao (dibao households able to work are the key targets).' }
      : { note: '本户不是低保户。', noteEn: 'The household does not receive dibao.' },
  ];
  if (rules.year !== year) {
    notes.push({ note: `${year}年未设定规则，沿用${rules.year}年的数值。`, noteEn: `No rules are set for ${year}; those of ${rules.year} apply.` });
  }
  const placeholders = rules.placeholders.filter((figure) => (USED_FIGURES as readonly string[]).includes(figure));
  if (placeholders.length > 0) {
    notes.push({
      note: `以下数值为占位数值，待管理员录入当年正式数值：${placeholders.map((f) => FIGURE_LABELS[f][0]).join('、')}。`,
      noteEn: `These figures are placeholders until an administrator enters the year's official value: ${placeholders.map((f) => FIGURE_LABELS[f][1]).join(', ')}.`,
    });
  }
  return {
    year,
    rulesYear: rules.year,
    memberCount: facts.members.length,
    totalIncome: income?.total ?? null,
    perCapitaIncome: perCapita,
    entry: { pass: entry.every((l) => l.pass), lines: entry },
    exit: { pass: exit.every((l) => l.pass), lines: exit },
    notes,
  };
}

function incomeLine(
  perCapita: number | null,
  year: number,
  comparison: '<' | '>=',
  threshold: number,
  thresholdText: string,
  thresholdTextEn: string,
  pass: boolean,
  shownThreshold = threshold,
): DecisionLine {
  const base = { rule: 'income', label: '人均可支配收入', labelEn: 'Per-capita disposable income', figure: perCapita, comparison, threshold: shownThreshold, pass };
  if (perCapita === null) {
    return { ...base, explanation: `${year}年没有收入记录（或没有家庭成员），无法计算人均可支配收入。`, explanationEn: `No income recorded for ${year} (or no members): the per-capita income is unknown.` };
  }
  const below = comparison === '<';
  const holds = below ? '低于' : '达到';
  const fails = below ? '不低于' : '未达到';
  return {
    ...base,
    explanation: `${year}年人均可支配收入${yuan(perCapita)}元，${pass ? holds : fails}${thresholdText}。`,
    explanationEn: `Per-capita disposable income in ${year}: ${yuan(perCapita)} yuan, ${pass ? (below ? 'below' : 'at or above') : below ? 'not below' : 'below'} ${thresholdTextEn}.`,
  };
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 10000) / 100}%`;
}

const USED_FIGURES = ['povertyLine', 'ruralLowLine', 'lowLineCounties', 'urbanDibaoStandard', 'urbanExitRatio', 'ruralMeanIncome', 'ruralExitRatio'] as const;

const FIGURE_LABELS: Record<RuleFigure, [string, string]> = {
  povertyLine: ['相对贫困线', 'the poverty line'],
  ruralLowLine: ['农村低线', 'the rural low line'],
  lowLineCounties: ['适用低线的县（市、区）', 'the low-line counties'],
  urbanDibaoStandard: ['城镇低保标准', 'the urban dibao standard'],
  urbanExitRatio: ['城镇退出比例', 'the urban exit ratio'],
  ruralMeanIncome: ['全市农村居民人均可支配收入', "the city's rural per-capita disposable income"],
  ruralExitRatio: ['农村退出比例', 'the rural exit ratio'],
  villageCollectiveIncomeTarget: ['村集体可支配收入目标', 'the village collective income target'],
};
