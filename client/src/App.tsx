import type { Polygon } from 'geojson';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Basemap, BasemapChoice } from '../../core/basemaps.ts';
import {
  fetchBasemaps,
  fetchConfig,
  fetchFeatures,
  fetchJurisdictions,
  search,
  type SearchResult,
} from './api.ts';
import { offlineOf, resolveBasemap } from './map/basemap.ts';
import { useI18n } from './i18n/I18n.tsx';
import { LiveUpdates } from './live/LiveUpdates.tsx';
import type { MapController, PickedFeature } from './map/controller.ts';
import { MapTools } from './map/MapTools.tsx';
import { MapView } from './map/MapView.tsx';
import { SecurityLayers } from './map/security/SecurityLayers.tsx';
import { DEFAULT_VISIBILITY, LAYER_GROUPS, type LayerGroup, type LayerVisibility } from './map/style.ts';
import { useDashboardText } from './dashboard/messages.ts';
import { showDashboardOverlay, type DashboardOverlay } from './map/dashboard-overlay.ts';
import { watchPanelPadding } from './map/panel-padding.ts';
import { AttributePanel, type Picked } from './panels/AttributePanel.tsx';
import { useCompoundText } from './panels/compound/messages.ts';
import { EditorStore } from './editor/store.ts';
import { EditorPanel, type PendingDraft } from './panels/editor/EditorPanel.tsx';
import { PanelBoundary } from './panels/PanelBoundary.tsx';
import { LayerPanel } from './panels/LayerPanel.tsx';
import { SearchBox } from './panels/SearchBox.tsx';
import { UsersButton, UsersPanel } from './panels/users/UsersPanel.tsx';
import { ExchangeButtons } from './panels/exchange/ExchangeButtons.tsx';
import { ExportDialog } from './panels/exchange/ExportDialog.tsx';
import { ImportPage } from './panels/exchange/ImportPage.tsx';

// Panels nobody sees before a click: chunks of their own, so the first paint does not wait for them.
const Dashboard = lazy(() => import('./dashboard/Dashboard.tsx').then((m) => ({ default: m.Dashboard })));
const AboutDialog = lazy(() => import('./panels/AboutDialog.tsx').then((m) => ({ default: m.AboutDialog })));
const HelpDialog = lazy(() => import('./panels/HelpDialog.tsx').then((m) => ({ default: m.HelpDialog })));
const SurveyDialog = lazy(() =>
  import('./panels/compound/SurveyDialog.tsx').then((m) => ({ default: m.SurveyDialog })),
);

const LAYERS_KEY = 'wuyou.layers';
const BASEMAP_KEY = 'wuyou.basemap';

function storedBasemap(): BasemapChoice | null {
  try {
    return (localStorage.getItem(BASEMAP_KEY) as BasemapChoice | null) ?? null;
  } catch {
    return null;
  }
}

function storedVisibility(): LayerVisibility {
  try {
    const saved = JSON.parse(localStorage.getItem(LAYERS_KEY) ?? '{}') as Record<string, unknown>;
    const v = { ...DEFAULT_VISIBILITY };
    for (const g of LAYER_GROUPS) if (typeof saved[g] === 'boolean') v[g] = saved[g];
    return v;
  } catch {
    return { ...DEFAULT_VISIBILITY };
  }
}

/** Whether the page was opened on a given view (`#zoom/lat/lon`), which then wins over the district fit. */
const openedOnView = window.location.hash.length > 1;

