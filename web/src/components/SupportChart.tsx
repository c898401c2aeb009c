import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import type { Supporter } from '../api/types';
import { useFormat } from '../i18n/format';
import { ErrorNotice, Loading } from './Async';
import { useEChart } from './useEChart';

echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

const MAX_PAGES = 20;

/** Supports over time, drawn with ECharts; this module (and ECharts) loads only when asked for. */
export default function SupportChart({ needId }: { needId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [supporters, setSupporters] = useState<Supporter[]>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the retry
  useEffect(() => {
    let live = true;
    setError(undefined);
    (async () => {
      const all: Supporter[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = await api.needs.supporters(needId, { limit: 100, cursor });
        all.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (live) setSupporters(all);
    })().catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [needId, tick]);

  const option = useMemo(() => {
    if (!supporters) return null;
    const sorted = [...supporters].sort((a, b) => a.supportedAt.localeCompare(b.supportedAt));
    const points = sorted.map((s, i) => [s.supportedAt, i + 1]);
    // Within two days the axis shows times of day, beyond that dates.
    const span = sorted.length ? Date.parse(sorted[sorted.length - 1]!.supportedAt) - Date.parse(sorted[0]!.supportedAt) : 0;
    const short = span < 2 * 86_400_000;
    return {
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        renderMode: 'richText',
        valueFormatter: (v: unknown) => f.number(Number(v)),
      },
      xAxis: { type: 'time', axisLabel: { formatter: (v: number) => (short ? f.time(v) : f.date(new Date(v).toISOString())) } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'line', name: t('chart.supports'), step: 'end', data: points, areaStyle: { opacity: 0.15 }, color: '#c2410c' },
      ],
    };
  }, [supporters, f, t]);
  const ref = useEChart(option);

  if (error !== undefined) return <ErrorNotice error={error} onRetry={() => setTick((n) => n + 1)} />;
  if (!supporters) return <Loading />;
  if (supporters.length === 0) return <p className="empty">{t('chart.empty')}</p>;
  return <div ref={ref} className="chart" role="img" aria-label={t('chart.label', { count: supporters.length })} />;
}
