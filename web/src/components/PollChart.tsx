import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import { useFormat } from '../i18n/format';
import { useEChart } from './useEChart';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const COLORS = ['#c2410c', '#1d4ed8', '#15803d', '#a16207', '#7c3aed', '#be185d', '#0e7490', '#4d7c0f'];

export interface PollChartSeries {
  name: string;
  data: number[];
}

/**
 * A poll's counts as horizontal bars, one bar per option (and per group when broken down); this
 * module (and ECharts) loads only with the results. The table beside it carries the same numbers.
 */
export default function PollChart({ options, series, label }: { options: string[]; series: PollChartSeries[]; label: string }) {
  const f = useFormat();
  const option = useMemo(() => {
    const legend = series.length > 1;
    return {
      color: COLORS,
      grid: { left: 8, right: 24, top: legend ? 36 : 8, bottom: 8, containLabel: true },
      legend: legend ? { top: 0, type: 'scroll' } : undefined,
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        renderMode: 'richText',
        valueFormatter: (v: unknown) => f.number(Number(v)),
      },
      xAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => f.number(v) } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: options,
        axisLabel: { width: 120, overflow: 'truncate' },
      },
      series: series.map((s) => ({
        type: 'bar',
        name: s.name,
        data: s.data,
        barMaxWidth: 28,
        label: { show: !legend, position: 'right', formatter: (p: { value: number }) => f.number(p.value) },
      })),
    };
  }, [options, series, f]);
  // Series come and go with the breakdown: each option replaces the last.
  const ref = useEChart(option, { replace: true });

  const height = Math.max(160, options.length * Math.max(1, series.length) * 30 + (series.length > 1 ? 60 : 20));
  return <div ref={ref} className="chart poll-chart" style={{ height }} role="img" aria-label={label} />;
}
