import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { StepDefinition } from '../../api/types';
import { I18nProvider } from '../../i18n/i18n';
import { MappingEditor } from './MappingEditor';
import { defaultMapping, mappingRequest, stepKeys } from './step-mapping';

const task = (label: string): StepDefinition => ({ label, role: 'officer', level: 'town', actions: {} });

/** Version 1 and version 2: `support` renamed `supportPlan`, a region step kept, `registered` kept. */
const V1 = {
  steps: {
    propose: task('拟选对象'),
    support: task('精准扶持'),
    confirm: { label: '会签', type: 'parallel' as const, regions: { civil: { initial: 'civilCheck', steps: { civilCheck: task('民政核查') } } } },
    registered: { label: '建档立卡', type: 'final' as const },
  },
};
const V2 = {
  steps: {
    propose: task('拟选对象'),
    supportPlan: task('帮扶计划'),
    confirm: { label: '会签', type: 'parallel' as const, regions: { civil: { initial: 'civilCheck', steps: { civilCheck: task('民政核查') } } } },
    registered: { label: '建档立卡', type: 'final' as const },
  },
};

describe('the step mapping of a migration', () => {
  it('starts with every old step (regions included) on the new step of the same key, and none where there is no such step', () => {
    expect(stepKeys(V1)).toEqual(['propose', 'support', 'confirm', 'civilCheck', 'registered']);
    expect(defaultMapping(V1, V2)).toEqual({ propose: 'propose', support: '', confirm: 'confirm', civilCheck: 'civilCheck', registered: 'registered' });
  });

  it('sends only the steps mapped elsewhere: same keys map by themselves, unmapped ones are not named', () => {
    expect(mappingRequest({ ...defaultMapping(V1, V2), support: 'supportPlan' })).toEqual({ support: 'supportPlan' });
    expect(mappingRequest(defaultMapping(V1, V2))).toEqual({});
  });

  it('shows the defaults in the editor, the step without a counterpart marked', () => {
    render(
      <I18nProvider locale="zh-CN">
        <MappingEditor mapping={defaultMapping(V1, V2)} targets={stepKeys(V2)} labels={(_, key) => key.toUpperCase()} onChange={() => undefined} />
      </I18nProvider>,
    );
    const rows = within(screen.getByTestId('mapping-editor')).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      'PROPOSE (propose)PROPOSE (propose)',
      'SUPPORT (support)（无对应环节）无对应：停在此环节的案件不能迁移',
      'CONFIRM (confirm)CONFIRM (confirm)',
      'CIVILCHECK (civilCheck)CIVILCHECK (civilCheck)',
      'REGISTERED (registered)REGISTERED (registered)',
    ]);
  });
});
