import type { LineString, Polygon, Position } from 'geojson';
import type { Map as MapLibreMap } from 'maplibre-gl';
import {
  TerraDraw,
  TerraDrawLineStringMode,
  TerraDrawPolygonMode,
  TerraDrawSelectMode,
  type GeoJSONStoreFeatures,
  type SnapToCustom,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { SnapIndex } from './snap-index.ts';

export type EditorMap = MapLibreMap;

/** What the drawing layer tells the editor. Geometry callbacks get a closed, copied polygon. */
export interface AreaDrawCallbacks {
  /** A new outline was closed (click on the first vertex, or Enter). */
  onDrawn(poly: Polygon): void;
  /** Live during a vertex or area drag (at most once per frame): run the live checks. */
  onDragging(poly: Polygon): void;
  /** A drag, vertex insertion or deletion ended: one undoable edit. */
  onEdited(poly: Polygon, vertex: number | null): void;
  /** The split line was finished. */
  onLineDrawn(line: LineString): void;
}

export interface AreaDrawOptions {
  /** Snapping tolerance in screen pixels. */
  snapTolerancePx?: number;
}

const DRAFT_COLOR = '#1f6fd1';

/**
 * The map side of the service-area editor: one terra-draw instance over MapLibre that holds only
 * the area being edited (and a split line while one is drawn). Buildings and the other areas stay
 * MapLibre layers; snapping reaches them through a SnapIndex of what is in view.
 * Made and destroyed by map/interaction.ts only (entering and leaving edit-area). terra-draw throws
 * when used stopped; a panel may still hold this object for a render after the session ended, so
 * every method does nothing once destroyed.
 */
export class AreaDraw {
  readonly #draw: TerraDraw;
  readonly #map: EditorMap;
  readonly #cb: AreaDrawCallbacks;
  readonly #tolerance: number;
  #snapIndex: SnapIndex | null = null;
  #snapping = true;
  #areaId: string | number | null = null;
  #frame = 0;
  #lastEdited: Position[] | null = null;

  constructor(map: EditorMap, cb: AreaDrawCallbacks, opts: AreaDrawOptions = {}) {
    this.#map = map;
    this.#cb = cb;
    this.#tolerance = opts.snapTolerancePx ?? 12;
    const toCustom: SnapToCustom = (event) => this.#snap([event.lng, event.lat]);
    const snapping = { toCustom };
    this.#draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: 9 }),
      modes: [
        new TerraDrawPolygonMode({
          snapping,
          keyEvents: { cancel: null, finish: 'Enter' },
          styles: { fillColor: DRAFT_COLOR, outlineColor: DRAFT_COLOR, fillOpacity: 0.15, outlineWidth: 2 },
        }),
        new TerraDrawLineStringMode({
          snapping,
          keyEvents: { cancel: null, finish: 'Enter' },
          styles: { lineStringColor: '#d1361f', lineStringWidth: 3 },
        }),
        new TerraDrawSelectMode({
          keyEvents: null,
          allowManualDeselection: false,
          flags: {
            polygon: {
              feature: {
                draggable: true,
                coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snapping },
              },
            },
          },
          styles: {
            selectedPolygonColor: DRAFT_COLOR,
            selectedPolygonOutlineColor: DRAFT_COLOR,
            selectedPolygonFillOpacity: 0.15,
            selectionPointColor: '#ffffff',
            selectionPointOutlineColor: DRAFT_COLOR,
            selectionPointWidth: 5,
            midPointColor: DRAFT_COLOR,
          },
        }),
      ],
    });
    this.#draw.start();
    this.#draw.on('finish', (id, ctx) => this.#onFinish(id, ctx.mode, ctx.action));
    this.#draw.on('change', (ids, type, ctx) => {
      if (type !== 'update' || ctx?.target === 'properties') return;
      if (this.#draw.getMode() !== 'select' || !ids.includes(this.#areaId ?? '')) return;
      cancelAnimationFrame(this.#frame);
      this.#frame = requestAnimationFrame(() => {
        if (!this.alive) return;
        const p = this.#areaPolygon();
        // Selecting the area shown (not a drag) changes nothing: no live "drag" to report, or it
        // would outlive the draft (issue 9 #7: an undone polygon's figures stayed on screen).
        if (p && !sameRing(p.coordinates[0], this.#lastEdited)) this.#cb.onDragging(p);
      });
    });
  }

  #snap(at: Position): Position | undefined {
    if (!this.#snapping || !this.#snapIndex) return undefined;
    const m = this.#map;
    const a = m.unproject([0, 0]);
    const b = m.unproject([1, 0]);
    const dpp = Math.abs(b.lng - a.lng);
    const hit = this.#snapIndex.snap(at, this.#tolerance, (lng, lat) => m.project([lng, lat]), dpp);
    return hit ? roundPosition(hit.at) : undefined;
  }

  #areaPolygon(): Polygon | null {
    if (this.#areaId === null) return null;
    const f = this.#draw.getSnapshotFeature(this.#areaId);
    return f && f.geometry.type === 'Polygon' ? structuredClone(f.geometry) : null;
  }

  #onFinish(id: string | number, mode: string, action: string) {
    const f = this.#draw.getSnapshotFeature(id);
    if (!f) return;
    if (mode === 'polygon' && f.geometry.type === 'Polygon') {
      this.#draw.removeFeatures([id]);
      this.#cb.onDrawn(structuredClone(f.geometry));
    } else if (mode === 'linestring' && f.geometry.type === 'LineString') {
      this.#draw.removeFeatures([id]);
      this.#cb.onLineDrawn(structuredClone(f.geometry));
    } else if (mode === 'select' && id === this.#areaId && f.geometry.type === 'Polygon') {
      const poly = structuredClone(f.geometry);
      const vertex = action === 'dragCoordinate' ? movedVertex(this.#lastEdited, poly.coordinates[0]) : null;
      this.#lastEdited = poly.coordinates[0];
      this.#cb.onEdited(poly, vertex);
    }
  }

  setSnapIndex(index: SnapIndex | null): void {
    this.#snapIndex = index;
  }

  setSnapping(on: boolean): void {
    this.#snapping = on;
  }

  /** False once destroyed: every method is then a no-op. */
  get alive(): boolean {
    return this.#draw.enabled;
  }

  /** Start drawing a new outline (what is in the store is dropped). */
  drawPolygon(): void {
    if (!this.alive) return;
    this.#clear();
    this.#draw.setMode('polygon');
  }

  /** Start drawing a split line over the area being edited. */
  drawLine(): void {
    if (!this.alive) return;
    this.#draw.setMode('linestring');
  }

  /**
   * Show `poly` as the editable area (vertices draggable, midpoints insert, area draggable), or
   * nothing. Called whenever the editor's draft changes (undo, redo, clip, split, merge).
   */
  showArea(poly: Polygon | null, editable: boolean): void {
    if (!this.alive) return;
    const current = this.#areaPolygon();
    const same = (a: Polygon, b: Polygon) =>
      a.coordinates[0].length === b.coordinates[0].length &&
      a.coordinates[0].every((p, i) => {
        const q = roundPosition(b.coordinates[0][i]);
        return p[0] === q[0] && p[1] === q[1];
      });
    if (poly && current && same(current, poly) && this.#draw.getMode() === (editable ? 'select' : 'static')) {
      return;
    }
    this.#clear();
    if (!poly) {
      this.#draw.setMode('static');
      return;
    }
    const geometry: Polygon = {
      type: 'Polygon',
      coordinates: poly.coordinates.map((r) => r.map(roundPosition)),
    };
    const feature = { type: 'Feature', geometry, properties: { mode: 'polygon' } } as GeoJSONStoreFeatures;
    const [result] = this.#draw.addFeatures([feature]);
    if (!result?.valid) {
      console.warn('terra-draw refused the area:', result?.reason);
      // A self-intersecting outline is still the user's: show it read-only rather than lose it.
      this.#draw.setMode('static');
      return;
    }
    this.#areaId = result.id!;
    this.#lastEdited = geometry.coordinates[0];
    if (editable) {
      this.#draw.setMode('select');
      this.#draw.selectFeature(this.#areaId);
    } else {
      this.#draw.setMode('static');
    }
  }

  /** Esc: drop a drawing or split line in progress. */
  cancel(): void {
    if (!this.alive) return;
    const mode = this.#draw.getMode();
    if (mode === 'polygon' || mode === 'linestring') this.#draw.setMode('static');
  }

  /** What the drawing layer holds (browser tests check that the draft is on the map). */
  snapshot(): { mode: string; features: GeoJSONStoreFeatures[] } {
    if (!this.alive) return { mode: 'stopped', features: [] };
    return { mode: this.#draw.getMode(), features: this.#draw.getSnapshot() };
  }

  get drawing(): boolean {
    return this.alive && this.#draw.getModeState() === 'drawing';
  }

  #clear() {
    cancelAnimationFrame(this.#frame);
    this.#draw.setMode('static');
    this.#draw.clear();
    this.#areaId = null;
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    if (!this.alive) return;
    try {
      this.#draw.stop();
    } catch {
      // the map may already be gone (React StrictMode unmounts twice in development)
    }
  }
}

/** terra-draw refuses coordinates finer than its precision (clip and edge-snap results are). */
const PRECISION = 1e9;
function roundPosition(p: Position): Position {
  return [Math.round(p[0] * PRECISION) / PRECISION, Math.round(p[1] * PRECISION) / PRECISION];
}

function sameRing(a: Position[], b: Position[] | null): boolean {
  return !!b && a.length === b.length && a.every((p, i) => p[0] === b[i][0] && p[1] === b[i][1]);
}

/** Which vertex of the ring moved between two versions of it (null when none or many did). */
export function movedVertex(before: Position[] | null, after: Position[]): number | null {
  if (!before || before.length !== after.length) return null;
  const changed: number[] = [];
  for (let i = 0; i + 1 < after.length; i++) {
    if (before[i][0] !== after[i][0] || before[i][1] !== after[i][1]) changed.push(i);
  }
  return changed.length === 1 ? changed[0] : null;
}
