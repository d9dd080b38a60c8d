import type { Position } from 'geojson';
import type { Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { AreaDraw, type AreaDrawCallbacks } from './draw/area-draw.ts';
import { EditorOverlays } from './draw/overlays.ts';
import { whenStyleReady } from './style-ready.ts';

/**
 * What the pointer does on the map now. browse: clicks open cards, cameras and gates can be dragged;
 * edit-area: only the service area being edited reacts (terra-draw runs); aim-camera: a camera's or
 * gate's form is open; place-point: the next click places a gate or camera; measure: clicks add the
 * measure tool's points (no card opens, cameras and gates are locked).
 */
export type InteractionMode = 'browse' | 'edit-area' | 'aim-camera' | 'place-point' | 'measure';

/** Who holds a mode. Asked to let go when another mode is wanted. */
export interface ModeOwner {
  /**
   * Another mode is wanted: clean up and return true, or return false to keep the mode (e.g. the user
   * chose to keep unsaved work). Must not call `enter` itself.
   */
  release(): boolean;
}

/** The editor's owner also receives what happens on the map while it edits. */
export interface AreaEditOwner extends ModeOwner {
  draw: AreaDrawCallbacks;
  /** A click on the map (not consumed by a drawing): lon/lat. */
  onClick(at: Position): void;
}

/** The map side of one editing session: the drawing layer and the check overlays. */
export interface AreaSession {
  draw: AreaDraw;
  overlays: EditorOverlays;
}

/** Pointer handles of another layer (the camera overlay) that are live only in some modes. */
export interface PointerHandles {
  setEnabled(on: boolean): void;
}

type Listener = (mode: InteractionMode) => void;

/**
 * The one owner of the map's pointer: exactly one mode at a time. Entering a mode asks the holder of
 * the current one to let go, then turns handles on and off — terra-draw starts only in edit-area and
 * is stopped on the way out (this is its only caller), the camera overlay's deck layers are pickable
 * only where they are registered to be, and MapLibre's drag-pan is given back on every change.
 * `enter` and `leave` are idempotent, so React effects that run twice do no harm.
 *
 * @example
 *   const i = interactionOf(map);
 *   if (i.enter('edit-area', owner)) { … i.session?.draw.showArea(poly, true) … }
 *   i.leave(owner);
 */
export class Interaction {
  readonly #map: MapLibreMap;
  #mode: InteractionMode = 'browse';
  #owner: ModeOwner | null = null;
  #session: AreaSession | null = null;
  #cancelWait: (() => void) | null = null;
  #offClick: (() => void) | null = null;
  readonly #listeners = new Set<Listener>();
  readonly #handles = new Set<{ modes: readonly InteractionMode[]; handles: PointerHandles }>();

  constructor(map: MapLibreMap) {
    this.#map = map;
  }

  get mode(): InteractionMode {
    return this.#mode;
  }

  /** The drawing layer and overlays while in edit-area once the style is ready, else null. */
  get session(): AreaSession | null {
    return this.#session;
  }

  /** Whether `owner` holds the current mode. */
  holds(owner: ModeOwner): boolean {
    return this.#owner === owner;
  }

  /**
   * Asks for `mode` on behalf of `owner`. The same owner asking again changes nothing. Returns
   * whether `owner` now holds it (false when the current holder would not let go).
   */
  enter(mode: 'edit-area', owner: AreaEditOwner): boolean;
  enter(mode: Exclude<InteractionMode, 'edit-area' | 'browse'>, owner: ModeOwner): boolean;
  enter(mode: InteractionMode, owner: ModeOwner): boolean {
    if (this.#owner === owner && this.#mode === mode) return true;
    const previous = this.#owner;
    if (previous && previous !== owner && !previous.release()) return false;
    this.#teardown();
    this.#mode = mode;
    this.#owner = owner;
    if (mode === 'edit-area') this.#startEditing(owner as AreaEditOwner);
    this.#apply();
    return true;
  }

  /** `owner` is done: back to browse. Nothing happens when the mode is not (or no longer) theirs. */
  leave(owner: ModeOwner): void {
    if (this.#owner !== owner) return;
    this.#teardown();
    this.#mode = 'browse';
    this.#owner = null;
    this.#apply();
  }

  /** Calls `listener` on every change of mode or session; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Registers handles that are live in `modes` only; they are set at once. Returns the unregister. */
  addHandles(modes: readonly InteractionMode[], handles: PointerHandles): () => void {
    const entry = { modes, handles };
    this.#handles.add(entry);
    handles.setEnabled(modes.includes(this.#mode));
    return () => this.#handles.delete(entry);
  }

  /** Whether the map's own feature picking (cards) answers clicks now. */
  get picksFeatures(): boolean {
    return this.#mode === 'browse' || this.#mode === 'aim-camera';
  }

  #startEditing(owner: AreaEditOwner) {
    const map = this.#map;
    this.#cancelWait = whenStyleReady(map, () => {
      this.#cancelWait = null;
      if (this.#owner !== owner) return;
      const draw = new AreaDraw(map, owner.draw);
      this.#session = { draw, overlays: new EditorOverlays(map) };
      const onClick = (e: MapMouseEvent) => owner.onClick([e.lngLat.lng, e.lngLat.lat]);
      map.on('click', onClick);
      this.#offClick = () => map.off('click', onClick);
      this.#emit();
    });
  }

  #teardown() {
    this.#cancelWait?.();
    this.#cancelWait = null;
    this.#offClick?.();
    this.#offClick = null;
    const s = this.#session;
    this.#session = null;
    if (s) {
      s.draw.destroy();
      s.overlays.destroy();
    }
  }

  #apply() {
    for (const { modes, handles } of this.#handles) handles.setEnabled(modes.includes(this.#mode));
    // A gesture cut short by the change (a camera drag, a vertex drag) must not leave the map stuck.
    try {
      this.#map.dragPan.enable();
    } catch {
      // the map is being removed
    }
    this.#emit();
  }

  #emit() {
    for (const l of [...this.#listeners]) l(this.#mode);
  }

  /** The map goes: every mode ends without asking. */
  destroy(): void {
    this.#teardown();
    this.#owner = null;
    this.#mode = 'browse';
    this.#listeners.clear();
    this.#handles.clear();
    registry.delete(this.#map);
  }
}

const registry = new WeakMap<MapLibreMap, Interaction>();

/** The one Interaction of a map (made on first use). */
export function interactionOf(map: MapLibreMap): Interaction {
  let i = registry.get(map);
  if (!i) {
    i = new Interaction(map);
    registry.set(map, i);
  }
  return i;
}