/** Fits the map to the district (区县) once, from its search hit's extent. */
async function fitDistrict(map: MapController) {
  const all = await fetchJurisdictions();
  const district = all.find((j) => j.level === 'district');
  if (!district) return;
  const hits = await search(district.name);
  const hit = hits.find((r) => r.kind === 'jurisdiction' && r.id === district.code);
  if (hit?.bbox) map.fitBbox(hit.bbox, { animate: false });
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const { t: dashboardText } = useDashboardText();
  const [config, setConfig] = useState<{ tiandituKey: string | null; offline: Basemap[] } | null>(null);
  const [wantedBasemap, setWantedBasemap] = useState<BasemapChoice | null>(storedBasemap);
  const [map, setMap] = useState<MapController | null>(null);
  const [visibility, setVisibility] = useState<LayerVisibility>(storedVisibility);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [about, setAbout] = useState(false);
  const [help, setHelp] = useState(false);
  const [dashboard, setDashboard] = useState(false);
  const [survey, setSurvey] = useState(false);
  const [users, setUsers] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [importing, setImporting] = useState(false);
  const { t: compoundText } = useCompoundText();
  const [error, setError] = useState<string | null>(null);
  // A gap or proposal the dashboard hands to the editor as a new draft area.
  const [pendingDraft, setPendingDraft] = useState<PendingDraft | null>(null);
  const onDraft = useCallback((geometry: Polygon, attributes: PendingDraft['attributes']) => {
    setPendingDraft({ geometry, attributes });
  }, []);
  const onDraftTaken = useCallback(() => setPendingDraft(null), []);
  // The editor's state lives here, outside its panel's error boundary: a fault keeps the draft.
  const editorStore = useMemo(() => new EditorStore(), []);
  const editorUnsaved = useCallback(() => editorStore.getState().draft?.geometry ?? null, [editorStore]);
  const onOverlay = useCallback(
    (overlay: DashboardOverlay) => {
      if (map) showDashboardOverlay(map.maplibre, overlay);
    },
    [map],
  );

  useEffect(() => {
    const offline = fetchBasemaps().catch((e: Error) => {
      console.warn('GET /api/basemaps failed:', e.message);
      return [];
    });
    fetchConfig()
      .then(async (c) => setConfig({ tiandituKey: c.tiandituKey, offline: await offline }))
      .catch(async (e: Error) => {
        // Without the config the map still works offline; only the optional basemap is lost.
        console.warn('GET /api/config failed:', e.message);
        setConfig({ tiandituKey: null, offline: await offline });
      });
  }, []);

  useEffect(() => {
    if (!map) return;
    const ac = new AbortController();
    fetchFeatures('jurisdictions', [-180, -90, 180, 90], ac.signal)
      .then((fc) => map.setJurisdictionLabels(fc))
      .catch((e: Error) => {
        if (e.name !== 'AbortError') console.warn('could not place the street names:', e.message);
      });
    return () => ac.abort();
  }, [map]);

  // Zoom targets land beside the dashboard, the editor and the legend, not under them.
  const workspace = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!map || !workspace.current) return;
    return watchPanelPadding(map.maplibre, workspace.current, {
      right: ['[data-testid=dashboard]', '[data-testid=editor-panel]'],
      left: ['[data-testid=layer-panel]'],
    });
  }, [map]);

  useEffect(() => {
    if (!map || openedOnView) return;
    fitDistrict(map).catch((e: Error) => console.warn('could not fit the district:', e.message));
  }, [map]);

  const shown = picked ? picked.features[picked.index] : undefined;
  useEffect(() => {
    map?.select(shown ? { layer: shown.layer, key: shown.key } : null);
  }, [map, shown]);

  const onPick = useCallback((features: PickedFeature[], at: [number, number]) => {
    setPicked(features.length ? { features, index: 0, at } : null);
  }, []);

  const onToggle = useCallback((group: LayerGroup, visible: boolean) => {
    setVisibility((v) => {
      const next = { ...v, [group]: visible };
      try {
        localStorage.setItem(LAYERS_KEY, JSON.stringify(next));
      } catch {
        // not persisted
      }
      return next;
    });
  }, []);

  const basemap = config ? resolveBasemap(wantedBasemap, config) : null;
  /** A basemap chosen in the layer panel (after an upload, with the new list): an offline one is flown to. */
  const onBasemap = useCallback(
    (choice: BasemapChoice | null, offline?: Basemap[]) => {
      if (offline) setConfig((c) => (c ? { ...c, offline } : c));
      setWantedBasemap(choice);
      try {
        if (choice) localStorage.setItem(BASEMAP_KEY, choice);
        else localStorage.removeItem(BASEMAP_KEY);
      } catch {
        // not persisted
      }
      const b = offlineOf(choice, offline ?? config?.offline ?? []);
      if (b) map?.fitBbox(b.bounds, { maxZoom: b.maxZoom });
    },
    [map, config],
  );

  const onChoose = useCallback(
    (r: SearchResult) => {
      if (r.bbox) map?.fitBbox(r.bbox, { maxZoom: r.kind === 'compound' ? 17 : 15 });
    },
    [map],
  );

  return (
    <div className="app">
      <header className="topbar" data-testid="topbar">
        <div className="brand">
          <h1 data-testid="app-title">{t('app.title')}</h1>
          <span className="subtitle">{t('app.subtitle')}</span>
        </div>
        <SearchBox onChoose={onChoose} />
        <div className="actions">
          <button
            type="button"
            className="button"
            data-testid="lang-switch"
            title={t('lang.switchTitle')}
            onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
          >
            {t('lang.switch')}
          </button>
          <button
            type="button"
            className="button"
            data-testid="dashboard-button"
            onClick={() => setDashboard((d) => !d)}
          >
            {dashboardText('open')}
          </button>
          <button
            type="button"
            className="button"
            data-testid="survey-button"
            onClick={() => setSurvey(true)}
          >
            {compoundText('survey.open')}
          </button>
          <button type="button" className="button" data-testid="help-button" onClick={() => setHelp(true)}>
            {t('help.button')}
          </button>
          <ExchangeButtons onExport={() => setExporting(true)} onImport={() => setImporting(true)} />
          <UsersButton onOpen={() => setUsers(true)} />
          <button type="button" className="button" data-testid="about-button" onClick={() => setAbout(true)}>
            {t('about.button')}
          </button>
        </div>
      </header>
      <main className="workspace" ref={workspace}>
        {config && (
          <MapView
            lang={lang}
            visibility={visibility}
            tiandituKey={config.tiandituKey}
            basemap={basemap}
            offline={config.offline}
            onPick={onPick}
            onError={setError}
            onReady={setMap}
          />
        )}
        {/* Each panel in its own error boundary: a fault there leaves the map and the others running. */}
        <PanelBoundary name="layers">
          <LayerPanel
            visibility={visibility}
            onToggle={onToggle}
            hasTianditu={!!config?.tiandituKey}
            offline={config?.offline ?? []}
            basemap={basemap}
            onBasemap={onBasemap}
          />
        </PanelBoundary>
        <PanelBoundary name="map-tools">
          <MapTools map={map?.maplibre ?? null} />
        </PanelBoundary>
        {picked && (
          <PanelBoundary name="attributes">
            <AttributePanel
              picked={picked}
              onShow={(index) => setPicked({ ...picked, index })}
              onClose={() => setPicked(null)}
            />
          </PanelBoundary>
        )}
        <PanelBoundary name="editor" unsaved={editorUnsaved}>
          <EditorPanel
            map={map?.maplibre ?? null}
            store={editorStore}
            pendingDraft={pendingDraft}
            onDraftTaken={onDraftTaken}
          />
        </PanelBoundary>
        <PanelBoundary name="security">
          <SecurityLayers
            map={map?.maplibre ?? null}
            visible={visibility.cameras || visibility.gates}
            onSelect={() => setPicked(null)}
          />
        </PanelBoundary>
        {users && (
          <PanelBoundary name="users">
            <UsersPanel onClose={() => setUsers(false)} />
          </PanelBoundary>
        )}
        {importing && (
          <PanelBoundary name="import">
            <ImportPage map={map?.maplibre ?? null} onClose={() => setImporting(false)} />
          </PanelBoundary>
        )}
        {dashboard && (
          <PanelBoundary name="dashboard">
            <Suspense fallback={null}>
              <Dashboard
                onClose={() => setDashboard(false)}
                onZoom={(b, maxZoom) => map?.fitBbox(b, { maxZoom })}
                mapImage={map?.maplibre ?? null}
                onDraft={onDraft}
                onOverlay={onOverlay}
              />
            </Suspense>
          </PanelBoundary>
        )}
        <PanelBoundary name="live">
          <LiveUpdates map={map} />
        </PanelBoundary>
        {error && (
          <div className="banner error" role="alert" data-testid="map-error">
            {t('map.failed', { message: error })}
          </div>
        )}
      </main>
      {about && (
        <PanelBoundary name="about">
          <Suspense fallback={null}>
            <AboutDialog onClose={() => setAbout(false)} />
          </Suspense>
        </PanelBoundary>
      )}
      {help && (
        <PanelBoundary name="help">
          <Suspense fallback={null}>
            <HelpDialog onClose={() => setHelp(false)} />
          </Suspense>
        </PanelBoundary>
      )}
      {exporting && (
        <PanelBoundary name="export">
          <ExportDialog onClose={() => setExporting(false)} />
        </PanelBoundary>
      )}
      {survey && (
        <PanelBoundary name="survey">
          <Suspense fallback={null}>
            <SurveyDialog onClose={() => setSurvey(false)} />
          </Suspense>
        </PanelBoundary>
      )}
    </div>
  );
}
