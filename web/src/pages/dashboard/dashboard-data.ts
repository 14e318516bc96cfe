import type { CircularReport, OverdueReport, OverdueTask, PlanProgress } from '../../api/types';

/** One bar of the overdue chart and one row of its table. */
export interface OverdueRow {
  code: string;
  name: string;
  count: number;
}

/**
 * The overdue counts the API reports, at the level looked at: per county (no county
 * chosen), or per town of the chosen county. The numbers are the API's summary as is
 * (it counts every overdue task, not only the page of items), most overdue first.
 */
export function overdueRows(report: OverdueReport, county?: string): OverdueRow[] {
  const counts = county ? report.summary.byTown.filter((row) => row.code.startsWith(county)) : report.summary.byCounty;
  return counts.map((row) => ({ code: row.code, name: row.name ?? row.code, count: row.count }));
}

/** The overdue tasks (of the page the API sent) owned inside a division: the drill-down to the cases. */
export function overdueTasksIn(report: OverdueReport, code: string): OverdueTask[] {
  return report.items.filter((item) => item.jurisdictionCode.startsWith(code));
}

/** Whether the tasks listed for a division are all of them (the API sends at most `limit` items). */
export function complete(report: OverdueReport): boolean {
  return report.items.length >= report.total;
}

/** The bar chart's option (ECharts): divisions on the category axis, the most overdue at the top. */
export function overdueChartOption(rows: readonly OverdueRow[], seriesName: string) {
  const ordered = [...rows].reverse();
  return {
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' as const },
    xAxis: { type: 'value' as const, minInterval: 1 },
    yAxis: { type: 'category' as const, data: ordered.map((row) => row.name) },
    series: [{ name: seriesName, type: 'bar' as const, data: ordered.map((row) => row.count), itemStyle: { color: '#d4380d' }, label: { show: true, position: 'right' as const } }],
  };
}

export interface PlanRow {
  code: string;
  name: string;
  target: number | null;
  exitedPeople: number;
  expectedByNow: number | null;
  percentage: number | null;
  behind: boolean | null;
  pipelinePeople: number;
  overdueTasks: number;
}

/** The 2:3:5 plan per county (or per town, for a town's user, who has no county row). */
export function planRows(progress: PlanProgress): PlanRow[] {
  const units = progress.counties.length > 0 ? progress.counties : progress.towns;
  return units.map((unit) => ({
    code: unit.code,
    name: unit.name,
    target: unit.target,
    exitedPeople: unit.exitedPeople,
    expectedByNow: unit.expectedByNow,
    percentage: unit.percentage,
    behind: unit.behind,
    pipelinePeople: unit.pipelinePeople,
    overdueTasks: unit.overdueTasks,
  }));
}

/** The escalations fired in the period per county (or unit), those with none left out. */
export function escalationRows(report: CircularReport): { code: string; name: string; escalations: number; stillOpen: number }[] {
  return report.units
    .filter((unit) => unit.escalations > 0)
    .map((unit) => ({ code: unit.code, name: unit.name ?? unit.code, escalations: unit.escalations, stillOpen: unit.stillOpen }))
    .sort((a, b) => b.escalations - a.escalations || a.code.localeCompare(b.code));
}

/** The month so far in Beijing dates, the period of the circular the dashboard shows. */
export function monthToDate(now: Date): { from: string; to: string } {
  const beijing = new Date(now.getTime() + 8 * 3_600_000);
  const to = beijing.toISOString().slice(0, 10);
  return { from: `${to.slice(0, 8)}01`, to };
}
