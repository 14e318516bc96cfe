import { collectVarPaths } from '../engine/guard-expression.js';
import { actionBranches } from '../engine/return-to.js';
import type { ActionDefinition } from '../engine/workflow-definition.js';

/**
 * The year's figures of the poverty-alleviation rules (pure). Seed: the relative poverty
 * line (6,600 yuan; 5,040 for rural households of 台山、开平、恩平), the exit standard (urban:
 * ≥ 150% of the year's urban dibao standard; rural: ≥ 45% of the city's rural per-capita
 * disposable income; 两不愁三保障) and the village collective-income targets. They are
 * configuration per year (`yearly_rules`), edited by administrators; the workflows' guards
 * and the households' eligibility explanation both read them from there.
 */
export interface ChecklistItem {
  /** The name of the check in a household's yearly checklist and in poverty-exit's form. */
  key: string;
  label: string;
  labelEn: string;
}

export interface YearlyRules {
  year: number;
  /** Relative poverty line: annual per-capita disposable income, yuan. */
  povertyLine: number;
  /** The lower line for rural households of the low-line counties. */
  ruralLowLine: number;
  lowLineCounties: string[];
  /** Urban dibao (最低生活保障) standard, yuan per person per year. */
  urbanDibaoStandard: number;
  urbanExitRatio: number;
  /** The city's rural per-capita disposable income of the year, yuan. */
  ruralMeanIncome: number;
  ruralExitRatio: number;
  /** 两不愁三保障: every item must hold for an exit. */
  checklist: ChecklistItem[];
  /** Each village committee's disposable collective income target, yuan; null when none was set. */
  villageCollectiveIncomeTarget: number | null;
  /** Figures that are placeholders until an administrator enters the year's official value. */
  placeholders: RuleFigure[];
}

/** The figures a rule set holds, by the name the workflows' guards read them as (`params.*`). */
export const RULE_FIGURES = [
  'povertyLine',
  'ruralLowLine',
  'lowLineCounties',
  'urbanDibaoStandard',
  'urbanExitRatio',
  'ruralMeanIncome',
  'ruralExitRatio',
  'villageCollectiveIncomeTarget',
] as const;
export type RuleFigure = (typeof RULE_FIGURES)[number];

export const DEFAULT_CHECKLIST: readonly ChecklistItem[] = [
  { key: 'foodAndClothing', label: '不愁吃、不愁穿', labelEn: 'Food and clothing secure' },
  { key: 'compulsoryEducation', label: '义务教育有保障', labelEn: 'Compulsory education guaranteed' },
  { key: 'basicMedical', label: '基本医疗有保障', labelEn: 'Basic medical care guaranteed' },
  { key: 'housingSafety', label: '住房安全有保障', labelEn: 'Housing safety guaranteed' },
];

/** The poverty line a household is measured against: 5,040 for rural households of a low-line county, else 6,600. */
export function entryLine(rules: Pick<YearlyRules, 'povertyLine' | 'ruralLowLine' | 'lowLineCounties'>, rural: boolean, county: string): number {
  return rural && rules.lowLineCounties.includes(county) ? rules.ruralLowLine : rules.povertyLine;
}

/**
 * The exit threshold: rural households ≥ ruralExitRatio × the city's rural mean income,
 * urban ones ≥ urbanExitRatio × the urban dibao standard. Computed exactly as poverty-exit's
 * guard computes it (`{'*': [a, b]}` multiplies from 1, in this order), so the explanation
 * and the guard agree to the last bit of the floating-point product.
 */
export function exitThreshold(rules: Pick<YearlyRules, 'urbanDibaoStandard' | 'urbanExitRatio' | 'ruralMeanIncome' | 'ruralExitRatio'>, rural: boolean): number {
  const factors = rural ? [rules.ruralMeanIncome, rules.ruralExitRatio] : [rules.urbanDibaoStandard, rules.urbanExitRatio];
  return factors.reduce((product, n) => product * n, 1);
}

/** The rules as the guards' `params.*`, limited to the names asked for. */
export function ruleParams(rules: YearlyRules, names: Iterable<string>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const name of names) {
    if ((RULE_FIGURES as readonly string[]).includes(name)) {
      const value = rules[name as RuleFigure];
      if (value !== null) params[name] = Array.isArray(value) ? [...value] : value;
    }
  }
  return params;
}

/**
 * The rule figures an action's guard and branch conditions read (`params.<figure>`): only
 * those are looked up and recorded in the action's event, so actions that read none (most
 * of them) cost no query and carry no params.
 */
export function ruleFiguresRead(action: ActionDefinition): string[] {
  const names = new Set<string>();
  const expressions = [action.guard, ...actionBranches(action).map((branch) => branch.when)];
  for (const expression of expressions) {
    if (expression === undefined) continue;
    for (const path of collectVarPaths(expression)) {
      const [root, name] = path.split('.');
      if (root === 'params' && name && (RULE_FIGURES as readonly string[]).includes(name)) names.add(name);
    }
  }
  return [...names];
}

/** The calendar year of an instant in China (Asia/Shanghai, UTC+8 without daylight saving). */
export function chinaYear(at: Date): number {
  return new Date(at.getTime() + 8 * 3_600_000).getUTCFullYear();
}
