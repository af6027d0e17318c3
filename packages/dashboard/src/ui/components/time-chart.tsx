import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** CSS colour of the line. */
  readonly colour: string;
  /** Formats a value for the legend and the axis: with its unit. */
  readonly format: (value: number) => string;
  /** Which y axis: the left ('y') or the right ('y2'). */
  readonly scale?: 'y' | 'y2';
}

/**
 * A time-series chart (uPlot): `times` in seconds since the epoch. The
 * chart is created once per mount and fed new data in place, so a live
 * page does not flicker; it follows its container's width.
 */
export function TimeChart({ title, times, series, height = 180 }: { title: string; times: readonly number[]; series: readonly ChartSeries[]; height?: number }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = [times as number[], ...series.map((s) => s.values as (number | null)[])] as uPlot.AlignedData;
  const latest = useRef(data);
  latest.current = data;
  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    let cancelled = false;
    let resize: ResizeObserver | undefined;
    // uPlot is loaded when the first chart is drawn: pages without charts do not pay for it.
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled) return;
    const axisColour = getComputedStyle(element).getPropertyValue('--fg-muted').trim() || '#888';
    const gridColour = getComputedStyle(element).getPropertyValue('--grid').trim() || 'rgba(128,128,128,0.2)';
    const hasRight = series.some((s) => s.scale === 'y2');
    const formatOf = (scale: 'y' | 'y2') => series.find((s) => (s.scale ?? 'y') === scale)?.format ?? String;
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      series: [
        {},
        ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, scale: s.scale ?? 'y', value: (_u: uPlot, v: number | null) => (v === null ? '—' : s.format(v)) })),
      ],
      axes: [
        { stroke: axisColour, grid: { stroke: gridColour } },
        { stroke: axisColour, grid: { stroke: gridColour }, size: 84, values: (_u, values) => values.map((v) => formatOf('y')(v)) },
        ...(hasRight ? [{ side: 1 as const, scale: 'y2', stroke: axisColour, grid: { show: false }, size: 84, values: (_u: uPlot, values: number[]) => values.map((v) => formatOf('y2')(v)) }] : []),
      ],
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      legend: { live: true },
    };
      chart.current = new UPlot(options, latest.current, element);
      resize = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(240, element.clientWidth), height }));
      resize.observe(element);
    });
    return () => {
      cancelled = true;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // The chart is rebuilt only when its series change shape; data changes go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series.length, height, title]);
  useEffect(() => {
    chart.current?.setData(data);
  });
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} role="img" aria-label={`${title}: ${times.length} points`} />
    </figure>
  );
}
