/**
 * A small SVG chart generator: grouped bars and lines over categories, on a linear or
 * logarithmic axis, with a title, axis label, ticks, grid, legend and value labels. Written
 * for the benchmark report, so it needs no chart library.
 */
import { num } from './format.js';

export interface Series {
  name: string;
  /** One value per category; null where there is none. */
  values: Array<number | null>;
}

export interface ChartSpec {
  title: string;
  /** The y axis: what is measured, with its unit. */
  yLabel: string;
  /** Under the x axis (line charts), or nothing. */
  xLabel?: string;
  /** Category labels; `\n` breaks a label into lines. */
  categories: string[];
  series: Series[];
  log?: boolean;
  /** Horizontal lines across the plot, such as a target. */
  references?: Array<{ value: number; label: string }>;
}

const WIDTH = 760;
const HEIGHT = 400;
const PLOT = { left: 78, right: 20, top: 78, bottom: 76 };
// Okabe–Ito: distinguishable with every common kind of colour blindness.
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function barChart(spec: ChartSpec): string {
  const frame = new Frame(spec);
  const groupWidth = frame.width / spec.categories.length;
  const barWidth = Math.min(56, (groupWidth * 0.8) / spec.series.length);
  const parts: string[] = [];
  spec.series.forEach((series, s) => {
    series.values.forEach((value, c) => {
      if (value === null || !frame.shows(value)) return;
      const x =
        PLOT.left +
        groupWidth * c +
        (groupWidth - barWidth * spec.series.length) / 2 +
        barWidth * s;
      const y = frame.y(value);
      const bottom = frame.y(frame.floor);
      const middle = x + (barWidth - 2) / 2;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${Math.max(0.5, bottom - y).toFixed(1)}" fill="${color(s)}"><title>${escape(`${series.name}, ${spec.categories[c]}: ${num(value)}`)}</title></rect>`,
        // Narrow bars get their value written upwards, so that neighbours' labels never overlap.
        barWidth < 30
          ? `<text transform="translate(${(middle + 3).toFixed(1)} ${(y - 3).toFixed(1)}) rotate(-90)" font-size="10" fill="#222">${escape(num(value))}</text>`
          : text(middle, y - 3, num(value), 'middle', 10),
      );
    });
  });
  return frame.render(parts, (c) => PLOT.left + groupWidth * (c + 0.5));
}

export function lineChart(spec: ChartSpec): string {
  const frame = new Frame(spec);
  const step = frame.width / spec.categories.length;
  const xOf = (c: number) => PLOT.left + step * (c + 0.5);
  const parts: string[] = [];
  spec.series.forEach((series, s) => {
    const points = series.values.flatMap((value, c) =>
      value === null || !frame.shows(value) ? [] : [[xOf(c), frame.y(value), value] as const],
    );
    parts.push(
      `<polyline fill="none" stroke="${color(s)}" stroke-width="2" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`,
    );
    // Value labels only where there is room for them: few lines of few points.
    const labelled = spec.categories.length <= 8 && spec.series.length <= 4;
    for (const [x, y, value] of points) {
      parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${color(s)}"/>`);
      if (labelled) parts.push(text(x + 5, y - 6, num(value), 'start', 10, color(s)));
    }
  });
  return frame.render(parts, xOf);
}

/** Scale, axes, grid, legend and labels: what bar and line charts share. */
class Frame {
  readonly width = WIDTH - PLOT.left - PLOT.right;
  private readonly height = HEIGHT - PLOT.top - PLOT.bottom;
  readonly floor: number;
  private readonly ceiling: number;

  constructor(private readonly spec: ChartSpec) {
    const values = [
      ...spec.series.flatMap((s) => s.values),
      ...(spec.references ?? []).map((r) => r.value),
    ].filter((v): v is number => v !== null && (!spec.log || v > 0));
    const max = Math.max(...values, spec.log ? 1 : 0);
    if (spec.log) {
      this.floor = 10 ** Math.floor(Math.log10(Math.min(...values, max)));
      this.ceiling = 10 ** Math.ceil(Math.log10(max * 1.6));
    } else {
      this.floor = 0;
      this.ceiling = niceCeiling(max * 1.2);
    }
  }

