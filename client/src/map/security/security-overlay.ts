import { MapLibreOverlay } from '@deck.gl/maplibre';
import { GeoJsonLayer, IconLayer, ScatterplotLayer } from '@deck.gl/layers';
import { Popup, type Map as MapLibreMap, type MapMouseEvent } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point, Polygon } from 'geojson';
import { BuildingIndex } from '../../../../core/viewshed/index.ts';
import { GATE_KINDS, type GateKind } from '../../../../core/vocabulary.ts';
import { format, MESSAGES, type Language, type MessageKey } from '../../i18n/messages.ts';
import {
  createPoint,
  PointApiError,
  savePoint,
  versionOf,
  type PointFeature,
  type PointLayer,
} from '../../panels/security/point-client.ts';
import { getJsonSignedIn, needsSignIn } from '../../api.ts';
import { errorText } from '../../panels/security/form-errors.ts';
import { SECURITY_MESSAGES, type SecurityMessageKey } from '../../panels/security/messages.ts';
import { ACCESS_CONTROL_COLOR, BAND_COLORS, cameraIcon, SYSTEM_COLORS } from './icons.ts';
import { ALL_CAMERA_ICONS_ZOOM, BANDS_MAX_CAMERAS, SECURITY_MIN_ZOOM } from './options.ts';
import { declutter } from './declutter.ts';
import { claimPress } from '../click-claim.ts';
import { panelPadding } from '../panel-padding.ts';
import { interactionOf, type Interaction, type ModeOwner } from '../interaction.ts';
import {
  buildSecurityScene,
  aimAt,
  cameraBands,
  moveCamera,
  updateGate,
  withoutPoint,
  type BandView,
  type CameraView,
  type GateView,
  type SecurityScene,
} from './security-scene.ts';
import type { PickingInfo } from '@deck.gl/core';

export { SECURITY_MIN_ZOOM };
/** Screen distance under which two camera icons collide (their icons are 26 px). */
const ICON_COLLISION_PX = 22;
/** Deck layers go under this style layer and the labels above it, so names stay readable. */
const FIRST_LABEL_LAYER = 'basemap-water-label';
/** The longest range drawn (buildings are fetched this far beyond the view). */
const FETCH_MARGIN_M = 100;
/** Drawn bottom to top: the nearest band, where faces can be identified, on top. */
const BAND_ORDER: BandView['band'][] = ['observe', 'recognise', 'identify'];

/** The i18n dictionary's lookup for the shell's keys. */
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The camera or gate clicked on the map, as stored (properties carry id and version). */
export interface SecuritySelection {
  layer: PointLayer;
  feature: PointFeature;
  /** A change made on the map (a drag) that the server refused: the form offers it again. */
  unsaved?: PointFeature;
  error?: PointApiError;
}

export interface SecurityOverlayOptions {
  /** A camera or gate was clicked (or a drag of one was refused); null when the map is clicked elsewhere. */
  onSelect?(selection: SecuritySelection | null): void;
}

type Props = Record<string, unknown>;

/** How far (px) the coverage box stands from the map's right edge: clear of the zoom buttons. */
const BOX_RIGHT = 56;

/** A small panel in the map's bottom-right corner (beside the zoom buttons, clear of the attribute panel). */
const boxCss = (bottom: number) =>
  `position:absolute;right:${BOX_RIGHT}px;bottom:${bottom}px;z-index:2;background:rgba(255,255,255,.92);padding:4px 8px;` +
  "border-radius:4px;font-size:12px;font-family:'Noto Sans SC UI',system-ui,sans-serif;" +
  'box-shadow:0 1px 3px rgba(0,0,0,.3);display:none';

/** Gates by kind: vehicle gates largest, unit doors (单元门) smallest. */
const GATE_RADIUS: Record<GateView['kind'], number> = { vehicle: 7, pedestrian: 5.5, unit_door: 4 };

const translator =
  (lang: Language): Translate =>
  (key, vars) =>
    format(MESSAGES[lang][key], vars);

/** A suggested camera as GET /api/security-coverage/suggestions gives it. */
interface Ghost {
  key: number;
  lon: number;
  lat: number;
  type: 'fixed' | 'dome';
  direction_deg: number | null;
  fov_deg: number;
  range_m: number;
  watches_gates: number[];
  new_seen_m2: number;
  viewshed: Polygon | null;
}

async function getCollection<G extends Point | Polygon | MultiPolygon>(
  url: string,
  signal: AbortSignal,
): Promise<FeatureCollection<G, Props>> {
  const r = await fetch(url, { signal, headers: { Accept: 'application/geo+json' } });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return (await r.json()) as FeatureCollection<G, Props>;
}

/**
 * The 技防 layers through deck.gl (MapLibreOverlay, interleaved so labels stay on top): camera icons
 * by programme and status, each camera's viewshed clipped by buildings (computed in the browser
 * with core/viewshed), gates green when watched and red when not.
 *
 * @example const overlay = new SecurityOverlay(map); overlay.setVisible(false); overlay.destroy();
 */
