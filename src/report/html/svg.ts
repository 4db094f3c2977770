/**
 * Inline SVG charts drawn in TypeScript, so validation.html needs no script and no
 * network. Sizes are in SVG user units (px at 100% zoom).
 */
export interface Series {
  name: string;
  colour: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Log scale on x (latency CDFs span decades). */
  logX?: boolean;
  /** Shown instead of the chart when no series has points. */
  emptyText?: string;
}

const WIDTH = 640;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 28, bottom: 44 };

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

export function lineChart(options: LineChartOptions): string {
  const all = options.series.flatMap((series) => series.points);
  const head = open(options.title);
  if (all.length === 0) {
    return `${head}${text(WIDTH / 2, HEIGHT / 2, options.emptyText ?? 'no data', 'middle')}</svg>`;
  }
  const fx = (x: number) => (options.logX ? Math.log10(Math.max(x, 1e-3)) : x);
  const xs = all.map(([x]) => fx(x));
  const ys = all.map(([, y]) => y);
  // Linear axes start at 0 (time since the trial's start, counts, percentages) and end at
  // a round number, never at -1..1 around a series that is all 0; log x spans the data.
  const [x0, x1] = options.logX
    ? padRange(Math.min(...xs), Math.max(...xs))
    : axisRange(Math.min(0, ...xs), Math.max(...xs));
  const [y0, y1] = axisRange(Math.min(0, ...ys), Math.max(...ys));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((fx(x) - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const parts = [head, axes(plotW, plotH)];

  // Ticks: 5 on y; on x, 5 linear or one per decade on a log axis.
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    parts.push(text(MARGIN.left - 6, sy(y) + 4, tick(y), 'end'));
  }
  const xTicks = options.logX
    ? decades(x0, x1)
    : Array.from({ length: 5 }, (_, i) => x0 + ((x1 - x0) * i) / 4);
  for (const x of xTicks) {
    const px = options.logX ? MARGIN.left + ((Math.log10(x) - x0) / (x1 - x0)) * plotW : sx(x);
    parts.push(text(px, HEIGHT - MARGIN.bottom + 16, tick(x), 'middle'));
  }
  parts.push(text(MARGIN.left + plotW / 2, HEIGHT - 6, options.xLabel, 'middle'));
  const midY = MARGIN.top + plotH / 2;
  parts.push(
    `<text x="14" y="${midY}" transform="rotate(-90 14 ${midY})"` +
      ` text-anchor="middle" class="label">${escapeXml(options.yLabel)}</text>`,
  );

  options.series.forEach((series, index) => {
    if (series.points.length === 0) return;
    const d = series.points
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join('');
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<path d="${d}" fill="none" stroke="${series.colour}" stroke-width="2"${dash}>` +
        `<title>${escapeXml(series.name)}</title></path>`,
    );
    const ly = MARGIN.top + 4 + index * 16;
    parts.push(
      `<rect x="${WIDTH - 170}" y="${ly}" width="12" height="4" fill="${series.colour}" />`,
    );
    parts.push(text(WIDTH - 152, ly + 6, series.name, 'start'));
  });
  return `${parts.join('')}</svg>`;
}

export interface Bar {
  label: string;
  segments: Array<{ name: string; value: number; colour: string }>;
}

/** Horizontal stacked bars (one per side), e.g. the p50 of each stage in ms. */
export function stackedBars(title: string, unit: string, bars: Bar[]): string {
  const total = Math.max(...bars.map((bar) => bar.segments.reduce((s, g) => s + g.value, 0)), 0);
  const head = open(title);
  if (total <= 0) return `${head}${text(WIDTH / 2, HEIGHT / 2, 'no data', 'middle')}</svg>`;
  const left = 110;
  const plotW = WIDTH - left - 24;
  const parts = [head];
  bars.forEach((bar, row) => {
    const y = MARGIN.top + 20 + row * 70;
    parts.push(text(left - 8, y + 26, bar.label, 'end'));
    let x = left;
    for (const segment of bar.segments) {
      const w = (segment.value / total) * plotW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 0.5).toFixed(1)}" ` +
          `height="40" fill="${segment.colour}"><title>${escapeXml(
            `${segment.name}: ${segment.value.toFixed(1)} ${unit}`,
          )}</title></rect>`,
      );
      x += w;
    }
    parts.push(
      text(x + 4, y + 26, `${tick(bar.segments.reduce((s, g) => s + g.value, 0))}`, 'start'),
    );
  });
  bars[0]?.segments.forEach((segment, index) => {
    // 105 px per entry: five entries ("startDelay (ms)" the longest) fit the 640 px width.
    const x = left + index * 105;
    const y = HEIGHT - 24;
    parts.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${segment.colour}" />`);
    parts.push(text(x + 16, y + 10, `${segment.name} (${unit})`, 'start'));
  });
  return `${parts.join('')}</svg>`;
}

function open(title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${MARGIN.left}" y="18" class="title">${escapeXml(title)}</text>`
  );
}

function axes(plotW: number, plotH: number): string {
  const x = MARGIN.left;
  const y = MARGIN.top + plotH;
  return `<path d="M${x},${MARGIN.top}V${y}H${x + plotW}" fill="none" stroke="#888" />`;
}

function text(x: number, y: number, content: string, anchor: string): string {
  return (
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}">` +
    `${escapeXml(content)}</text>`
  );
}

function padRange(low: number, high: number): [number, number] {
  if (high > low) return [low, high];
  return [low - 1, high + 1];
}

/** From `low` (0 for non-negative data) to a round number at or above `high`. */
export function axisRange(low: number, high: number): [number, number] {
  return [low, low + niceCeil(high - low)];
}

/**
 * The smallest of 1, 2, 4, 8 or 10 times a power of ten that is at least `span` (1 for an
 * empty span), so the four tick steps are round: 0.25, 0.5, 1, 2 or 2.5 of that power.
 */
export function niceCeil(span: number): number {
  if (!(span > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(span));
  const factor = [1, 2, 4, 8, 10].find((f) => f * power >= span * (1 - 1e-12)) ?? 10;
  return factor * power;
}

function decades(x0: number, x1: number): number[] {
  const result: number[] = [];
  for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) result.push(10 ** e);
  return result.length > 0 ? result : [10 ** x0];
}

function tick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  // Round axes give whole ticks: "1", not "1.00".
  if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
  return value.toFixed(abs >= 10 ? 1 : 2);
}
