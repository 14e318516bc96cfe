import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { OverdueTask } from '../../api/types';
import { I18nProvider } from '../../i18n/i18n';
import { OverdueCases, overdueKey } from './OverdueCases';

const base = {
  title: '陈大明',
  workflow: { key: 'poverty-entry', label: '贫困户识别' },
  jurisdictionCode: '440781109',
  jurisdictionName: '台山市端芬镇',
  dueAt: '2026-03-30T09:30:00.000Z',
  dueAtText: '2026-03-30 17:30',
  overdue: { seconds: 86_400, days: 1, text: '1天' },
};
const task: OverdueTask = { ...base, kind: 'task', taskId: 't1', caseId: 'case-a', step: { key: 'propose', label: '拟选对象', entry: 1 }, waitingFor: null };
const call: OverdueTask = {
  ...base,
  kind: 'call',
  taskId: null,
  caseId: 'case-b',
  step: { key: 'investigation', label: '异议调查', entry: 1 },
  waitingFor: { caseId: 'child-c', title: '陈大明', workflow: { key: 'objection-investigation', label: '异议调查核实' }, status: 'active', steps: [{ key: 'determination', label: '认定' }] },
};

describe('the overdue cases of a town', () => {
  it('links every row to its case, and a call step also to the case it waits for', () => {
    render(
      <I18nProvider locale="zh-CN">
        <MemoryRouter>
          <OverdueCases tasks={[task, call]} partial={false} />
        </MemoryRouter>
      </I18nProvider>,
    );
    const rows = within(screen.getByTestId('overdue-cases')).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByRole('link', { name: '陈大明' })).toHaveAttribute('href', '/cases/case-a');
    expect(within(rows[0]).queryByTestId('overdue-waits-for')).toBeNull();

    expect(within(rows[1]).getByRole('link', { name: '陈大明' })).toHaveAttribute('href', '/cases/case-b');
    expect(rows[1]).toHaveTextContent('异议调查');
    expect(within(rows[1]).getByTestId('overdue-waits-for')).toHaveTextContent('等待办结：异议调查核实（现处 认定）');
    expect(within(rows[1]).getByRole('link', { name: '异议调查核实' })).toHaveAttribute('href', '/cases/child-c');
  });

  it('keys a call step, which has no task, by its case, step and visit', () => {
    expect(overdueKey(task)).toBe('t1');
    expect(overdueKey(call)).toBe('case-b:investigation:1');
  });
});
