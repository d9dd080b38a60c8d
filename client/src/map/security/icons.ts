import type { DistanceBand } from '../../../../core/viewshed/index.ts';
import type { CameraStatus, CameraSystem } from '../../../../core/vocabulary.ts';
import { CAMERA_COLOURS } from '../../palette.ts';

type Rgb = [number, number, number];
const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;

/**
 * One colour per video programme (雪亮, 天网, 慧眼, other): the palette's, so the icons, their
 * viewsheds, the vector-tile points below zoom 15 and the legend agree.
 */
export const SYSTEM_COLORS: Record<CameraSystem, Rgb> = {
  xueliang: rgb(CAMERA_COLOURS.xueliang),
  tianwang: rgb(CAMERA_COLOURS.tianwang),
  huiyan: rgb(CAMERA_COLOURS.huiyan),
  other: rgb(CAMERA_COLOURS.other),
};

/**
 * DORI distance bands, hot to cool as detail fades: identify red, recognise orange, observe yellow
 * (none of them a programme's colour).
 */
export const BAND_COLOURS: Record<DistanceBand, string> = {
  identify: '#e53935',
  recognise: '#fb8c00',
  observe: '#fdd835',
};
/** The ring of a gate with access control (门禁), around its watched/unwatched fill. */
export const ACCESS_CONTROL_COLOUR = '#1a2a56';
export const ACCESS_CONTROL_COLOR: Rgb = rgb(ACCESS_CONTROL_COLOUR);

export const BAND_COLORS: Record<DistanceBand, Rgb> = {
  identify: rgb(BAND_COLOURS.identify),
  recognise: rgb(BAND_COLOURS.recognise),
  observe: rgb(BAND_COLOURS.observe),
};

const hex = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

/**
 * A camera icon (SVG data URL) in its programme's colour; offline cameras are hollow with a cross,
 * planned ones dashed. deck.gl's IconLayer packs each distinct id once.
 */
export function cameraIcon(system: CameraSystem, status: CameraStatus) {
  const c = hex(SYSTEM_COLORS[system] ?? SYSTEM_COLORS.other);
  const fill = status === 'active' ? c : 'white';
  const dash = status === 'planned' ? ' stroke-dasharray="3 2"' : '';
  const cross =
    status === 'offline' ? `<path d="M9 9 L23 23 M23 9 L9 23" stroke="${c}" stroke-width="2.5"/>` : '';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">` +
    `<circle cx="16" cy="16" r="12" fill="${fill}" stroke="${c}" stroke-width="3"${dash}/>` +
    `<rect x="10" y="12" width="9" height="8" rx="1.5" fill="${status === 'active' ? 'white' : c}"/>` +
    `<path d="M19 14 L23 12 L23 20 L19 18 Z" fill="${status === 'active' ? 'white' : c}"/>${cross}</svg>`;
  return {
    id: `${system}-${status}`,
    url: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
    width: 32,
    height: 32,
  };
}
