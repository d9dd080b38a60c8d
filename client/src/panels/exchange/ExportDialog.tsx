import { useEffect, useState } from 'react';
import {
  EXPORT_ENCODINGS,
  EXPORT_FORMATS,
  EXPORT_LAYERS,
  EXPORT_SRS,
  EXPORT_VALUES,
  type ExportEncoding,
  type ExportFormat,
  type ExportLayer,
  type ExportSrs,
  type ExportValues,
} from '../../../../core/exchange.ts';
import {
  errorFrom,
  fetchJurisdictions,
  sessionToken,
  sessionUser,
  type JurisdictionSummary,
} from '../../api.ts';
import { errorText } from '../../i18n/errors.ts';
import { useExchangeText } from './messages.ts';
import '../editor/editor.css';

/** The download URL of one export (the server's /api/export/<layer>.<format>). */
export function exportUrl(o: {
  layer: ExportLayer;
  format: ExportFormat;
  street: string;
  encoding: ExportEncoding;
  srs: ExportSrs;
  values?: ExportValues;
}): string {
  const q = new URLSearchParams();
  if (o.street) q.set('street', o.street);
  if ((o.format === 'shp' || o.format === 'csv') && o.encoding !== 'utf-8') q.set('encoding', o.encoding);
  if ((o.format === 'shp' || o.format === 'gpkg') && o.srs !== 4326) q.set('srs', String(o.srs));
  if (o.values === 'words') q.set('values', 'words');
  const qs = q.toString();
  return `/api/export/${o.layer}.${o.format}${qs ? `?${qs}` : ''}`;
}

/**
 * 数据导出: a layer of the city or of one 街道 as a file. A street editor starts on their street; the
 * encoding applies to Shapefile and CSV, the coordinate system to Shapefile and GeoPackage.
 */
export function ExportDialog({ onClose }: { onClose(): void }) {
  const { t, lang } = useExchangeText();
  const user = sessionUser();
  const [streets, setStreets] = useState<JurisdictionSummary[]>([]);
  const [layer, setLayer] = useState<ExportLayer>('service-areas');
  const [format, setFormat] = useState<ExportFormat>('shp');
  const [street, setStreet] = useState(user?.role === 'street_editor' ? (user.streetCode ?? '') : '');
  const [encoding, setEncoding] = useState<ExportEncoding>('utf-8');
  const [srs, setSrs] = useState<ExportSrs>(4326);
  // Words by default here: a street office reads 三无 and 车行出入口, not three_no and vehicle.
  const [values, setValues] = useState<ExportValues>('words');

  useEffect(() => {
    const ac = new AbortController();
    fetchJurisdictions(ac.signal)
      .then((all) => setStreets(all.filter((j) => j.level === 'street')))
      .catch(() => undefined);
    return () => ac.abort();
  }, []);

  const url = exportUrl({ layer, format, street, encoding, srs, values });
  // The file is fetched first, so that a refusal (text the encoding cannot store, an outline too long
  // for a spreadsheet cell, a busy server) is said here instead of becoming a failed download.
  const [busy, setBusy] = useState(false);
  // The error itself, worded at each render: a language switch words it again.
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => setFailure(null), [url]);
  async function download() {
    setBusy(true);
    setFailure(null);
    try {
      // Signed in, the file tells who made and changed each row (helper 45: its author columns came
      // empty, as for an anonymous reader, though the README promises them).
      const token = sessionToken();
      const r = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
      if (!r.ok) throw await errorFrom(r);
      const name = /filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') ?? '')?.[1];
      const href = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = href;
      a.download = name ?? url.split('/').pop()!.split('?')[0]!;
      a.click();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="editor-dialog-backdrop">
      <div
        className="editor-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={t('export.title')}
        data-testid="export-dialog"
      >
        <h2>{t('export.title')}</h2>
        <p className="muted small">{t('export.note')}</p>
        <label className="editor-field">
          <span className="editor-label">{t('export.layer')}</span>
          <select
            data-testid="export-layer"
            value={layer}
            onChange={(e) => setLayer(e.target.value as ExportLayer)}
          >
            {EXPORT_LAYERS.map((l) => (
              <option key={l} value={l}>
                {t(`layer.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="editor-field">
          <span className="editor-label">{t('export.format')}</span>
          <select
            data-testid="export-format"
            value={format}
            onChange={(e) => setFormat(e.target.value as ExportFormat)}
          >
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`format.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="editor-field">
          <span className="editor-label">{t('export.street')}</span>
          <select data-testid="export-street" value={street} onChange={(e) => setStreet(e.target.value)}>
            <option value="">{t('export.city')}</option>
            {streets.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        {(format === 'shp' || format === 'csv') && (
          <label className="editor-field">
            <span className="editor-label">{t('export.encoding')}</span>
            <select
              data-testid="export-encoding"
              value={encoding}
              onChange={(e) => setEncoding(e.target.value as ExportEncoding)}
            >
              {EXPORT_ENCODINGS.map((e) => (
                <option key={e} value={e}>
                  {e.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
        )}
        {(format === 'shp' || format === 'gpkg') && (
          <label className="editor-field">
            <span className="editor-label">{t('export.srs')}</span>
            <select
              data-testid="export-srs"
              value={srs}
              onChange={(e) => setSrs(Number(e.target.value) as ExportSrs)}
            >
              {EXPORT_SRS.map((s) => (
                <option key={s} value={s}>
                  {t(`srs.${s}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="editor-field">
          <span className="editor-label">{t('export.values')}</span>
          <select
            data-testid="export-values"
            value={values}
            onChange={(e) => setValues(e.target.value as ExportValues)}
          >
            {EXPORT_VALUES.map((v) => (
              <option key={v} value={v}>
                {t(`values.${v}`)}
              </option>
            ))}
          </select>
        </label>
        <div className="editor-dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('export.close')}
          </button>
          <a
            className="button primary"
            data-testid="export-download"
            href={url}
            download
            aria-disabled={busy}
            onClick={(e) => {
              e.preventDefault();
              if (!busy) void download();
            }}
          >
            {busy ? t('export.preparing') : t('export.download')}
          </a>
        </div>
        {failure !== null && (
          <p className="field-error" role="alert" data-testid="export-error">
            {errorText(lang, failure)}
          </p>
        )}
      </div>
    </div>
  );
}
