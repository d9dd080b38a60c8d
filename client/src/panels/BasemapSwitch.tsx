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
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
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
    setMessage({ text: t('basemap.uploading', { name: f.name }), error: false });
    try {
      const added = await uploadBasemap(f, f.name.replace(/\.(mbtiles|pmtiles)$/i, ''));
      onBasemap(`offline:${added.id}`, await fetchBasemaps());
      setMessage({ text: t('basemap.added', { name: added.name }), error: false });
    } catch (err) {
      setMessage({ text: t('basemap.failed', { message: errorText(lang, err) }), error: true });
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
      setMessage({ text: t('basemap.removed', { name: b.name }), error: false });
    } catch (err) {
      setMessage({ text: t('basemap.failed', { message: errorText(lang, err) }), error: true });
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
          className={message.error ? 'note error' : 'note'}
          role={message.error ? 'alert' : 'status'}
          data-testid="basemap-message"
        >
          {message.text}
        </div>
      )}
      {admin && <div className="note">{t('basemap.formats')}</div>}
    </div>
  );
}
