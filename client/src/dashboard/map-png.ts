import type { CompoundCategory } from '../../../core/vocabulary.ts';
import { BUILDING_COLOURS } from '../palette.ts';

/** What the report image needs of the map (MapLibre's Map has it); no map library imported here. */
export interface MapImageSource {
  getCanvas(): HTMLCanvasElement;
  getZoom(): number;
  getCenter(): { lat: number };
  triggerRepaint(): void;
  once(type: 'render', listener: () => void): unknown;
}

/** The words on the image, in the page's language. */
export interface MapImageText {
  title: string;
  /** The date line, top right. */
  date: string;
  /** A legend entry: buildings of a category, in a service area or not. */
  legend(category: CompoundCategory, covered: boolean): string;
  /** The error when the browser cannot encode the image. */
  failed: string;
}

/** 三无 first: the report is about them. */
const LEGEND_ORDER: CompoundCategory[] = ['three_no', 'self_managed', 'professional'];
const LEGEND: [CompoundCategory, boolean][] = LEGEND_ORDER.flatMap((c): [CompoundCategory, boolean][] => [
  [c, false],
  [c, true],
]);

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
export async function mapViewPng(map: MapImageSource, text: MapImageText): Promise<Blob> {
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
  g.fillText(text.title, 14 * dpr, 34 * dpr);
  g.font = font(13);
  g.textAlign = 'right';
  g.fillText(text.date, out.width - 14 * dpr, 34 * dpr);
  g.textAlign = 'left';

  // legend along the bottom
  let x = 14 * dpr;
  const y = head + shot.height + 26 * dpr;
  g.font = font(12);
  for (const [category, covered] of LEGEND) {
    const label = text.legend(category, covered);
    g.fillStyle = BUILDING_COLOURS[category][covered ? 'covered' : 'uncovered'];
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
    out.toBlob((b) => (b ? resolve(b) : reject(new Error(text.failed))), 'image/png'),
  );
}