export class SecurityOverlay {
  private readonly overlay = new MapLibreOverlay({ interleaved: true, layers: [] });
  private scene: SecurityScene = { cameras: [], gates: [] };
  private index = new BuildingIndex([]);
  /** The cameras as the server sent them (attributes and version, for the PUT after a drag). */
  private stored = new Map<number, Feature<Point, Props>>();
  private abort: AbortController | null = null;
  private visible = true;
  private dragging: { id: number; mode: 'move' | 'aim' | 'gate' } | null = null;
  /** The gates as the server sent them (for the PUT after a drag). */
  private storedGates = new Map<number, Feature<Point, Props>>();
  /** The kind of gate the next click on the map places (after "Add gate"). */
  /** What a click on the map places: a gate of this kind, a camera, or nothing. */
  private placing: GateKind | 'camera' | null = null;
  /** Why the last placement was refused, shown in the tool box until the next one. */
  private placeError: Error | null = null;
  private lang: Language = 'zh-CN';
  /** Add a gate: a kind and a button, bottom centre (clear of the legend and the other boxes). */
  private readonly gateBox: HTMLDivElement;
  private readonly box: HTMLDivElement;
  /** Proposed cameras (GET /api/security-coverage/suggestions), drawn as ghosts until accepted. */
  private ghosts: Ghost[] = [];
  /** The question asked before a ghost is stored (a click alone never writes). */
  private ghostPopup: Popup | null = null;
  private readonly onMove = () => void this.refresh();
  /** The page's language (Chinese until the React side says otherwise). */
  private t: Translate = translator('zh-CN');
  /** What the coverage box shows, kept to redraw it in another language. */
  private coverage: { id: number; name: string; seenPct: number; watched: number; total: number } | null =
    null;
  /** The camera or gate whose form is open (outlined on the map). */
  private selected: { layer: PointLayer; id: number } | null = null;
  /** Draw the distance bands. */
  private bands = false;
  /** Bands per viewshed: a viewshed object is replaced whenever its camera changes. */
  private bandCache = new WeakMap<object, BandView[]>();
  /** Pointer handles live (map/interaction.ts): off while a service area is edited. */
  private enabled = true;
  /**
   * The signed-in user may change cameras and gates (see setEditable): without it nothing on the map
   * starts a drag, the add-gate/camera tool is hidden and a suggested camera cannot be adopted.
   */
  private editable = false;
  /** Whether the layers are loaded at a zoom where the gate tool belongs (shown only to an editor). */
  private gateToolWanted = false;
  private readonly interaction: Interaction;
  private readonly offHandles: () => void;
  /** Holds aim-camera while a form is open and place-point while placing; lets go when the editor opens. */
  private readonly owner: ModeOwner = {
    release: () => {
      this.placing = null;
      this.selected = null;
      this.map.getCanvas().style.cursor = '';
      this.drawGateTool();
      this.opts.onSelect?.(null);
      void this.refresh();
      return true;
    },
  };

  constructor(
    private readonly map: MapLibreMap,
    private readonly opts: SecurityOverlayOptions = {},
  ) {
    this.box = document.createElement('div');
    this.box.className = 'security-coverage';
    this.box.dataset.testid = 'security-coverage';
    this.box.style.cssText = boxCss(10);
    map.getContainer().appendChild(this.box);
    this.gateBox = document.createElement('div');
    this.gateBox.dataset.testid = 'gate-tool';
    this.gateBox.style.cssText = boxCss(56).replace(
      `right:${BOX_RIGHT}px`,
      'left:50%;transform:translateX(-50%)',
    );
    map.getContainer().appendChild(this.gateBox);
    // The coverage box (with 建议机位) moves left of the panels along the right edge (the editor, the
    // dashboard), which stand over it otherwise (issue 9 #2); watchPanelPadding measures them.
    this.panels.observe(map.getContainer(), { attributes: true, attributeFilter: ['data-map-padding'] });
    this.placeBox();
    this.drawGateTool();
    map.addControl(this.overlay);
    map.on('moveend', this.onMove);
    map.on('mousedown', this.onPress);
    map.on('mouseup', this.onRelease);
    map.on('click', this.onClick);
    // Tiles may still be loading (map.loaded() false long after 'load'): refresh at the next idle then.
    if (map.loaded()) void this.refresh();
    else map.once('idle', this.onMove);
    this.interaction = interactionOf(map);
    this.offHandles = this.interaction.addHandles(['browse', 'aim-camera', 'place-point'], {
      setEnabled: (on) => {
        if (this.enabled === on) return;
        this.enabled = on;
        this.render();
      },
    });
  }

  /** Asks the map for the mode that fits: placing, a form open, or plain browsing. False if refused. */
  private syncMode(): boolean {
    if (this.placing) return this.interaction.enter('place-point', this.owner);
    if (this.selected) return this.interaction.enter('aim-camera', this.owner);
    this.interaction.leave(this.owner);
    return true;
  }

  /** Whether the user may edit cameras and gates (signed in as a city admin or a street editor). */
  setEditable(editable: boolean) {
    if (this.editable === editable) return;
    this.editable = editable;
    if (!editable && this.placing) {
      this.placing = null;
      this.map.getCanvas().style.cursor = '';
      this.syncMode();
    }
    this.ghostPopup?.remove();
    this.showGateTool(this.gateToolWanted);
    this.drawGateTool();
  }

