/** @jsxImportSource hono/jsx */

/**
 * A bar chart of a share by quarter, drawn on the server as inline SVG: it shows without JavaScript, and
 * nothing is fetched to draw it. A quarter whose share cannot be told is left as a gap, labelled "n/a".
 */
export interface ChartPoint {
  label: string;
  /** 0..1, or null when not known. */
  share: number | null;
}

export function ShareChart(props: { id: string; title: string; description: string; points: ChartPoint[] }) {
  const { points } = props;
  const width = Math.max(320, 60 + points.length * 34);
  const height = 240;
  const left = 44;
  const top = 12;
  const plotHeight = 160;
  const step = points.length ? (width - left - 8) / points.length : 0;
  const barWidth = Math.max(6, Math.min(26, step - 6));
  const every = Math.max(1, Math.ceil(points.length / 16));
  const y = (share: number) => top + plotHeight - share * plotHeight;
  return (
    <svg
      class="chart"
      id={props.id}
      role="img"
      aria-labelledby={`${props.id}-title ${props.id}-desc`}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id={`${props.id}-title`}>{props.title}</title>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <g>
          <line class="grid" x1={left} x2={width - 4} y1={y(t)} y2={y(t)} stroke-dasharray={t === 0 ? undefined : '2 3'} />
          <text x={left - 6} y={y(t) + 4} text-anchor="end">{`${Math.round(t * 100)}%`}</text>
        </g>
      ))}
      {points.map((p, i) => {
        const x = left + i * step + (step - barWidth) / 2;
        return (
          <g>
            {p.share === null ? (
              <text x={x + barWidth / 2} y={y(0) - 4} text-anchor="middle" class="na">n/a</text>
            ) : (
              <rect class="bar" x={x} y={y(p.share)} width={barWidth} height={Math.max(0.5, p.share * plotHeight)}>
                <title>{`${p.label}: ${(p.share * 100).toFixed(1)}%`}</title>
              </rect>
            )}
            {i % every === 0 ? (
              <text x={x + barWidth / 2} y={top + plotHeight + 14} text-anchor="end" transform={`rotate(-45 ${x + barWidth / 2} ${top + plotHeight + 14})`}>
                {p.label}
              </text>
            ) : null}
          </g>
        );
      })}
      <line class="axis" x1={left} x2={width - 4} y1={y(0)} y2={y(0)} />
    </svg>
  );
}
