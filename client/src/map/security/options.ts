import { useSyncExternalStore } from 'react';

/**
 * Display options of the 技防 layers that the layer panel switches and the map overlay reads, kept
 * here so neither has to go through the app shell; remembered in localStorage like the layer switches.
 */
export interface SecurityOptions {
  /** Draw the DORI distance bands (identify / recognise / observe) of the cameras in view. */
  bands: boolean;
}

/**
 * Most cameras whose distance bands are drawn at once. Two extra visibility polygons per camera are
 * cheap for a street's worth of cameras (about 1 ms each) but not for a district's, and the nested
 * bands of hundreds of overlapping cameras are unreadable anyway: beyond this, the selected camera's.
 */
export const BANDS_MAX_CAMERAS = 150;

/**
 * The 技防 overlay (viewsheds, gate colours, camera icons) starts at this zoom; below it the vector
 * tiles show cameras and gates as small points. At zoom 15 a street's sectors piled into one smear
 * and computing them all stalled the page (issue 9 #12).
 */
export const SECURITY_MIN_ZOOM = 16;
/** Below this zoom camera icons are collision-hidden (the best-ranked of a pile is drawn). */
export const ALL_CAMERA_ICONS_ZOOM = 17;

const KEY = 'wuyou.security';
const listeners = new Set<() => void>();

function load(): SecurityOptions {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<SecurityOptions>;
    return { bands: saved.bands === true };
  } catch {
    return { bands: false };
  }
}

let current: SecurityOptions = load();

export function securityOptions(): SecurityOptions {
  return current;
}

export function setSecurityOptions(change: Partial<SecurityOptions>): void {
  current = { ...current, ...change };
  try {
    localStorage.setItem(KEY, JSON.stringify(current));
  } catch {
    // not persisted
  }
  for (const l of listeners) l();
}

export function subscribeSecurityOptions(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The options as React state. */
export function useSecurityOptions(): SecurityOptions {
  return useSyncExternalStore(subscribeSecurityOptions, securityOptions);
}
