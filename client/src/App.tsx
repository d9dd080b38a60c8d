import type { Polygon } from 'geojson';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Basemap, BasemapChoice } from '../../core/basemaps.ts';
import { fetchConfig, fetchFeatures, pageConfig, type Bbox, type SearchResult } from './api.ts';
import { offlineOf, resolveBasemap } from './map/basemap.ts';
import { useI18n } from './i18n/I18n.tsx';
import { LiveUpdates } from './live/LiveUpdates.tsx';
import type { MapController, PanelRoom, PickedFeature } from './map/controller.ts';
import { MapTools } from './map/MapTools.tsx';
import { MapView } from './map/MapView.tsx';
import { SecurityLayers } from './map/security/SecurityLayers.tsx';
import { DEFAULT_VISIBILITY, LAYER_GROUPS, type LayerGroup, type LayerVisibility } from './map/style.ts';
import { useDashboardText } from './dashboard/messages.ts';
import { showDashboardOverlay, type DashboardOverlay } from './map/dashboard-overlay.ts';
import { panelRoom, watchPanelPadding, type PanelSides } from './map/panel-padding.ts';
import { AttributePanel, type Picked } from './panels/AttributePanel.tsx';
import { useCompoundText } from './panels/compound/messages.ts';
import { EditorStore } from './editor/store.ts';
import { EditorPanel, type PendingDraft } from './panels/editor/EditorPanel.tsx';
import { DockTabs, type DockPanel } from './panels/DockTabs.tsx';
import { PanelBoundary } from './panels/PanelBoundary.tsx';
import { LayerPanel } from './panels/LayerPanel.tsx';
import { SearchBox } from './panels/SearchBox.tsx';
import { UsersButton, UsersPanel } from './panels/users/UsersPanel.tsx';
import { SessionButton } from './panels/account/SessionButton.tsx';
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

/** Panels over the map that zoom targets keep clear of. */
const PANEL_SIDES: PanelSides = {
  right: ['[data-testid=dashboard]', '[data-testid=editor-panel]'],
  left: ['[data-testid=layer-panel]'],
};

interface MapConfig {
  tiandituKey: string | null;
  offline: Basemap[];
  /** The district's extent, which the map opens on (unless the URL names a view). */
  home: Bbox | null;
}

/** The config the server wrote into the page: with it the map starts at once (issue 9 #14). */
function configOfPage(): MapConfig | null {
  const c = pageConfig();
  return c && { tiandituKey: c.tiandituKey, offline: c.basemaps, home: c.home };
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const { t: dashboardText } = useDashboardText();
  const [config, setConfig] = useState<MapConfig | null>(configOfPage);
  const [wantedBasemap, setWantedBasemap] = useState<BasemapChoice | null>(storedBasemap);
  const [map, setMap] = useState<MapController | null>(null);
  const [visibility, setVisibility] = useState<LayerVisibility>(storedVisibility);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [about, setAbout] = useState(false);
  const [help, setHelp] = useState(false);
  const [dashboard, setDashboard] = useState(false);
  // The editor and the dashboard share the right-hand dock; while both are open one is in front.
  const [editorOpen, setEditorOpen] = useState(false);
  const [front, setFront] = useState<DockPanel>('editor');
  const onEditorOpen = useCallback((open: boolean) => {
    setEditorOpen(open);
    if (open) setFront('editor');
  }, []);
  const docked = editorOpen && dashboard;
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
    setFront('editor');
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

  // A page without the config in it (Vite's dev server, or the database was down) asks for it.
  const configInPage = useRef(config !== null);
  useEffect(() => {
    if (configInPage.current) return;
    fetchConfig()
      .then((c) => setConfig({ tiandituKey: c.tiandituKey, offline: c.basemaps, home: c.home }))
      .catch((e: Error) => {
        // Without the config the map still works offline; only the optional basemap is lost.
        console.warn('GET /api/config failed:', e.message);
        setConfig({ tiandituKey: null, offline: [], home: null });
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
    return watchPanelPadding(map.maplibre, workspace.current, PANEL_SIDES);
  }, [map]);

  // The map opens on the district, beside the legend, in its first frame: no tiles for a view it leaves.
  const homeBbox = config?.home;
  const home = useMemo(
    () =>
      homeBbox
        ? {
            bbox: homeBbox,
            room: (): PanelRoom => {
              const ws = workspace.current;
              const container = ws?.querySelector<HTMLElement>('[data-testid=map]');
              return ws && container
                ? panelRoom(container, ws, PANEL_SIDES)
                : { top: 0, right: 0, bottom: 0, left: 0 };
            },
          }
        : null,
    [homeBbox],
  );

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
      if (r.bbox) map?.fitBbox(r.bbox, { maxZoom: r.kind === 'jurisdiction' ? 15 : 17 });
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
            aria-pressed={dashboard}
            onClick={() => {
              // Behind the editor, the button brings it forward; in front (or alone), it closes it.
              if (docked && front !== 'dashboard') setFront('dashboard');
              else {
                setDashboard(!dashboard);
                setFront('dashboard');
              }
            }}
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
          <SessionButton editorOpen={editorOpen} />
        </div>
      </header>
      <main className={docked ? `workspace docked front-${front}` : 'workspace'} ref={workspace}>
        {config && (
          <MapView
            lang={lang}
            visibility={visibility}
            tiandituKey={config.tiandituKey}
            basemap={basemap}
            offline={config.offline}
            home={home}
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
            onOpenChange={onEditorOpen}
          />
        </PanelBoundary>
        {docked && <DockTabs front={front} onFront={setFront} store={editorStore} />}
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
