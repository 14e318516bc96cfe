import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { overdueChartOption, type OverdueRow } from './dashboard-data';

// Only the bar chart and what it needs: the chart chunk stays small, and loads with the dashboard only.
echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export default function OverdueChart({ rows, seriesName, onPick }: { rows: OverdueRow[]; seriesName: string; onPick?(code: string): void }) {
  return (
    <ReactEChartsCore
      echarts={echarts}
      option={overdueChartOption(rows, seriesName)}
      notMerge
      style={{ height: Math.max(160, rows.length * 36 + 40), width: '100%' }}
      onEvents={{
        click: (event: { dataIndex: number }) => {
          const row = [...rows].reverse()[event.dataIndex];
          if (row && onPick) onPick(row.code);
        },
      }}
    />
  );
}
