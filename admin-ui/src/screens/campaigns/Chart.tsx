import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount, formatMoney, minorDigits } from '../../format';
import type { Snap } from '../../live';

export type Metric = 'spend' | 'impressions' | 'clicks' | 'leads';

/** A time series of one campaign's snapshots (cumulative numbers as the platform reports them). */
export function SnapshotChart({ snaps, currency, metric, height = 220 }: { snaps: Snap[]; currency: string; metric: Metric; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const data = (): uPlot.AlignedData => {
    const xs = snaps.map((s) => Date.parse(s.capturedAt) / 1000);
    const div = 10 ** minorDigits(currency);
    const ys = snaps.map((s) =>
      metric === 'spend' ? s.spendCents / div : metric === 'impressions' ? s.impressions : metric === 'clicks' ? s.clicks : s.leads,
    );
    return [xs, ys];
  };

  const enough = snaps.length >= 2;
  useEffect(() => {
    const el = box.current;
    if (!el || !enough) return;
    const fmt = (v: number) => (metric === 'spend' ? formatMoney(Math.round(v * 10 ** minorDigits(currency)), currency) : formatCount(v));
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height,
      padding: [12, 12, 0, 4],
      legend: { show: false },
      cursor: { y: false, points: { size: 7 } },
      scales: { x: { time: true } },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e2e8f0' } },
        { stroke: '#64748b', grid: { stroke: '#eef1f5' }, ticks: { show: false }, size: 64, values: (_u, vals) => vals.map(fmt) },
      ],
      series: [
        {},
        {
          label: metric,
          stroke: '#2563eb',
          width: 2,
          fill: 'rgba(37, 99, 235, 0.08)',
          points: { show: snaps.length < 30 },
          value: (_u, v) => (v == null ? '—' : fmt(v)),
        },
      ],
    };
    plot.current = new uPlot(opts, data(), el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 280), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [metric, currency, height, enough]);

  useEffect(() => {
    plot.current?.setData(data());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snaps]);

  if (!enough) {
    return (
      <figure className="chart chart-waiting">
        <figcaption className="muted">The chart fills in as the platform reports numbers (every minute or so).</figcaption>
      </figure>
    );
  }
  return (
    <figure className="chart">
      <div ref={box} className="chart-box" role="img" aria-label={`${metric} over time, ${snaps.length} points`} />
    </figure>
  );
}
