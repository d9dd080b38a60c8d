import { useRef, useState, type ChangeEvent } from 'react';
import type { Basemap, BasemapChoice } from '../../../core/basemaps.ts';
import { fetchBasemaps, removeBasemap, uploadBasemap } from '../api.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { basemapChoices } from '../map/basemap.ts';
import { useIsAdmin } from './users/UsersPanel.tsx';

export interface BasemapSwitchProps {
  hasTianditu: boolean;
  offline: readonly Basemap[];
  basemap: BasemapChoice | null;
  disabled: boolean;
  /** A choice; after an upload or removal also the new list of offline basemaps. */
  onBasemap(choice: BasemapChoice | null, offline?: Basemap[]): void;
}

/**
 * 底图切换: 天地图 vector or imagery (with a key) and the offline basemaps (离线底图); a city admin
 * adds an MBTiles / PMTiles file here or removes the one shown.
 */
export function BasemapSwitch({ hasTianditu, offline, basemap, disabled, onBasemap }: BasemapSwitchProps) {
  const { t, lang } = useI18n();
  const admin = useIsAdmin();
  const file = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  // Worded at each render, so a language switch words it again (it stayed in its first language).
  const [message, setMessage] = useState<
    | { key: 'basemap.uploading' | 'basemap.added' | 'basemap.removed'; name: string }
    | { key: 'basemap.failed'; error: unknown }
    | null
  >(null);
  const choices = basemapChoices({ tiandituKey: hasTianditu ? 'yes' : null, offline });
  const chosenOffline = offline.find((b) => basemap === `offline:${b.id}`);

  const label = (c: BasemapChoice) => {
    if (c === 'tianditu-vec') return t('basemap.tiandituVec');
    if (c === 'tianditu-img') return t('basemap.tiandituImg');
    const b = offline.find((o) => c === `offline:${o.id}`);
    return b ? `${b.name} · ${t(b.tileType === 'mvt' ? 'basemap.vector' : 'basemap.raster')}` : c;
  };

  async function add(e: ChangeEvent<HTMLInputElement>) {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    setBusy(true);
    setMessage({ key: 'basemap.uploading', name: f.name });
    try {
      const added = await uploadBasemap(f, f.name.replace(/\.(mbtiles|pmtiles)$/i, ''));
      onBasemap(`offline:${added.id}`, await fetchBasemaps());
      setMessage({ key: 'basemap.added', name: added.name });
    } catch (err) {
      setMessage({ key: 'basemap.failed', error: err });
    } finally {
      setBusy(false);
    }
  }

  async function remove(b: Basemap) {
    if (!window.confirm(t('basemap.removeConfirm', { name: b.name }))) return;
    setBusy(true);
    try {
      await removeBasemap(b.id);
      const left = await fetchBasemaps();
      onBasemap(null, left);
      setMessage({ key: 'basemap.removed', name: b.name });
    } catch (err) {
      setMessage({ key: 'basemap.failed', error: err });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="basemap-switch" data-testid="basemap-switch">
      {choices.length > 0 && (
        <select
          data-testid="basemap-choice"
          aria-label={t('basemap.choose')}
          value={basemap ?? ''}
          disabled={disabled || busy}
          onChange={(e) => onBasemap(e.target.value as BasemapChoice)}
        >
          {choices.map((c) => (
            <option key={c} value={c}>
              {label(c)}
            </option>
          ))}
        </select>
      )}
      {chosenOffline?.attribution && <div className="note">{chosenOffline.attribution}</div>}
      {admin && (
        <div className="basemap-admin">
          <button type="button" className="button" disabled={busy} onClick={() => file.current?.click()}>
            {t('basemap.add')}
          </button>
          {chosenOffline && (
            <button
              type="button"
              className="button"
              data-testid="basemap-remove"
              disabled={busy}
              onClick={() => void remove(chosenOffline)}
            >
              {t('basemap.remove')}
            </button>
          )}
          <input
            ref={file}
            type="file"
            hidden
            accept=".mbtiles,.pmtiles"
            data-testid="basemap-upload"
            onChange={(e) => void add(e)}
          />
        </div>
      )}
      {message && (
        <div
          className={message.key === 'basemap.failed' ? 'note error' : 'note'}
          role={message.key === 'basemap.failed' ? 'alert' : 'status'}
          data-testid="basemap-message"
        >
          {message.key === 'basemap.failed'
            ? t('basemap.failed', { message: errorText(lang, message.error) })
            : t(message.key, { name: message.name })}
        </div>
      )}
      {admin && <div className="note">{t('basemap.formats')}</div>}
    </div>
  );
}
