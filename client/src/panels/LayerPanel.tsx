import type { ReactNode } from 'react';
import type { Basemap, BasemapChoice } from '../../../core/basemaps.ts';
import { BasemapSwitch, type BasemapSwitchProps } from './BasemapSwitch.tsx';
import { useIsAdmin } from './users/UsersPanel.tsx';
import { useDashboardText } from '../dashboard/messages.ts';
import { useRemembered } from '../dashboard/remembered.ts';
import { DISTANCE_BANDS } from '../../../core/viewshed/index.ts';
import { COMPOUND_CATEGORIES } from '../../../core/vocabulary.ts';
import { useI18n } from '../i18n/I18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { ACCESS_CONTROL_COLOUR, BAND_COLOURS } from '../map/security/icons.ts';
import {
  BANDS_MAX_CAMERAS,
  SECURITY_MIN_ZOOM,
  setSecurityOptions,
  useSecurityOptions,
} from '../map/security/options.ts';
import type { LayerGroup, LayerVisibility } from '../map/style.ts';
import { useSecurityText } from './security/messages.ts';
import './security/security.css';
import {
  BASEMAP_COLOURS,
  BUILDING_COLOURS,
  CAMERA_COLOURS,
  COMPOUND_COLOURS,
  GATE_COLOURS,
  JURISDICTION_COLOURS,
  SERVICE_AREA_COLOURS,
  UNCOVERED_THREE_NO_OUTLINE,
} from '../palette.ts';

export interface LayerPanelProps {
  visibility: LayerVisibility;
  onToggle(group: LayerGroup, visible: boolean): void;
  /** Whether a 天地图 basemap is configured. */
  hasTianditu: boolean;
  /** The offline basemaps (离线底图) this server serves, and the one shown (group `tianditu`). */
  offline: readonly Basemap[];
  basemap: BasemapChoice | null;
  onBasemap: BasemapSwitchProps['onBasemap'];
}

/** Top of the map first, as in a GIS table of contents. */
const ORDER: LayerGroup[] = [
  'cameras',
  'gates',
  'buildings',
  'compounds',
  'service-areas',
  'jurisdictions',
  'basemap',
  'tianditu',
];