  shows(value: number): boolean {
    return !this.spec.log || value > 0;
  }

  y(value: number): number {
    const share = this.spec.log
      ? (Math.log10(value) - Math.log10(this.floor)) /
        (Math.log10(this.ceiling) - Math.log10(this.floor))
      : (value - this.floor) / (this.ceiling - this.floor);
    return PLOT.top + this.height * (1 - share);
  }

  private ticks(): number[] {
    if (this.spec.log) {
      const ticks: number[] = [];
      for (let t = this.floor; t <= this.ceiling * 1.0001; t *= 10) ticks.push(t);
      return ticks;
    }
    const step = this.ceiling / 5;
    return Array.from({ length: 6 }, (_, i) => i * step);
  }

  render(plot: string[], xOfCategory: (c: number) => number): string {
    const bottom = PLOT.top + this.height;
    const right = PLOT.left + this.width;
    const out: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} font-size="12">`,
      `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
      text(WIDTH / 2, 22, this.spec.title, 'middle', 15, '#111', 'bold'),
    ];
    for (const tick of this.ticks()) {
      const y = this.y(tick);
      out.push(
        `<line x1="${PLOT.left}" x2="${right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e3e3e3"/>`,
        text(PLOT.left - 6, y + 4, num(tick), 'end', 11, '#444'),
      );
    }
    out.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${bottom}" stroke="#333"/>`,
      `<line x1="${PLOT.left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
      `<text transform="translate(18 ${PLOT.top + this.height / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escape(this.spec.yLabel + (this.spec.log ? ' (log scale)' : ''))}</text>`,
    );
    const perLine = Math.max(6, Math.floor(this.width / this.spec.categories.length / 6.2));
    this.spec.categories.forEach((label, c) => {
      wrap(label, perLine).forEach((line, i) => {
        out.push(text(xOfCategory(c), bottom + 16 + i * 14, line, 'middle', 11, '#222'));
      });
    });
    if (this.spec.xLabel)
      out.push(
        text(PLOT.left + this.width / 2, HEIGHT - 8, this.spec.xLabel, 'middle', 12, '#222'),
      );
    out.push(...plot);
    for (const ref of this.spec.references ?? []) {
      const y = this.y(ref.value);
      out.push(
        `<line x1="${PLOT.left}" x2="${right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#C00000" stroke-dasharray="6 4" stroke-width="1.5"/>`,
        text(right - 4, y - 5, ref.label, 'end', 11, '#C00000'),
      );
    }
    out.push(...this.legend(), '</svg>');
    return `${out.join('\n')}\n`;
  }

  /** One row (or two) of swatches under the title. */
  private legend(): string[] {
    const out: string[] = [];
    let x = PLOT.left;
    let y = 44;
    this.spec.series.forEach((series, s) => {
      const width = 22 + series.name.length * 6.4;
      if (x + width > WIDTH - PLOT.right) {
        x = PLOT.left;
        y += 16;
      }
      out.push(
        `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${color(s)}"/>`,
        text(x + 16, y + 1, series.name, 'start', 11.5, '#222'),
      );
      x += width + 10;
    });
    return out;
  }
}

/** A label's lines: its own `\n` breaks, then words wrapped at `width` characters. */
function wrap(label: string, width: number): string[] {
  return label.split('\n').flatMap((line) => {
    const lines: string[] = [];
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + 1 + word.length > width) {
        lines.push(current);
        current = word;
      } else {
        current = current ? `${current} ${word}` : word;
      }
    }
    return [...lines, current];
  });
}

function color(index: number): string {
  return COLORS[index % COLORS.length] as string;
}

/** 1, 2 or 5 times a power of ten, at or above `value`. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}

function text(
  x: number,
  y: number,
  content: string,
  anchor: 'start' | 'middle' | 'end',
  size: number,
  fill = '#222',
  weight = 'normal',
): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${anchor}" font-size="${size}" fill="${fill}" font-weight="${weight}">${escape(content)}</text>`;
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