  private showGateTool(wanted: boolean) {
    this.gateToolWanted = wanted;
    this.gateBox.style.display = wanted && this.editable ? '' : 'none';
  }

  setVisible(visible: boolean) {
    this.visible = visible;
    this.render();
    if (visible) void this.refresh();
  }

  /** Redraws the boxes in `lang` (the shell's language switch). */
  setLanguage(lang: Language) {
    this.lang = lang;
    this.t = translator(lang);
    this.drawCoverage();
    this.drawGateTool();
  }

  /** Draws the identify / recognise / observe bands (see BANDS_MAX_CAMERAS). */
  setBands(on: boolean) {
    if (this.bands === on) return;
    this.bands = on;
    this.render();
  }

  /** Outlines a camera or gate (the one whose form is open), or none. */
  select(selected: { layer: PointLayer; id: number } | null) {
    this.selected = selected;
    this.syncMode();
    this.render();
  }

  /** A camera's numbers as edited in its form, drawn live before they are saved. */
  preview(id: number, change: Parameters<typeof moveCamera>[3]) {
    this.scene = moveCamera(this.scene, this.index, id, change);
    this.render();
  }

  /** Someone changed cameras or gates (the live feed): read what is in view again. */
  applyRemote() {
    void this.refresh();
  }

  /** Back to what the server last sent (a form closed without saving). */
  revert() {
    void this.refresh();
  }

  /**
   * A camera or gate as the server stored it (after a PUT from the map or a form): drawn there at
   * once, the vector tiles of its layer fetched again, then the coverage box brought up to date.
   */
  applySaved(layer: PointLayer, feature: PointFeature) {
    const id = Number(feature.properties.id ?? feature.id);
    const position = feature.geometry.coordinates.slice(0, 2) as [number, number];
    const p = feature.properties;
    if (layer === 'cameras') {
      this.stored.set(id, feature);
      this.scene = moveCamera(this.scene, this.index, id, {
        position,
        directionDeg: typeof p.direction_deg === 'number' ? p.direction_deg : null,
        fovDeg: Number(p.fov_deg),
        rangeM: Number(p.range_m),
        status: p.status as CameraView['status'],
        system: p.system as CameraView['system'],
      });
    } else {
      this.storedGates.set(id, feature);
      this.scene = updateGate(this.scene, id, {
        position,
        kind: p.kind as GateView['kind'],
        accessControl: p.access_control === true,
      });
    }
    delete this.map.getContainer().dataset.securityError;
    this.render();
    this.refreshTiles(layer);
    void this.refresh();
  }

  /** A camera or gate deleted through its form: gone from the map and from the tiles. */
  applyDeleted(layer: PointLayer, id: number) {
    if (layer === 'cameras') this.stored.delete(id);
    else this.storedGates.delete(id);
    this.scene = withoutPoint(this.scene, layer, id);
    if (this.selected?.layer === layer && this.selected.id === id) this.selected = null;
    this.syncMode();
    this.render();
    this.refreshTiles(layer);
    void this.refresh();
  }

  /**
   * MapLibre keeps the tiles it has: after a write, ask for this layer's tiles again. The URLs stay
   * the same, so the server's ETag check (Cache-Control: no-cache) answers with the new layer version,
   * and its tile cache, keyed by that version, is untouched.
   */
  private refreshTiles(layer: PointLayer) {
    if (!this.map.getSource(layer)) return;
    this.map.refreshTiles(layer);
    const el = this.map.getContainer();
    el.dataset.securityTileRefreshes = String(Number(el.dataset.securityTileRefreshes ?? 0) + 1);
  }

  /** Current scene (for tests and panels). */
  get current(): SecurityScene {
    return this.scene;
  }

  /** The newest reload of what is in view (an older one is aborted when a newer starts). */
  private latest: Promise<void> | null = null;

  /**
   * Reloads the cameras, gates and buildings in view and resolves when the NEWEST reload has ended:
   * a reload started meanwhile (the live feed announcing this very write, a pan) aborts this one, and
   * a caller waiting to open the camera it just placed must wait for that one, or the camera is not
   * there yet and its form never opens.
   */
  private async refresh(): Promise<void> {
    const mine = this.reload();
    this.latest = mine;
    let seen = mine;
    await seen;
    while (this.latest !== seen) {
      seen = this.latest;
      await seen;
    }
  }

  private async reload() {
    this.abort?.abort();
    if (!this.visible || this.map.getZoom() < SECURITY_MIN_ZOOM) {
      this.scene = { cameras: [], gates: [] };
      this.box.style.display = 'none';
      this.showGateTool(false);
      this.render();
      return;
    }
    const ctrl = new AbortController();
    this.abort = ctrl;
    const b = this.map.getBounds();
    const lat = b.getCenter().lat;
    const dLat = FETCH_MARGIN_M / 111_000;
    const dLon = dLat / Math.cos((lat * Math.PI) / 180);
    const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(',');
    const wide = [b.getWest() - dLon, b.getSouth() - dLat, b.getEast() + dLon, b.getNorth() + dLat].join(',');
    try {
      const [cameras, gates, buildings] = await Promise.all([
        getCollection<Point>(`/api/cameras?bbox=${wide}`, ctrl.signal),
        getCollection<Point>(`/api/gates?bbox=${view}`, ctrl.signal),
        getCollection<Polygon | MultiPolygon>(`/api/buildings?bbox=${wide}`, ctrl.signal),
      ]);
      this.index = new BuildingIndex(
        buildings.features.map((f: Feature<Polygon | MultiPolygon>) => f.geometry),
      );
      this.stored = new Map(cameras.features.map((f) => [Number(f.properties.id ?? f.id), f]));
      this.storedGates = new Map(gates.features.map((f) => [Number(f.properties.id ?? f.id), f]));
      this.showGateTool(true);
      this.scene = buildSecurityScene(cameras, gates, this.index);
      this.render();
      await this.showCoverage(ctrl.signal);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') console.warn('security layers:', (e as Error).message);
    }
  }

