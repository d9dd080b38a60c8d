import { BUILDING_COLOURS } from '../palette.ts';

/** What the report image needs of the map (MapLibre's Map has it); no map library imported here. */
export interface MapImageSource {
  getCanvas(): HTMLCanvasElement;
  getZoom(): number;
  getCenter(): { lat: number };
  triggerRepaint(): void;
  once(type: 'render', listener: () => void): unknown;
}

const LEGEND: [string, string][] = [
  [BUILDING_COLOURS.three_no.uncovered, '三无 · 未纳入'],
  [BUILDING_COLOURS.three_no.covered, '三无 · 已纳入'],
  [BUILDING_COLOURS.self_managed.uncovered, '自管 · 未纳入'],
  [BUILDING_COLOURS.self_managed.covered, '自管 · 已纳入'],
  [BUILDING_COLOURS.professional.uncovered, '专业物业 · 未纳入'],
  [BUILDING_COLOURS.professional.covered, '专业物业 · 已纳入'],
];

/** A round length (1, 2 or 5 × 10ⁿ m) at most `maxM`. */
export function niceMetres(maxM: number): number {
  const p = 10 ** Math.floor(Math.log10(maxM));
  return [5, 2, 1].map((k) => k * p).find((m) => m <= maxM) ?? p;
}

/** Copies the map's WebGL canvas while its frame is still there (right after a render). */
function grab(map: MapImageSource): Promise<HTMLCanvasElement> {
  return new Promise((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const c = document.createElement('canvas');
      c.width = src.width;
      c.height = src.height;
      c.getContext('2d')!.drawImage(src, 0, 0);
      resolve(c);
    });
    map.triggerRepaint();
  });
}

/**
 * The current map view as a PNG for reports: a title, the date, a legend of the building colours and a
 * scale bar around the map image.
 */
export async function mapViewPng(map: MapImageSource, title: string): Promise<Blob> {
  const shot = await grab(map);
  const css = map.getCanvas().clientWidth || shot.width;
  const dpr = shot.width / css;
  const head = 56 * dpr;
  const foot = 44 * dpr;
  const out = document.createElement('canvas');
  out.width = shot.width;
  out.height = shot.height + head + foot;
  const g = out.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(shot, 0, head);
  const font = (px: number) => `${px * dpr}px 'Noto Sans SC UI', sans-serif`;
  g.fillStyle = '#1d232b';
  g.font = font(20);
  g.fillText(title, 14 * dpr, 34 * dpr);
  g.font = font(13);
  g.textAlign = 'right';
  g.fillText(`制图日期 ${new Date().toISOString().slice(0, 10)}`, out.width - 14 * dpr, 34 * dpr);
  g.textAlign = 'left';

  // legend along the bottom
  let x = 14 * dpr;
  const y = head + shot.height + 26 * dpr;
  g.font = font(12);
  for (const [colour, label] of LEGEND) {
    g.fillStyle = colour;
    g.fillRect(x, y - 10 * dpr, 12 * dpr, 12 * dpr);
    g.fillStyle = '#1d232b';
    g.fillText(label, x + 16 * dpr, y);
    x += (16 + g.measureText(label).width / dpr + 14) * dpr;
  }

  // scale bar, bottom right: metres per CSS pixel of a 512-px Web Mercator tile at this zoom and latitude
  const mPerPx =
    (40075016.686 * Math.cos((map.getCenter().lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const metres = niceMetres(mPerPx * 150);
  const w = (metres / mPerPx) * dpr;
  const right = out.width - 14 * dpr;
  g.strokeStyle = '#1d232b';
  g.lineWidth = 2 * dpr;
  g.beginPath();
  g.moveTo(right - w, y - 8 * dpr);
  g.lineTo(right - w, y);
  g.lineTo(right, y);
  g.lineTo(right, y - 8 * dpr);
  g.stroke();
  g.textAlign = 'center';
  g.fillStyle = '#1d232b';
  g.fillText(metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, right - w / 2, y - 12 * dpr);

  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('The image could not be made'))), 'image/png'),
  );
}
