import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import { useFormat } from '../i18n/format';
import { useEChart } from './useEChart';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface EarningsChartLabels {
  net: string;
  cumulative: string;
  chart: string;
}

/** One day's net earnings, in minor units of `currency`. */
export interface EarningsPoint {
  day: string;
  amount: number;
}

/**
 * A party's net earnings per day as bars, and its earnings so far as a line. This module (and
 * ECharts) loads only with an earnings page; the table beside it carries the same numbers.
 */
export default function EarningsChart({
  points,
  currency,
  labels,
}: {
  points: EarningsPoint[];
  currency: string;
  labels: EarningsChartLabels;
}) {
  const f = useFormat();
  const option = useMemo(() => {
    const money = (minor: number) => f.money({ amount: Math.round(minor), currency });
    let running = 0;
    const cumulative = points.map((p) => (running += p.amount));
    return {
      color: ['#15803d', '#c2410c'],
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: unknown) => money(Number(v)) },
      // The days are UTC calendar days: shown as that day wherever the reader is.
      xAxis: { type: 'category', data: points.map((p) => f.date(`${p.day}T00:00:00`)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => money(v) } },
      series: [
        { type: 'bar', name: labels.net, data: points.map((p) => p.amount), barMaxWidth: 24 },
        { type: 'line', name: labels.cumulative, data: cumulative, smooth: false, symbolSize: 6 },
      ],
    };
  }, [points, currency, labels, f]);
  const ref = useEChart(option);

  return <div ref={ref} className="chart earnings-chart" role="img" aria-label={labels.chart} />;
}
