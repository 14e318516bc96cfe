import { describe, expect, it } from 'vitest';
import type { OverdueReport, PlanProgress } from '../../api/types';
import { complete, escalationRows, monthToDate, overdueChartOption, overdueRows, overdueTasksIn, planRows } from './dashboard-data';

const task = (taskId: string, jurisdictionCode: string) =>
  ({ taskId, caseId: `c-${taskId}`, title: taskId, workflow: { key: 'poverty-entry', label: '识别' }, step: { key: 'propose', label: '拟选对象', entry: 1 }, jurisdictionCode, jurisdictionName: null, dueAt: '', dueAtText: '', overdue: { seconds: 1, days: 3, text: '' } }) as OverdueReport['items'][number];

const report: OverdueReport = {
  now: '2026-05-01T00:00:00Z',
  jurisdictionCode: '440700',
  total: 5,
  items: [task('a', '440781109'), task('b', '440781109201'), task('c', '440783100')],
  summary: {
    byCounty: [
      { code: '440781', name: '台山市', count: 3 },
      { code: '440783', name: '开平市', count: 2 },
    ],
    byTown: [
      { code: '440781109', name: '端芬镇', count: 2 },
      { code: '440783100', name: '塘口镇', count: 2 },
      { code: '440781100', name: null, count: 1 },
    ],
  },
};

describe('the dashboard data', () => {
  it('shows the API counts per county, then the towns of the county picked', () => {
    expect(overdueRows(report)).toEqual([
      { code: '440781', name: '台山市', count: 3 },
      { code: '440783', name: '开平市', count: 2 },
    ]);
    expect(overdueRows(report, '440781')).toEqual([
      { code: '440781109', name: '端芬镇', count: 2 },
      { code: '440781100', name: '440781100', count: 1 },
    ]);
  });

  it('drills down to the overdue cases of a town (its villages included) and says when the list is cut', () => {
    expect(overdueTasksIn(report, '440781109').map((t) => t.taskId)).toEqual(['a', 'b']);
    expect(complete(report)).toBe(false);
    expect(complete({ ...report, total: 3 })).toBe(true);
  });

  it('charts the most overdue at the top (ECharts draws categories from the bottom)', () => {
    const option = overdueChartOption(overdueRows(report), '逾期');
    expect(option.yAxis.data).toEqual(['开平市', '台山市']);
    expect(option.series[0].data).toEqual([2, 3]);
  });

  it('lists the plan per county, and per town for a town user who has no county row', () => {
    const figures = { target: 814, exitedPeople: 400, exitedCases: 120, pipelinePeople: 30, pipelineCases: 10, overdueTasks: 2, percentage: 49.1, expectedByNow: 450, behind: true };
    const progress = { year: 2016, asOf: '', elapsedShare: 0.55, scope: { code: '440700', name: '江门市' }, total: figures, counties: [{ code: '440781', name: '台山市', ...figures }], towns: [{ code: '440781109', name: '端芬镇', countyCode: '440781', ...figures, target: null }] } as PlanProgress;
    expect(planRows(progress)).toEqual([{ code: '440781', name: '台山市', target: 814, exitedPeople: 400, expectedByNow: 450, percentage: 49.1, behind: true, pipelinePeople: 30, overdueTasks: 2 }]);
    expect(planRows({ ...progress, counties: [] }).map((r) => [r.name, r.target])).toEqual([['端芬镇', null]]);
  });

  it('keeps the units with escalations, most first, and counts the month in Beijing dates', () => {
    const rows = escalationRows({
      title: '',
      period: { from: '2026-05-01', to: '2026-05-20' },
      units: [
        { code: '440781', name: '台山市', overdue: 4, stillOpen: 2, escalations: 1, towns: [] },
        { code: '440783', name: '开平市', overdue: 9, stillOpen: 5, escalations: 3, towns: [] },
        { code: '440785', name: '恩平市', overdue: 1, stillOpen: 0, escalations: 0, towns: [] },
      ],
    });
    expect(rows.map((r) => [r.name, r.escalations])).toEqual([['开平市', 3], ['台山市', 1]]);
    expect(monthToDate(new Date('2026-05-31T16:30:00Z'))).toEqual({ from: '2026-06-01', to: '2026-06-01' });
  });
});
