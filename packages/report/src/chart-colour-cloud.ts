import { r1, svgOpen, svgText } from './svg.js';

/** The three 2-D projections of RGB space: axis indexes into a triple. */
export const PROJECTIONS = [
  { name: 'R–G', x: 0, y: 1 },
  { name: 'R–B', x: 0, y: 2 },
  { name: 'G–B', x: 1, y: 2 },
] as const;

function hex(r: number, g: number, b: number): string {
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

/**
 * One projection of the colour space: source pixels as small squares in
 * their own colour (grouped into one path per colour to keep the markup
 * small), the palette as larger ringed dots.
 */
export function colourCloudChart(
  points: ArrayLike<number>,
  palette: ArrayLike<number>,
  projection: (typeof PROJECTIONS)[number],
  options: { maxPoints?: number; size?: number } = {},
): string {
  const size = options.size ?? 150;
  const pad = 14;
  const scale = (size - pad - 4) / 255;
  const total = Math.floor(points.length / 3);
  const maxPoints = options.maxPoints ?? 1500;
  const step = total > maxPoints ? total / maxPoints : 1;
  const paths = new Map<string, string[]>();
  for (let f = 0; f < total; f += step) {
    const i = Math.floor(f) * 3;
    const rgb = [points[i] ?? 0, points[i + 1] ?? 0, points[i + 2] ?? 0] as const;
    // group by colour at 4 bits a channel: one path per group
    const colour = hex((rgb[0] & 0xf0) | 8, (rgb[1] & 0xf0) | 8, (rgb[2] & 0xf0) | 8);
    const x = pad + rgb[projection.x] * scale;
    const y = size - pad - rgb[projection.y] * scale;
    let list = paths.get(colour);
    if (!list) {
      list = [];
      paths.set(colour, list);
    }
    list.push(`M${Math.round(x)} ${Math.round(y)}h2v2h-2z`);
  }
  const parts = [
    svgOpen('colours', size, size, `colour space ${projection.name}: pixels and palette`),
    `<rect class="plane" x="${pad}" y="4" width="${size - pad - 4}" height="${size - pad - 4}"/>`,
  ];
  for (const [colour, d] of paths) parts.push(`<path fill="${colour}" d="${d.join('')}"/>`);
  for (let i = 0; i + 2 < palette.length; i += 3) {
    const rgb = [palette[i] ?? 0, palette[i + 1] ?? 0, palette[i + 2] ?? 0] as const;
    parts.push(
      `<circle class="pal" cx="${r1(pad + rgb[projection.x] * scale)}" cy="${r1(size - pad - rgb[projection.y] * scale)}" r="4.5" fill="${hex(rgb[0], rgb[1], rgb[2])}"/>`,
    );
  }
  const names = ['R', 'G', 'B'];
  parts.push(
    svgText(size / 2 + pad / 2, size - 2, names[projection.x] ?? '', {
      class: 'axis',
      'text-anchor': 'middle',
    }),
    svgText(6, size / 2, names[projection.y] ?? '', { class: 'axis', 'text-anchor': 'middle' }),
    '</svg>',
  );
  return parts.join('');
}
