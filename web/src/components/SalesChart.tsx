import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useMemo } from 'react';
import type { SalesInterval, SalesPoint } from '../api/types';
import { useFormat } from '../i18n/format';
import { useEChart } from './useEChart';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface SalesChartLabels {
  placed: string;
  paid: string;
  cumulative: string;
  chart: string;
}

/**
 * A campaign's sales over time: units placed and paid per interval as bars, paid units so far as a
 * line. This module (and ECharts) loads only with the operator's campaign detail; the table beside
 * it carries the same numbers. Updating the data keeps the chart, so a refresh every few seconds
 * does not flicker.
 */
export default function SalesChart({
  points,
  interval,
  labels,
}: {
  points: SalesPoint[];
  interval: SalesInterval;
  labels: SalesChartLabels;
}) {
  const f = useFormat();
  const option = useMemo(() => {
    const at = (iso: string) =>
      interval === 'second'
        ? f.clockTime(iso)
        : interval === 'minute'
          ? f.time(Date.parse(iso))
          : interval === 'hour'
            ? f.dateTime(iso)
            : f.date(iso);
    let running = 0;
    const cumulative = points.map((p) => (running += p.paidUnits));
    return {
      color: ['#f97316', '#15803d', '#1d4ed8'],
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: unknown) => f.number(Number(v)) },
      xAxis: { type: 'category', data: points.map((p) => at(p.at)) },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: (v: number) => f.number(v) } },
      series: [
        { type: 'bar', name: labels.placed, data: points.map((p) => p.placedUnits), barMaxWidth: 24 },
        { type: 'bar', name: labels.paid, data: points.map((p) => p.paidUnits), barMaxWidth: 24 },
        { type: 'line', name: labels.cumulative, data: cumulative, smooth: false, symbolSize: 6 },
      ],
    };
  }, [points, interval, labels, f]);
  const ref = useEChart(option);

  return <div ref={ref} className="chart sales-chart" role="img" aria-label={labels.chart} />;
}
