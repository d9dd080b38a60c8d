import type { Map as MapLibreMap, PaddingOptions } from 'maplibre-gl';

/** Panels that stand over the map and must not hide what the map zooms to. */
export interface PanelSides {
  /** Selectors of panels along the right edge (the dashboard, the editor). */
  right: string[];
  /** Selectors of panels along the left edge (the legend). */
  left: string[];
}

const GAP = 8;

/** The room the panels take on each side of a map, as last measured. */
const insets = new WeakMap<MapLibreMap, Required<PaddingOptions>>();

/**
 * The room the panels over `map` take (0 on every side when not watched). Zoom-to calls add it to
 * their fitBounds padding, so that the worst compound, an adopted proposal or a street lands in the
 * part of the map that can be seen, not under the dashboard, the editor or the legend.
 */
export function panelPadding(map: MapLibreMap): Required<PaddingOptions> {
  return insets.get(map) ?? { top: 0, right: 0, bottom: 0, left: 0 };
}

/**
 * Measures the panels standing over the map whenever the workspace changes (a panel opens, closes,
 * collapses or the window is resized) for `panelPadding`. The map's own padding is left alone: it
 * would move the picture and the URL's `#zoom/lat/lon` would no longer name the middle of the map.
 * The room is also written to the container as `data-map-padding` = "top,right,bottom,left".
 *
 * @example const stop = watchPanelPadding(map, workspace, { right: ['.dashboard'], left: ['.panel.left'] });
 */
export function watchPanelPadding(map: MapLibreMap, workspace: HTMLElement, sides: PanelSides): () => void {
  let frame = 0;
  const measure = () => {
    frame = 0;
    const next = panelRoom(map.getContainer(), workspace, sides);
    insets.set(map, next);
    map.getContainer().dataset.mapPadding = [next.top, next.right, next.bottom, next.left].join(',');
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(measure);
  };
  const mutations = new MutationObserver(schedule);
  mutations.observe(workspace, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['class'],
  });
  const sizes = new ResizeObserver(schedule);
  sizes.observe(workspace);
  schedule();
  return () => {
    if (frame) cancelAnimationFrame(frame);
    mutations.disconnect();
    sizes.disconnect();
    insets.delete(map);
  };
}

/**
 * The room the panels in `workspace` take over the map `container`, measured now: also before the
 * map exists, for the first view it opens on.
 */
export function panelRoom(
  container: HTMLElement,
  workspace: HTMLElement,
  sides: PanelSides,
): Required<PaddingOptions> {
  const box = container.getBoundingClientRect();
  const room = (selectors: string[], side: 'left' | 'right') => {
    let px = 0;
    for (const el of workspace.querySelectorAll<HTMLElement>(selectors.join(','))) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const taken = side === 'right' ? box.right - r.left : r.right - box.left;
      // a panel over most of the map is not worth padding for: too little would be left
      if (taken > 0 && taken < box.width * 0.7) px = Math.max(px, taken + GAP);
    }
    return Math.round(px);
  };
  return { top: 0, bottom: 0, right: room(sides.right, 'right'), left: room(sides.left, 'left') };
}