  /** The 技防 coverage of the service area under the map's centre, in the corner box. */
  private async showCoverage(signal: AbortSignal) {
    const c = this.map.getCenter();
    const d = 1e-6;
    const areas = await getCollection<Polygon>(
      `/api/service-areas?bbox=${[c.lng - d, c.lat - d, c.lng + d, c.lat + d].join(',')}`,
      signal,
    );
    const area = areas.features[0];
    if (!area) {
      this.box.style.display = 'none';
      return;
    }
    const id = Number(area.properties.id ?? area.id);
    const r = await fetch(`/api/security-coverage?service_area=${id}`, { signal });
    if (!r.ok) return;
    const cov = (await r.json()) as { seen_pct: number; gates: { total: number; watched: number } };
    this.coverage = {
      id,
      name: String(area.properties.name ?? id),
      seenPct: cov.seen_pct,
      watched: cov.gates.watched,
      total: cov.gates.total,
    };
    this.drawCoverage();
    this.box.style.display = '';
  }

  private readonly panels = new MutationObserver(() => this.placeBox());

  private placeBox() {
    // Beside the zoom buttons, which styles.css moves to 4 px inside the panels' room.
    const room = panelPadding(this.map).right;
    this.box.style.right = `${BOX_RIGHT + Math.max(0, room - 4)}px`;
  }

  private drawCoverage() {
    const c = this.coverage;
    if (!c) return;
    this.box.dataset.serviceArea = String(c.id);
    this.box.dataset.seenPct = String(c.seenPct);
    this.box.dataset.gatesWatched = String(c.watched);
    this.box.dataset.gatesTotal = String(c.total);
    this.box.textContent =
      this.t('security.coverage', { name: c.name, pct: c.seenPct, watched: c.watched, total: c.total }) + ' ';
    const suggest = document.createElement('button');
    suggest.type = 'button';
    suggest.dataset.testid = 'security-suggest';
    suggest.textContent = this.t('security.suggest');
    suggest.style.font = 'inherit';
    suggest.onclick = () => void this.suggest(c.id);
    this.box.appendChild(suggest);
  }

