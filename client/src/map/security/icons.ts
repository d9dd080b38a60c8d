import type { CameraStatus, CameraSystem } from '../../../../core/vocabulary.ts';

/** One colour per video programme: 雪亮 blue, 天网 red, 慧眼 purple, other grey. */
export const SYSTEM_COLORS: Record<CameraSystem, [number, number, number]> = {
  xueliang: [30, 110, 220],
  tianwang: [210, 50, 50],
  huiyan: [130, 70, 190],
  other: [110, 110, 110],
};

const hex = ([r, g, b]: [number, number, number]) => `rgb(${r},${g},${b})`;

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
