import { describe, expect, it } from 'vitest';
import { enUS, zhCN } from './messages';
import { hasKey, missingKey, translate } from './i18n';

describe('the message tables', () => {
  it('have the same keys in Chinese and English, none of them empty', () => {
    expect(Object.keys(enUS).sort()).toEqual(Object.keys(zhCN).sort());
    expect(Object.entries(zhCN).filter(([, text]) => !text.trim())).toEqual([]);
    expect(Object.entries(enUS).filter(([, text]) => !text.trim())).toEqual([]);
  });

  it('fill in {names} and show a key without a text as the sentinel the end-to-end tests look for', () => {
    expect(translate('zh-CN', 'deadline.workingLeft', { days: 3 })).toBe('剩余 3 个工作日');
    expect(translate('en-US', 'deadline.workingLeft', { days: 3 })).toBe('3 working days left');
    expect(translate('zh-CN', 'caseStatus.nonsense')).toBe('⟦caseStatus.nonsense⟧');
    expect(missingKey('x')).toBe('⟦x⟧');
    expect(hasKey('caseStatus.active')).toBe(true);
    expect(hasKey('toString')).toBe(false);
  });
});
