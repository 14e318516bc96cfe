import { describe, expect, it } from 'vitest';
import type { HistoryEntry, WorkflowDefinition } from '../../api/types';
import { dataFields, dataOrder, progressSteps } from './definition-labels';

// Keys deliberately out of flow order, as jsonb returns them.
const DEFINITION: WorkflowDefinition = {
  key: 'w',
  version: 1,
  label: 'W',
  titleField: 'name',
  start: { role: 'officer', level: 'town', fields: { name: { type: 'string', label: '户主' } } },
  initial: 'propose',
  steps: {
    done: { label: '完成', type: 'final' },
    review: {
      label: '审核',
      actions: {
        back: { label: '退回', kind: 'return', returnTo: ['propose'], fields: { reason: { type: 'text', label: '退回原因' } } },
        ok: { label: '通过', kind: 'approve', target: 'done' },
      },
    },
    propose: { label: '申报', actions: { submit: { label: '提交', kind: 'submit', target: 'review', fields: { income: { type: 'number', label: '收入' } } } } },
  },
};

describe('reading a definition for the case page', () => {
  it('orders the progress bar by the flow, not by the keys, without end states', () => {
    expect(progressSteps(DEFINITION).map((s) => s.key)).toEqual(['propose', 'review']);
  });

  it('names every data field, the step chosen by a return included', () => {
    const fields = dataFields(DEFINITION);
    expect(Object.keys(fields).sort()).toEqual(['income', 'name', 'reason', 'returnStep']);
    expect(fields.returnStep.optionLabels).toEqual({ propose: '申报' });
  });

  it('lists the data in the order it was entered, the household name first', () => {
    const history = [
      { seq: 1, eventType: 'started', payload: { data: { name: '陈' } } },
      { seq: 2, eventType: 'action', payload: { input: { income: 1 } } },
      { seq: 3, eventType: 'action', payload: { input: { reason: 'x' } } },
    ] as unknown as HistoryEntry[];
    expect(dataOrder({ reason: 'x', income: 1, name: '陈', extra: 2 }, history, 'name')).toEqual(['name', 'income', 'reason', 'extra']);
  });
});