/** 图层 and 图例 in one list: each layer's switch with its symbols under it. */
export function LayerPanel({
  visibility,
  onToggle,
  hasTianditu,
  offline,
  basemap,
  onBasemap,
}: LayerPanelProps) {
  const admin = useIsAdmin();
  // The basemap row: when there is something to choose, or for an admin who may add a file.
  const hasBasemaps = hasTianditu || offline.length > 0 || admin;
  const { t } = useI18n();
  const { t: d } = useDashboardText();
  const [collapsed, setCollapsed] = useRemembered(COLLAPSED_KEY);
  const toggle = d(collapsed ? 'legend.expand' : 'legend.collapse');
  return (
    <aside
      className={collapsed ? 'panel left collapsed' : 'panel left'}
      data-testid="layer-panel"
      data-collapsed={collapsed ? 'true' : 'false'}
    >
      <header className="panel-head">
        <h2>
          {t('layers.title')} · {t('legend.title')}
        </h2>
        <button
          type="button"
          className="collapse"
          aria-expanded={!collapsed}
          aria-label={toggle}
          title={toggle}
          data-testid="layer-panel-collapse"
          onClick={() => setCollapsed(!collapsed)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
      </header>
      {!collapsed && (
        <ul className="layers">
          {ORDER.filter((g) => g !== 'tianditu' || hasBasemaps).map((g) => (
            <li key={g} className={visibility[g] ? '' : 'off'}>
              <label>
                <input
                  type="checkbox"
                  data-testid={`layer-toggle-${g}`}
                  checked={visibility[g]}
                  onChange={(e) => onToggle(g, e.target.checked)}
                />
                {t(`layer.${g}` as MessageKey)}
              </label>
              <Legend group={g} />
              {g === 'cameras' && <BandsSwitch disabled={!visibility.cameras} />}
              {g === 'gates' && <GateRings />}
              {g === 'tianditu' && (
                <BasemapSwitch
                  hasTianditu={hasTianditu}
                  offline={offline}
                  basemap={basemap}
                  disabled={!visibility.tianditu}
                  onBasemap={onBasemap}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

const COLLAPSED_KEY = 'wuyou.layerPanel.collapsed';

function Swatch({
  fill,
  line,
  dashed,
  round,
  children,
}: {
  fill?: string;
  line?: string;
  dashed?: boolean;
  round?: boolean;
  children: ReactNode;
}) {
  return (
    <li>
      <span
        className="swatch"
        style={{
          background: fill ?? 'transparent',
          border: line ? `2px ${dashed ? 'dashed' : 'solid'} ${line}` : undefined,
          ...(round ? { borderRadius: '50%', width: 11, margin: '0 2.5px' } : {}),
        }}
      />
      {children}
    </li>
  );
}

/** What the security overlay adds to the gates from SECURITY_MIN_ZOOM: watched or not, and 门禁. */
function GateRings() {
  const { t } = useSecurityText();
  return (
    <ul className="legend" data-testid="legend-gate-rings">
      <Swatch fill="rgb(34,160,80)" round>
        {t('legend.gateWatched', { zoom: SECURITY_MIN_ZOOM })}
      </Swatch>
      <Swatch fill="rgb(220,40,40)" round>
        {t('legend.gateUnwatched', { zoom: SECURITY_MIN_ZOOM })}
      </Swatch>
      <Swatch fill="#ffffff" line={ACCESS_CONTROL_COLOUR} round>
        {t('legend.accessControl')}
      </Swatch>
    </ul>
  );
}

/** 距离分带: the DORI bands of the cameras in view, with their colours. */
function BandsSwitch({ disabled }: { disabled: boolean }) {
  const { t } = useSecurityText();
  const { bands } = useSecurityOptions();
  const pct = (f: number) => Math.round(f * 100);
  return (
    <div className={`bands ${bands && !disabled ? '' : 'off'}`} data-testid="legend-bands">
      <label>
        <input
          type="checkbox"
          data-testid="security-bands-toggle"
          checked={bands}
          disabled={disabled}
          onChange={(e) => setSecurityOptions({ bands: e.target.checked })}
        />
        {t('bands.toggle')}
      </label>
      {bands && (
        <ul className="legend">
          <Swatch fill={BAND_COLOURS.identify}>
            {t('bands.identify', { pct: pct(DISTANCE_BANDS.identify) })}
          </Swatch>
          <Swatch fill={BAND_COLOURS.recognise}>
            {t('bands.recognise', { pct: pct(DISTANCE_BANDS.recognise) })}
          </Swatch>
          <Swatch fill={BAND_COLOURS.observe}>{t('bands.observe')}</Swatch>
          <li className="note">{t('bands.note', { max: BANDS_MAX_CAMERAS, zoom: SECURITY_MIN_ZOOM })}</li>
        </ul>
      )}
    </div>
  );
}

function Legend({ group }: { group: LayerGroup }) {
  const { t } = useI18n();
  const cat = (c: string) => t(`enum.category.${c}` as MessageKey);
  switch (group) {
    case 'buildings':
      return (
        <ul className="legend" data-testid="legend-buildings">
          {COMPOUND_CATEGORIES.map((c) => (
            <Swatch
              key={`${c}-u`}
              fill={BUILDING_COLOURS[c].uncovered}
              line={c === 'three_no' ? UNCOVERED_THREE_NO_OUTLINE : undefined}
            >
              {cat(c)} · {t('legend.uncovered')}
            </Swatch>
          ))}
          {COMPOUND_CATEGORIES.map((c) => (
            <Swatch key={`${c}-c`} fill={BUILDING_COLOURS[c].covered}>
              {cat(c)} · {t('legend.covered')}
            </Swatch>
          ))}
          <Swatch fill={BUILDING_COLOURS.unknown.uncovered}>{t('legend.unknownCategory')}</Swatch>
          <li className="note">{t('legend.buildingsZoom')}</li>
        </ul>
      );
    case 'compounds':
      return (
        <ul className="legend">
          {COMPOUND_CATEGORIES.map((c) => (
            <Swatch key={c} fill={COMPOUND_COLOURS[c]} line={COMPOUND_COLOURS[c]}>
              {cat(c)}
            </Swatch>
          ))}
        </ul>
      );
    case 'service-areas':
      return (
        <ul className="legend">
          {(Object.keys(SERVICE_AREA_COLOURS) as (keyof typeof SERVICE_AREA_COLOURS)[]).map((m) => (
            <Swatch key={m} line={SERVICE_AREA_COLOURS[m]}>
              {t(`enum.management_mode.${m}` as MessageKey)}
            </Swatch>
          ))}
          <Swatch line="#555">{t('legend.approved')}</Swatch>
          <Swatch line="#555" dashed>
            {t('legend.draft')}
          </Swatch>
        </ul>
      );
    case 'jurisdictions':
      return (
        <ul className="legend">
          <Swatch line={JURISDICTION_COLOURS.district}>{t('legend.districtBoundary')}</Swatch>
          <Swatch line={JURISDICTION_COLOURS.street} dashed>
            {t('legend.streetBoundary')}
          </Swatch>
          <Swatch line={JURISDICTION_COLOURS.community} dashed>
            {t('legend.communityBoundary')}
          </Swatch>
        </ul>
      );
    case 'basemap':
      return (
        <ul className="legend">
          <Swatch fill={BASEMAP_COLOURS.water}>{t('legend.water')}</Swatch>
          <Swatch fill={BASEMAP_COLOURS.arterial} line={BASEMAP_COLOURS.arterialCasing}>
            {t('legend.arterial')}
          </Swatch>
          <Swatch fill={BASEMAP_COLOURS.secondary} line={BASEMAP_COLOURS.secondaryCasing}>
            {t('legend.secondary')}
          </Swatch>
          <Swatch fill={BASEMAP_COLOURS.local} line={BASEMAP_COLOURS.localCasing}>
            {t('legend.local')}
          </Swatch>
        </ul>
      );
    case 'cameras':
      return (
        <ul className="legend">
          {(Object.keys(CAMERA_COLOURS) as (keyof typeof CAMERA_COLOURS)[]).map((s) => (
            <Swatch key={s} fill={CAMERA_COLOURS[s]} round>
              {t(`enum.system.${s}` as MessageKey)}
            </Swatch>
          ))}
        </ul>
      );
    case 'gates':
      return (
        <ul className="legend">
          {(Object.keys(GATE_COLOURS) as (keyof typeof GATE_COLOURS)[]).map((k) => (
            <Swatch key={k} fill={GATE_COLOURS[k]} round>
              {t(`enum.kind.${k}` as MessageKey)}
            </Swatch>
          ))}
        </ul>
      );
    default:
      return null;
  }
}