  /**
   * "Add gate" (a kind, then a click on the map places it) and "Add camera" (a click places a fixed
   * camera, whose form then opens to aim it); Cancel gives up.
   */
  private drawGateTool() {
    const box = this.gateBox;
    box.replaceChildren();
    const kind = document.createElement('select');
    kind.dataset.testid = 'gate-kind';
    kind.style.font = 'inherit';
    for (const k of GATE_KINDS) kind.add(new Option(this.t(`enum.kind.${k}`), k, false, k === this.placing));
    const tool = (testid: string, label: MessageKey, what: () => GateKind | 'camera') => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.testid = testid;
      button.style.font = 'inherit';
      const mine = this.placing !== null && (this.placing === 'camera') === (testid === 'camera-add');
      button.textContent = this.t(mine ? 'security.cancel' : label);
      button.onclick = () => {
        this.placing = mine ? null : what();
        if (!this.syncMode()) this.placing = null;
        this.placeError = null;
        this.map.getCanvas().style.cursor = this.placing ? 'crosshair' : '';
        this.drawGateTool();
      };
      return button;
    };
    box.append(
      kind,
      ' ',
      tool('gate-add', 'security.addGate', () => kind.value as GateKind),
      ' ',
      tool('camera-add', 'security.addCamera', () => 'camera'),
    );
    if (this.placing) {
      const hint = document.createElement('div');
      hint.textContent = this.t(
        this.placing === 'camera' ? 'security.addCameraHint' : 'security.addGateHint',
      );
      box.append(hint);
    }
    if (this.placeError) {
      const error = document.createElement('div');
      error.dataset.testid = 'place-error';
      error.setAttribute('role', 'alert');
      error.style.color = '#b3261e';
      // in the form's words (403 names the street, the indoor rule says what to tick), in this language
      const e = this.placeError;
      const st = (key: SecurityMessageKey, vars?: Record<string, string | number>) =>
        format(SECURITY_MESSAGES[this.lang][key], vars);
      error.textContent = this.t('security.addFailed', {
        message: e instanceof PointApiError ? errorText(e, st, this.lang) : e.message,
      });
      box.append(error);
    }
  }

  private onClick = (e: MapMouseEvent) => {
    if (!this.enabled) return;
    const kind = this.placing;
    if (!kind) {
      // Picked here, when the map says it was clicked, rather than by deck's own onClick: deck answers
      // a click with what it picked at the pointer's press, and on a page's first press it has no
      // picking pass yet, so the first click on a camera or gate was lost (a new user's try).
      const hit = this.overlay.pickObject({
        x: e.point.x,
        y: e.point.y,
        radius: 2,
        layerIds: ['security-cameras', 'security-gates'],
      });
      const id = (hit?.object as { id?: unknown } | undefined)?.id;
      if (hit && typeof id === 'number') {
        this.open(hit.layer?.id === 'security-cameras' ? 'cameras' : 'gates', id);
        return;
      }
      if (!hit && this.selected) {
        this.selected = null;
        this.syncMode();
        this.render();
        this.opts.onSelect?.(null);
      }
      return;
    }
    this.placing = null;
    this.syncMode();
    this.map.getCanvas().style.cursor = '';
    this.drawGateTool();
    void this.place(kind, e.lngLat.lng, e.lngLat.lat);
  };

  /**
   * Stores a new gate or camera (POST) where the map was clicked and reloads what is in view; a new
   * camera's form opens so that it can be aimed. A refusal (e.g. a camera inside a building without
   * 室内, or outside the user's street) is said in the tool box.
   */
  private async place(what: GateKind | 'camera', lon: number, lat: number) {
    const layer: PointLayer = what === 'camera' ? 'cameras' : 'gates';
    const properties =
      what === 'camera'
        ? { type: 'fixed', direction_deg: 0, fov_deg: 85, range_m: 30, status: 'active' }
        : { kind: what };
    let saved: PointFeature;
    try {
      saved = await createPoint(layer, [lon, lat], properties);
    } catch (e) {
      this.placeError = e as Error;
      this.map.getContainer().dataset.securityError = this.placeError.message;
      this.drawGateTool();
      return;
    }
    delete this.map.getContainer().dataset.securityError;
    this.refreshTiles(layer);
    await this.refresh();
    if (layer === 'cameras') this.open('cameras', Number(saved.properties.id ?? saved.id));
  }

  /**
   * Saves a camera or gate changed on the map (PUT with If-Match). A refusal keeps the change on the
   * map and opens the form with the server's answer (a 409 can then be reloaded or overwritten).
   */
  private async savePoint(layer: PointLayer, id: number) {
    const stored = (layer === 'cameras' ? this.stored : this.storedGates).get(id);
    if (!stored) return;
    let next: PointFeature;
    if (layer === 'cameras') {
      const cam = this.scene.cameras.find((c) => c.id === id);
      if (!cam) return;
      next = {
        ...stored,
        geometry: { type: 'Point', coordinates: cam.position },
        properties: {
          ...stored.properties,
          direction_deg: cam.directionDeg,
          fov_deg: cam.fovDeg,
          range_m: cam.rangeM,
          status: cam.status,
        },
      };
    } else {
      const gate = this.scene.gates.find((g) => g.id === id);
      if (!gate) return;
      next = { ...stored, geometry: { type: 'Point', coordinates: gate.position } };
    }
    try {
      const saved = await savePoint(layer, next, versionOf(stored));
      this.applySaved(layer, saved);
      // Its form, if open, goes on from the new version (else its next save would be a 409).
      if (this.selected?.layer === layer && this.selected.id === id)
        this.opts.onSelect?.({ layer, feature: saved });
    } catch (e) {
      const message = (e as Error).message;
      this.map.getContainer().dataset.securityError = message;
      console.warn(`${layer} ${id} not saved:`, message);
      if (e instanceof PointApiError) {
        this.selected = { layer, id };
        this.syncMode();
        this.render();
        this.opts.onSelect?.({ layer, feature: stored, unsaved: next, error: e });
      } else void this.refresh();
    }
  }

  /** Opens the form of a camera or gate (the React panel beside the map). */
  private open(layer: PointLayer, id: number) {
    const feature = (layer === 'cameras' ? this.stored : this.storedGates).get(id);
    if (!feature) return;
    this.selected = { layer, id };
    if (!this.syncMode()) {
      this.selected = null;
      return;
    }
    this.render();
    this.opts.onSelect?.({ layer, feature });
  }

  /** Fetches up to 3 suggested cameras for the area and shows them as ghosts. */
  private async suggest(serviceArea: number) {
    // A heavy read: it needs a login. Signed out, the box says so instead of doing nothing.
    let body: { suggestions: Omit<Ghost, 'key'>[] };
    try {
      body = await getJsonSignedIn(`/api/security-coverage/suggestions?service_area=${serviceArea}&k=3`);
    } catch (e) {
      if (needsSignIn(e)) this.suggestSignIn();
      return;
    }
    this.ghosts = body.suggestions.map((g, i) => ({ ...g, key: i }));
    this.ghostsShown();
    this.render();
  }

  /** The sign-in prompt beside 建议机位 (once). */
  private suggestSignIn() {
    if (this.box.querySelector('[data-testid=security-suggest-sign-in]')) return;
    const note = document.createElement('span');
    note.dataset.testid = 'security-suggest-sign-in';
    note.style.marginLeft = '6px';
    note.textContent = format(SECURITY_MESSAGES[this.lang]['suggest.signIn']);
    this.box.appendChild(note);
  }

  /**
   * A click on a ghost only asks: what the camera would be and see, 采纳 or 取消, beside it. Nothing
   * is written until 采纳.
   */
  private askGhost(ghost: Ghost) {
    this.ghostPopup?.remove();
    const st = (key: SecurityMessageKey, vars?: Record<string, string | number>) =>
      format(SECURITY_MESSAGES[this.lang][key], vars);
    const box = document.createElement('div');
    box.dataset.testid = 'ghost-confirm';
    box.style.cssText = 'font-size:12px;max-width:240px';
    const title = document.createElement('strong');
    title.textContent = st('ghost.title');
    const detail = document.createElement('p');
    detail.style.margin = '4px 0 6px';
    detail.textContent = st('ghost.detail', {
      type: this.t(`enum.type.${ghost.type}`),
      direction:
        ghost.direction_deg === null ? st('ghost.anyDirection') : `${Math.round(ghost.direction_deg)}°`,
      fov: Math.round(ghost.fov_deg),
      range: Math.round(ghost.range_m),
      m2: Math.round(ghost.new_seen_m2),
      gates: ghost.watches_gates.length,
    });
    const button = (testid: string, label: string, primary: boolean, onClick: () => void) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.testid = testid;
      b.textContent = label;
      b.style.cssText = `font:inherit;margin-right:6px;${primary ? 'font-weight:600' : ''}`;
      b.onclick = onClick;
      return b;
    };
    // Not closed by a map click: the click that opened it reaches the map too.
    const popup = new Popup({ closeButton: true, closeOnClick: false, maxWidth: '260px', offset: 16 });
    box.append(title, detail);
    // Only an editor may adopt it; anyone may look at what it would see.
    if (this.editable)
      box.append(
        button('ghost-accept', st('ghost.accept'), true, () => {
          popup.remove();
          void this.accept(ghost);
        }),
      );
    box.append(button('ghost-cancel', st('ghost.cancel'), false, () => popup.remove()));
    popup.setLngLat([ghost.lon, ghost.lat]).setDOMContent(box).addTo(this.map);
    popup.on('close', () => {
      if (this.ghostPopup === popup) this.ghostPopup = null;
    });
    this.ghostPopup = popup;
  }

  /**
   * The ghosts changed: say how many there are, and once the first can be clicked (its icon drawn and
   * pickable) set `data-security-ghosts-ready`, so that a user's or a test's click has something to hit.
   */
  private ghostsShown() {
    const el = this.map.getContainer();
    el.dataset.securityGhosts = String(this.ghosts.length);
    delete el.dataset.securityGhostsReady;
    this.map.off('render', this.onGhostRender);
    if (this.ghosts.length) this.map.on('render', this.onGhostRender);
  }

  private onGhostRender = () => {
    const g = this.ghosts[0];
    if (!g) return;
    setTimeout(() => {
      if (this.ghosts[0] !== g) return;
      const { x, y } = this.map.project([g.lon, g.lat]);
      if (!this.overlay.pickObject({ x, y, radius: 2, layerIds: ['security-ghosts'] })) return;
      this.map.off('render', this.onGhostRender);
      this.map.getContainer().dataset.securityGhostsReady = String(this.ghosts.length);
    }, 0);
  };

  /** Accepting a ghost (after its question) stores it as a planned camera (POST /api/cameras). */
  private async accept(ghost: Ghost) {
    try {
      await createPoint('cameras', [ghost.lon, ghost.lat], {
        name: this.t('security.suggestedName'),
        type: ghost.type,
        direction_deg: ghost.direction_deg,
        fov_deg: ghost.fov_deg,
        range_m: ghost.range_m,
        status: 'planned',
      });
    } catch (e) {
      this.map.getContainer().dataset.securityError = (e as Error).message;
      return;
    }
    this.ghosts = this.ghosts.filter((g) => g !== ghost);
    this.ghostsShown();
    this.refreshTiles('cameras');
    await this.refresh();
  }

  /**
   * A press on a camera or its sector holds the map still at once: deck's drag starts only after the
   * pointer has moved a little, and by then MapLibre would already be panning.
   */
  private onPress = (e: MapMouseEvent) => {
    claimPress(this.map, false);
    if (!this.enabled) return;
    const hit = this.overlay.pickObject({
      x: e.point.x,
      y: e.point.y,
      radius: 2,
      layerIds: ['security-cameras', 'security-viewsheds', 'security-gates', 'security-ghosts'],
    });
    // A camera, gate or ghost owns the click (no card of what lies under it); a sector does not, so a
    // click inside one still opens the building there.
    claimPress(this.map, hit !== null && hit.layer?.id !== 'security-viewsheds');
    // A reader's drag on a camera pans the map: only an editor's moves the camera.
    if (hit && this.editable) this.map.dragPan.disable();
  };

  private onRelease = () => {
    if (this.dragging === null) this.map.dragPan.enable();
  };

  private onDragStart = (info: PickingInfo<CameraView>) => {
    if (!info.object || !this.editable) return false;
    this.dragging = { id: info.object.id, mode: 'move' };
    this.map.dragPan.disable();
    return true;
  };

  /** Dragging inside a sector aims the camera at the pointer and stretches its range to it. */
  private onAimStart = (info: PickingInfo<Feature<Geometry, Props>>) => {
    if (!info.object || !this.editable) return false;
    this.dragging = { id: Number(info.object.properties.id), mode: 'aim' };
    this.map.dragPan.disable();
    return true;
  };

  private onGateDragStart = (info: PickingInfo<GateView>) => {
    if (!info.object || !this.editable) return false;
    this.dragging = { id: info.object.id, mode: 'gate' };
    this.map.dragPan.disable();
    return true;
  };

  private onDrag = (info: PickingInfo<unknown>) => {
    const d = this.dragging;
    if (d === null || !info.coordinate) return false;
    const [lon, lat] = info.coordinate as [number, number];
    if (d.mode === 'gate') {
      const gates = this.scene.gates.map((g) =>
        g.id === d.id ? { ...g, position: [lon, lat] as [number, number] } : g,
      );
      this.scene = { ...this.scene, gates };
      this.render();
      return true;
    }
    const cam = this.scene.cameras.find((c) => c.id === d.id);
    if (!cam) return false;
    const change = d.mode === 'move' ? { position: [lon, lat] as [number, number] } : aimAt(cam, lon, lat);
    this.scene = moveCamera(this.scene, this.index, d.id, change);
    this.render();
    return true;
  };

  private onDragEnd = () => {
    const d = this.dragging;
    this.dragging = null;
    this.map.dragPan.enable();
    if (d !== null) void this.savePoint(d.mode === 'gate' ? 'gates' : 'cameras', d.id);
    return true;
  };

  private render() {
    const { cameras, gates } = this.visible ? this.scene : { cameras: [], gates: [] };
    const sheds = cameras.filter((c) => c.viewshed !== null);
    const el = this.map.getContainer();
    el.dataset.securityCameras = String(cameras.length);
    el.dataset.securityGatesWatched = gates
      .filter((g) => g.watched)
      .map((g) => g.id)
      .join(',');
    el.dataset.securityGatesUnwatched = gates
      .filter((g) => !g.watched)
      .map((g) => g.id)
      .join(',');
    const bands = this.visibleBands(cameras);
    const icons = this.iconCameras(cameras);
    el.dataset.securityCameraIcons = String(icons.length);
    // (beforeId is read by @deck.gl/maplibre in interleaved mode; the layers' own types do not list it)
    const below: object = this.map.getLayer(FIRST_LABEL_LAYER) ? { beforeId: FIRST_LABEL_LAYER } : {};
    el.dataset.securityBands = String(bands.length);
    const sel = this.selected;
    const selectedAt =
      sel === null
        ? null
        : sel.layer === 'cameras'
          ? cameras.find((c) => c.id === sel.id)?.position
          : gates.find((g) => g.id === sel.id)?.position;
    this.overlay.setProps({
      layers: [
        new GeoJsonLayer<Props>({
          id: 'security-viewsheds',
          ...below,
          data: {
            type: 'FeatureCollection',
            features: sheds.map((c) => ({
              type: 'Feature',
              geometry: c.viewshed!,
              properties: { id: c.id, system: c.system, status: c.status },
            })),
          } as FeatureCollection<Polygon, Props>,
          filled: true,
          stroked: true,
          getFillColor: (f: Feature<Geometry, Props>) =>
            [
              ...SYSTEM_COLORS[f.properties.system as CameraView['system']],
              f.properties.status === 'active' ? 60 : 20,
            ] as [number, number, number, number],
          getLineColor: (f: Feature<Geometry, Props>) =>
            [...SYSTEM_COLORS[f.properties.system as CameraView['system']], 160] as [
              number,
              number,
              number,
              number,
            ],
          lineWidthUnits: 'pixels',
          getLineWidth: 1,
          pickable: this.enabled,
          onDragStart: this.onAimStart,
          onDrag: this.onDrag,
          onDragEnd: this.onDragEnd,
        }),
        new GeoJsonLayer<Props>({
          id: 'security-bands',
          ...below,
          data: {
            type: 'FeatureCollection',
            features: bands.map((b) => ({
              type: 'Feature',
              geometry: b.geometry,
              properties: { camera_id: b.cameraId, band: b.band },
            })),
          } as FeatureCollection<Polygon, Props>,
          filled: true,
          stroked: true,
          getFillColor: (f: Feature<Geometry, Props>) =>
            [...BAND_COLORS[f.properties.band as BandView['band']], 90] as [number, number, number, number],
          getLineColor: (f: Feature<Geometry, Props>) =>
            [...BAND_COLORS[f.properties.band as BandView['band']], 220] as [number, number, number, number],
          lineWidthUnits: 'pixels',
          getLineWidth: 1,
        }),
        new ScatterplotLayer<[number, number]>({
          id: 'security-selected',
          ...below,
          data: selectedAt ? [selectedAt] : [],
          getPosition: (p) => p,
          getRadius: 16,
          radiusUnits: 'pixels',
          filled: false,
          stroked: true,
          getLineColor: [0, 229, 255, 255],
          lineWidthUnits: 'pixels',
          getLineWidth: 3,
        }),
        new ScatterplotLayer<GateView>({
          id: 'security-gates',
          ...below,
          data: gates,
          getPosition: (g) => g.position,
          getRadius: (g) => GATE_RADIUS[g.kind],
          radiusUnits: 'pixels',
          getFillColor: (g) => (g.watched ? [34, 160, 80, 230] : [220, 40, 40, 230]),
          getLineColor: (g) => (g.accessControl ? [...ACCESS_CONTROL_COLOR, 255] : [255, 255, 255, 255]),
          stroked: true,
          lineWidthUnits: 'pixels',
          getLineWidth: (g) => (g.accessControl ? 3 : 1.5),
          pickable: this.enabled,
          updateTriggers: {
            getFillColor: gates.map((g) => g.watched).join(),
            getLineColor: gates.map((g) => g.accessControl).join(),
            getLineWidth: gates.map((g) => g.accessControl).join(),
            getPosition: gates.map((g) => g.position.join(' ')).join(),
          },
          onDragStart: this.onGateDragStart,
          onDrag: this.onDrag,
          onDragEnd: this.onDragEnd,
        }),
        new IconLayer<CameraView>({
          id: 'security-cameras',
          ...below,
          data: icons,
          getPosition: (c) => c.position,
          getIcon: (c) => cameraIcon(c.system, c.status),
          getSize: 26,
          sizeUnits: 'pixels',
          pickable: this.enabled,
          onDragStart: this.onDragStart,
          onDrag: this.onDrag,
          onDragEnd: this.onDragEnd,
        }),
        new GeoJsonLayer<Props>({
          id: 'security-ghost-viewsheds',
          ...below,
          data: {
            type: 'FeatureCollection',
            features: this.ghosts
              .filter((g) => g.viewshed)
              .map((g) => ({ type: 'Feature', geometry: g.viewshed!, properties: { key: g.key } })),
          } as FeatureCollection<Polygon, Props>,
          getFillColor: [255, 160, 0, 50],
          getLineColor: [230, 120, 0, 200],
          lineWidthUnits: 'pixels',
          getLineWidth: 1.5,
        }),
        new IconLayer<Ghost>({
          id: 'security-ghosts',
          ...below,
          data: this.ghosts,
          getPosition: (g) => [g.lon, g.lat],
          getIcon: () => cameraIcon('other', 'planned'),
          getSize: 26,
          sizeUnits: 'pixels',
          opacity: 0.8,
          pickable: this.enabled,
          onClick: (info: PickingInfo<Ghost>) => {
            if (info.object) this.askGhost(info.object);
            return true;
          },
        }),
      ],
    });
  }

  /**
   * The cameras that get an icon: all from ALL_CAMERA_ICONS_ZOOM, below it one per pile — the
   * selected or dragged camera first, then active ones (the tiles still show every camera as a dot).
   */
  private iconCameras(cameras: CameraView[]): CameraView[] {
    if (this.map.getZoom() >= ALL_CAMERA_ICONS_ZOOM) return cameras;
    const sel = this.selected;
    const busy = this.dragging?.mode === 'gate' ? null : (this.dragging?.id ?? null);
    const rank = (c: CameraView) =>
      (sel?.layer === 'cameras' && sel.id === c.id) || busy === c.id ? 0 : c.status === 'active' ? 1 : 2;
    return declutter(
      cameras,
      (c) => this.map.project(c.position),
      ICON_COLLISION_PX,
      (a, b) => rank(a) - rank(b),
    );
  }

  /**
   * The bands to draw: every camera's in view up to BANDS_MAX_CAMERAS, else only the selected one's.
   * Cached by viewshed, so panning recomputes nothing and a drag only the dragged camera.
   */
  private visibleBands(cameras: CameraView[]): BandView[] {
    const el = this.map.getContainer();
    if (!this.bands) {
      delete el.dataset.securityBandsScope;
      return [];
    }
    const all = cameras.length <= BANDS_MAX_CAMERAS;
    el.dataset.securityBandsScope = all ? 'all' : 'selected';
    const sel = this.selected;
    const chosen = all ? cameras : cameras.filter((c) => sel?.layer === 'cameras' && c.id === sel.id);
    const out: BandView[] = [];
    for (const c of chosen) {
      if (!c.viewshed) continue;
      let b = this.bandCache.get(c.viewshed);
      if (!b) {
        b = cameraBands(c, this.index);
        this.bandCache.set(c.viewshed, b);
      }
      out.push(...b);
    }
    return out.sort((a, b) => BAND_ORDER.indexOf(a.band) - BAND_ORDER.indexOf(b.band));
  }

  destroy() {
    this.offHandles();
    this.interaction.leave(this.owner);
    this.abort?.abort();
    this.map.off('moveend', this.onMove);
    this.map.off('idle', this.onMove);
    this.map.off('mousedown', this.onPress);
    this.map.off('mouseup', this.onRelease);
    this.map.off('click', this.onClick);
    this.ghostPopup?.remove();
    this.map.off('render', this.onGhostRender);
    this.panels.disconnect();
    this.gateBox.remove();
    this.box.remove();
    this.map.removeControl(this.overlay);
    this.overlay.finalize();
  }
}
