import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import { interactionOf, type ModeOwner } from './interaction.ts';
import { pathLength, ringArea, type MeasureKind } from './measurement.ts';
import { whenStyleReady } from './style-ready.ts';

/** What is measured so far. */
export interface Measurement {
  kind: MeasureKind;
  points: [number, number][];
  lengthM: number;
  areaM2: number;
  /** Still taking points (the tool owns the pointer). */
  active: boolean;
}

const SOURCE = 'measure';
const COLOUR = '#d81b60';

/**
 * 量距离 / 量面积: clicks add points to a path or ring drawn on the map, a double click or `finish()`
 * ends it. While it takes points the tool holds the pointer (map/interaction.ts mode `measure`): no
 * card opens and cameras and gates do not move. The drawing stays until `clear()` or the next start.
 *
 * @example const m = new MeasureTool(map, (r) => show(r)); m.start('distance'); … m.finish(); m.clear();
 */
export class MeasureTool {
  private points: [number, number][] = [];
  private kind: MeasureKind = 'distance';
  private active = false;
  private readonly owner: ModeOwner = {
    release: () => {
      this.stop();
      return true;
    },
  };

  constructor(
    private readonly map: MapLibreMap,
    private readonly onChange: (m: Measurement | null) => void,
  ) {}

  start(kind: MeasureKind) {
    if (!interactionOf(this.map).enter('measure', this.owner)) return;
    this.kind = kind;
    this.points = [];
    this.active = true;
    this.map.on('click', this.onClick);
    this.map.on('dblclick', this.onDoubleClick);
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    this.update();
  }

  /** Ends taking points; the figure stays on the map. */
  finish() {
    interactionOf(this.map).leave(this.owner);
    this.stop();
  }

  /** Ends and removes the drawing. */
  clear() {
    this.finish();
    this.points = [];
    this.draw();
    this.onChange(null);
  }

  private stop() {
    if (!this.active) return;
    this.active = false;
    this.map.off('click', this.onClick);
    this.map.off('dblclick', this.onDoubleClick);
    this.map.doubleClickZoom.enable();
    this.map.getCanvas().style.cursor = '';
    this.update();
  }

  private onClick = (e: MapMouseEvent) => {
    this.points = [...this.points, [e.lngLat.lng, e.lngLat.lat]];
    this.update();
  };

  private onDoubleClick = (e: MapMouseEvent) => {
    e.preventDefault();
    this.finish();
  };

  private update() {
    this.draw();
    if (!this.points.length && !this.active) return;
    const ring = this.kind === 'area';
    this.onChange({
      kind: this.kind,
      points: this.points,
      lengthM: pathLength(ring && this.points.length > 2 ? [...this.points, this.points[0]!] : this.points),
      areaM2: ring ? ringArea(this.points) : 0,
      active: this.active,
    });
  }

  private draw() {
    const pts = this.points;
    const closed = this.kind === 'area' && pts.length > 2;
    const features: GeoJSON.Feature[] = pts.map((p) => ({
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: p },
    }));
    if (pts.length > 1)
      features.push({
        type: 'Feature',
        properties: {},
        geometry: closed
          ? { type: 'Polygon', coordinates: [[...pts, pts[0]!]] }
          : { type: 'LineString', coordinates: pts },
      });
    const data: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    whenStyleReady(this.map, () => {
      const source = this.map.getSource<GeoJSONSource>(SOURCE);
      if (source) {
        source.setData(data);
        return;
      }
      this.map.addSource(SOURCE, { type: 'geojson', data });
      this.map.addLayer({
        id: `${SOURCE}-fill`,
        type: 'fill',
        source: SOURCE,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': COLOUR, 'fill-opacity': 0.12 },
      });
      this.map.addLayer({
        id: `${SOURCE}-line`,
        type: 'line',
        source: SOURCE,
        filter: ['!=', ['geometry-type'], 'Point'],
        paint: { 'line-color': COLOUR, 'line-width': 2.5, 'line-dasharray': [3, 1.5] },
      });
      this.map.addLayer({
        id: `${SOURCE}-points`,
        type: 'circle',
        source: SOURCE,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-radius': 4,
          'circle-color': '#ffffff',
          'circle-stroke-color': COLOUR,
          'circle-stroke-width': 2,
        },
      });
    });
  }

  destroy() {
    interactionOf(this.map).leave(this.owner);
    this.stop();
    for (const id of [`${SOURCE}-points`, `${SOURCE}-line`, `${SOURCE}-fill`])
      if (this.map.getLayer(id)) this.map.removeLayer(id);
    if (this.map.getSource(SOURCE)) this.map.removeSource(SOURCE);
  }
}

/**
 * The pointer's lon/lat (null when it leaves the map) and whether the map is loading tiles, for the
 * corner readout. Returns the unsubscribe.
 */
export function watchPointer(
  map: MapLibreMap,
  onPointer: (at: [number, number] | null) => void,
  onLoading: (loading: boolean) => void,
): () => void {
  let frame = 0;
  let last: [number, number] | null = null;
  const move = (e: MapMouseEvent) => {
    last = [e.lngLat.lng, e.lngLat.lat];
    if (!frame)
      frame = requestAnimationFrame(() => {
        frame = 0;
        onPointer(last);
      });
  };
  const out = () => onPointer(null);
  const loading = () => onLoading(true);
  const idle = () => onLoading(false);
  map.on('mousemove', move);
  map.on('mouseout', out);
  map.on('dataloading', loading);
  map.on('idle', idle);
  onLoading(!map.loaded());
  return () => {
    if (frame) cancelAnimationFrame(frame);
    map.off('mousemove', move);
    map.off('mouseout', out);
    map.off('dataloading', loading);
    map.off('idle', idle);
  };
}
