/** A reliability diagram as a small self-contained SVG (no script, no external references). */
import type { Bin } from './calibration.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function reliabilitySvg(title: string, bins: readonly Bin[], stats: string): string {
  const size = 320;
  const pad = 40;
  const plot = size - 2 * pad;
  const x = (v: number) => pad + v * plot;
  const y = (v: number) => size - pad - v * plot;
  const total = bins.reduce((s, b) => s + b.n, 0) || 1;
  const bars = bins
    .filter((b) => b.n > 0)
    .map((b) => {
      const w = (b.hi - b.lo) * plot - 2;
      const h = (b.observed * plot).toFixed(1);
      return `<rect x="${(x(b.lo) + 1).toFixed(1)}" y="${y(b.observed).toFixed(1)}" width="${w.toFixed(1)}" height="${h}" fill="#4a7ab5" fill-opacity="${(0.35 + 0.65 * Math.min(1, (b.n / total) * 5)).toFixed(2)}"/>`;
    });
  const points = bins
    .filter((b) => b.n > 0)
    .map((b) => `<circle cx="${x(b.predicted).toFixed(1)}" cy="${y(b.observed).toFixed(1)}" r="3" fill="#c0392b"/>`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      `<text x="${x(t).toFixed(1)}" y="${size - pad + 14}" font-size="10" text-anchor="middle">${t}</text><text x="${pad - 6}" y="${(y(t) + 3).toFixed(1)}" font-size="10" text-anchor="end">${t}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 20}" viewBox="0 0 ${size} ${size + 20}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect x="${pad}" y="${pad}" width="${plot}" height="${plot}" fill="none" stroke="#888"/>`,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#888" stroke-dasharray="4 3"/>`,
    ...bars,
    ...points,
    ...ticks,
    `<text x="${size / 2}" y="20" font-size="12" text-anchor="middle">${esc(title)}</text>`,
    `<text x="${size / 2}" y="${size - 8}" font-size="10" text-anchor="middle">predicted probability</text>`,
    `<text x="12" y="${size / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 12 ${size / 2})">observed frequency</text>`,
    `<text x="${size / 2}" y="${size + 12}" font-size="10" text-anchor="middle">${esc(stats)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
