import * as echarts from 'echarts/core';
import { useEffect, useRef } from 'react';

/**
 * An ECharts instance on the returned element's ref: made when the element is there and `option`
 * is not null, given each new `option` (merged into the last, so a refresh does not flicker; with
 * `replace`, the option replaces the last, e.g. when series come and go), resized with the window
 * and disposed on unmount. Each chart module registers the ECharts parts it draws with.
 *
 * @example const ref = useEChart(useMemo(() => ({ series: [{ type: 'bar', data }] }), [data]));
 * return <div ref={ref} className="chart" role="img" aria-label={label} />;
 */
export function useEChart(option: echarts.EChartsCoreOption | null, options: { replace?: boolean } = {}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const replace = options.replace ?? false;

  useEffect(() => {
    const resize = () => chart.current?.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!option || !ref.current) return;
    if (chart.current && chart.current.getDom() !== ref.current) {
      chart.current.dispose();
      chart.current = null;
    }
    chart.current ??= echarts.init(ref.current, undefined, { renderer: 'canvas' });
    chart.current.setOption(option, { notMerge: replace });
  }, [option, replace]);

  return ref;
}
