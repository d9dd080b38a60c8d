/**
 * `camera:direction` as mappers write it (OpenStreetMap): a bearing (`90`, `-8`, `15°`), a compass
 * point (`NW`, `NNE`, `south`, `north-east`), a list of those (`90;160;270`, `180, 270`) — one camera
 * per entry — or a clockwise range (`190-100`: from 190° round to 100°, i.e. centre 325°, 270° wide).
 */

/** One view: a bearing, and the width when the source gave a range. */
export interface ParsedView {
  directionDeg: number;
  /** Set when the source was a range `a-b`: the clockwise sweep from a to b. */
  fovDeg?: number;
}

/** A failure says why as an import code (`value`: what could not be read, as shown) and in the API's English. */
export type DirectionResult =
  | { ok: true; views: ParsedView[] }
  | {
      ok: false;
      code: 'direction_unreadable' | 'direction_empty_entry';
      value: string | number;
      message: string;
    };

const POINTS = [
  'N',
  'NNE',
  'NE',
  'ENE',
  'E',
  'ESE',
  'SE',
  'SSE',
  'S',
  'SSW',
  'SW',
  'WSW',
  'W',
  'WNW',
  'NW',
  'NNW',
];
const WORDS: Record<string, string> = { north: 'N', east: 'E', south: 'S', west: 'W' };
/** The compass in Chinese, as street offices' lists write it (东北 is north-east). */
const CHINESE: Record<string, string> = {
  北: 'N',
  东北: 'NE',
  东: 'E',
  东南: 'SE',
  南: 'S',
  西南: 'SW',
  西: 'W',
  西北: 'NW',
};

/** Bearings [0, 360). */
export const normBearing = (d: number) => {
  const r = d % 360;
  return r < 0 ? r + 360 : r === 0 ? 0 : r;
};

/** A compass point or word (N, NNE, north, north-east, northeast, 东北, 正北 …) as a bearing. */
export function compassBearing(word: string): number | null {
  const w = word
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  // 正北, 东北方向, 朝南 …
  const zh = CHINESE[w.replace(/^(正|朝|向)/, '').replace(/(方向|向)$/, '')];
  if (zh) return POINTS.indexOf(zh) * 22.5;
  let code = w.toUpperCase();
  if (!POINTS.includes(code)) {
    // Spelled out: north, northeast, northnortheast …
    let rest = w;
    code = '';
    while (rest) {
      const hit = Object.keys(WORDS).find((k) => rest.startsWith(k));
      if (!hit) return null;
      code += WORDS[hit];
      rest = rest.slice(hit.length);
    }
    if (!POINTS.includes(code)) return null;
  }
  return POINTS.indexOf(code) * 22.5;
}

const NUMBER = /^[+-]?\d+(?:\.\d+)?\s*°?$/;

function single(s: string): number | null {
  const t = s.trim();
  if (NUMBER.test(t)) return normBearing(Number(t.replace(/°$/, '').trim()));
  return compassBearing(t);
}

const ALLOWED =
  'a bearing in degrees (90, -8), a compass point (N, NNE … NW, north, south-west), a list (90;160;270) or a range (190-100)';

/** Parses one `camera:direction` value; an empty value gives no views. */
export function parseDirection(raw: unknown): DirectionResult {
  if (raw === undefined || raw === null) return { ok: true, views: [] };
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw))
      return {
        ok: false,
        code: 'direction_unreadable',
        value: String(raw),
        message: `direction ${raw} is not a number of degrees`,
      };
    return { ok: true, views: [{ directionDeg: normBearing(raw) }] };
  }
  if (typeof raw !== 'string')
    return {
      ok: false,
      code: 'direction_unreadable',
      value: JSON.stringify(raw) ?? String(raw),
      message: `direction must be text or a number, not ${typeof raw}`,
    };
  const s = raw.trim();
  if (s === '') return { ok: true, views: [] };
  const parts = s.split(/[;,]/).map((p) => p.trim());
  if (parts.some((p) => p === ''))
    return {
      ok: false,
      code: 'direction_empty_entry',
      value: JSON.stringify(raw),
      message: `direction "${raw}" has an empty list entry`,
    };
  const views: ParsedView[] = [];
  for (const p of parts) {
    const one = single(p);
    if (one !== null) {
      views.push({ directionDeg: one });
      continue;
    }
    // A range a-b (a may be negative: "-20-40"); compass words allowed at either end.
    const m = /^([+-]?[^-]+?)\s*-\s*([+-]?[^-]+)$/.exec(p);
    const a = m ? single(m[1]!) : null;
    const b = m ? single(m[2]!) : null;
    if (a === null || b === null)
      return {
        ok: false,
        code: 'direction_unreadable',
        value: JSON.stringify(p),
        message: `direction "${p}" is not ${ALLOWED}`,
      };
    const span = normBearing(b - a) || 360;
    views.push({ directionDeg: normBearing(a + span / 2), fovDeg: span });
  }
  return { ok: true, views };
}
