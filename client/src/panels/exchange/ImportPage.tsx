import { useEffect, useMemo, useState, type DragEvent } from 'react';
import { geometryFamily, mayImport, pickLayer } from '../../../../core/exchange.ts';
import { guessMapping } from '../../../../core/import-mapping.ts';
import { importProblemText } from '../../../../core/import-words.ts';
import { VALUE_WORDS, valueField, valueWord } from '../../../../core/value-words.ts';
import type { EditorMap } from '../../map/draw/area-draw.ts';
import { refreshLayerTiles, showImportPreview, type PreviewState } from '../../map/import-preview.ts';
import { errorText } from '../../i18n/errors.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { attributeKey } from '../../i18n/messages.ts';
import { usePlaceNames } from '../../i18n/places.ts';
import { useSessionUser } from '../../use-session.ts';
import {
  checkImport,
  commitImport,
  previewImport,
  reportCsv,
  uploadImport,
  type CheckReport,
  type ImportChoice,
  type ImportPreview,
  type ImportProblem,
  type Progress,
  type StagedUpload,
} from './import-client.ts';
import { packShapefile, planUpload } from './upload-files.ts';
import { useExchangeText, type ExchangeMessageKey } from './messages.ts';
import './exchange.css';

/** Column names a file often uses for a field (Chinese spreadsheets first). */
/** A size in the unit of the whole (KB under 1 MB: a 1 KB file is not "0.0 / 0.0 MB"). */
const sizeIn = (bytes: number, total: number) =>
  total < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** Formats whose attribute text may be in GBK or UTF-8 (KML and GeoPackage say theirs). */
const TEXT_FORMATS = ['shapefile', 'csv'];

/** The mapping's choice of a fixed value instead of a column (no column is named with a NUL). */
const FIXED = '\u0000fixed';

/** Layers of points: nothing for 修复几何 to repair. */
const POINT_LAYERS = ['cameras', 'gates'];

const mappingKey = (target: string, columns: string[]) =>
  `wuyou.import.mapping:${target}:${columns.join('|')}`;

function initialMapping(target: string, fields: string[], columns: string[]): Record<string, string | null> {
  try {
    const saved = JSON.parse(localStorage.getItem(mappingKey(target, columns)) ?? 'null') as Record<
      string,
      string | null
    > | null;
    if (saved) return saved;
  } catch {
    // none remembered
  }
  return guessMapping(fields, columns);
}

/**
 * 数据导入: upload or drop a file → the server reads it → its first features on the map → choose the
 * layer and which column is which field (remembered per file layout) → check (a dry run listing every
 * refused feature, downloadable) → commit in one transaction with a progress bar. Nothing is written
 * before the commit. A street editor's features outside their street are refused one by one.
 */
/** The check's problems or warnings: index, spreadsheet row and reason, the first 200. */
function ProblemTable({
  problems,
  rowTestId,
  className,
  reasonText,
  t,
}: {
  problems: ImportProblem[];
  rowTestId: string;
  className?: string;
  reasonText(p: ImportProblem): string;
  t: ReturnType<typeof useExchangeText>['t'];
}) {
  return (
    <table className={className ? `import-problems ${className}` : 'import-problems'}>
      <thead>
        <tr>
          <th>{t('import.index')}</th>
          <th>{t('import.row')}</th>
          <th>{t('import.name')}</th>
          <th>{t('import.reason')}</th>
        </tr>
      </thead>
      <tbody>
        {problems.slice(0, 200).map((p, i) => (
          <tr key={i} data-testid={rowTestId}>
            {/* Counted from 1, as the words count (the API's index counts from 0). */}
            <td>{p.index === null ? '' : p.index + 1}</td>
            <td>{p.row ?? ''}</td>
            <td>{p.name ?? ''}</td>
            <td>{reasonText(p)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImportPage({ map, onClose }: { map: EditorMap | null; onClose(): void }) {
  const { t } = useExchangeText();
  const { t: appT, lang } = useI18n();
  const user = useSessionUser();
  // 街道 names by code (the session and the server's problems carry codes); re-renders once read.
  const placeName = usePlaceNames();
  const [upload, setUpload] = useState<StagedUpload | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [sourceLayer, setSourceLayer] = useState<string>('');
  // Whether the user chose the file's layer: until then, choosing a target takes the layer of its
  // geometry (an 奥维 KML's polygons for 小区), and says so.
  const [layerChosen, setLayerChosen] = useState(false);
  const [layerForTarget, setLayerForTarget] = useState<{ label: string; mixed: string[] } | null>(null);
  const [crs, setCrs] = useState('');
  // The CRS the preview was read in: leaving the field unchanged reads nothing again.
  const [shownCrs, setShownCrs] = useState('');
  // The attribute text's encoding, '' for detected (a Shapefile's .cpg, else the bytes).
  const [encoding, setEncoding] = useState('');
  // No layer until the user picks one: a default (it was 小区) let a hurried user import building
  // footprints as compounds (new-user try, 2026-12-04).
  const [target, setTarget] = useState('');
  // 修复几何: what an invalid polygon's reason tells the user to choose.
  const [makeValid, setMakeValid] = useState(false);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  // 固定值: one value for every feature of a field the file has no column for (a KML of service
  // areas and its 管理模式); a field is here while the user gives it a value instead of a column.
  const [fixed, setFixed] = useState<Record<string, string>>({});
  const [report, setReport] = useState<CheckReport | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [uploaded, setUploaded] = useState<{ sent: number; total: number } | null>(null);
  const [inserted, setInserted] = useState<number | null>(null);
  const [busy, setBusy] = useState<ExchangeMessageKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  // Said by the page itself, before anything is sent (several datasets chosen at once).
  const [notice, setNotice] = useState<{ key: ExchangeMessageKey; names: string[] } | null>(null);
  // What the user chose, when it went as something else (a Shapefile's parts packed into a zip).
  const [shownName, setShownName] = useState<string | null>(null);

  const fields = upload?.targets[target] ?? [];
  const columns = useMemo(() => preview?.columns ?? [], [preview]);
  const refused = useMemo(() => new Set((report?.problems ?? []).map((p) => p.index)), [report]);
  // A refused feature stays refused after the commit: the commit skips it, it is not written.
  const stateOf = (i: number): PreviewState =>
    refused.has(i) ? 'refused' : inserted !== null ? 'imported' : 'preview';

  // the map follows the preview and the report
  useEffect(() => {
    if (!map) return;
    showImportPreview(map, preview?.features ?? null, stateOf, false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, preview, report, inserted]);
  useEffect(() => () => void (map && showImportPreview(map, null)), [map]);

  useEffect(() => {
    if (upload && target && columns.length)
      setMapping(initialMapping(target, upload.targets[target] ?? [], columns));
  }, [upload, target, columns]);
  useEffect(() => setFixed({}), [upload, target]);

  const run = async (what: ExchangeMessageKey, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const load = (u: StagedUpload, layer: string, c: string, enc = encoding) =>
    run('import.reading', async () => {
      setShownCrs(c);
      let p: ImportPreview;
      try {
        p = await previewImport(u.id, layer || undefined, c || undefined, enc || undefined);
      } catch (e) {
        // The file read another way failed: its old preview, mapping and check no longer hold (helper 46).
        setPreview(null);
        setReport(null);
        throw e;
      }
      setPreview(p);
      setReport(null);
      if (map) showImportPreview(map, p.features, () => 'preview', true);
    });

  const onFiles = (list: FileList | null | undefined) => {
    const plan = planUpload([...(list ?? [])]);
    if (!plan) return;
    setUpload(null);
    setPreview(null);
    setReport(null);
    setInserted(null);
    setProgress(null);
    setUploaded(null);
    setError(null);
    if (plan.kind === 'several') {
      setNotice({ key: 'import.severalFiles', names: plan.names });
      return;
    }
    setNotice(null);
    void run('import.uploading', async () => {
      const file = plan.kind === 'one' ? plan.file : await packShapefile(plan.zipName, plan.files);
      setShownName(plan.kind === 'one' ? null : plan.shown);
      setUploaded({ sent: 0, total: file.size });
      const u = await uploadImport(file, (sent, total) => setUploaded({ sent, total }));
      setUpload(u);
      setLayerChosen(false);
      setLayerForTarget(null);
      setSourceLayer(u.layers[0]?.name ?? '');
      setEncoding('');
      await load(u, u.layers[0]?.name ?? '', crs, '');
    });
  };

  /** A layer as the select offers it: 整个文件 · 面 · 3 个 (a KML split by geometry), else its name. */
  const layerLabel = (l: StagedUpload['layers'][number]) => {
    const family = /collection/i.test(l.geometryType ?? '') ? 'mixed' : geometryFamily(l.geometryType);
    if (!family || l.count === undefined) return l.name;
    // A KML's layers are named by folder (or the whole file) and split by type, said in words here.
    const kml = upload?.format === 'kml' || upload?.format === 'kmz';
    return t('import.layerOption', {
      name: l.folder ?? (kml ? t('import.wholeFile') : l.name),
      geometry: t(`import.geometry.${family}`),
      count: l.count.toLocaleString(lang === 'en' ? 'en-US' : 'zh-CN'),
    });
  };

  /** Choosing a target, the file's layer of its geometry when the user has not chosen one. */
  const takeLayerFor = (next: string) => {
    if (!upload || layerChosen || upload.layers.length < 2) return;
    const { layer: fit, mixedFolders } = pickLayer(upload.layers, upload.accepts[next] ?? [], next);
    if (!fit) return;
    setLayerForTarget({ label: layerLabel(fit), mixed: mixedFolders });
    if (fit.name === sourceLayer) return;
    setSourceLayer(fit.name);
    void load(upload, fit.name, crs);
  };

  const choice = (skip?: number[]): ImportChoice => ({
    target,
    mapping,
    sourceLayer: sourceLayer || undefined,
    crs: crs || undefined,
    encoding: encoding || undefined,
    fixed: Object.fromEntries(Object.entries(fixed).filter(([, v]) => v.trim() !== '')),
    skip,
    makeValid,
  });
  const check = () =>
    run('import.checking', async () => {
      try {
        localStorage.setItem(mappingKey(target, columns), JSON.stringify(mapping));
      } catch {
        // not remembered
      }
      setReport(await checkImport(upload!.id, choice()));
    });
  // Refused only for being outside the street: those can be left out; any other problem must be fixed.
  const skippable = report?.problems.every((p) => p.code === 'outside_street') ?? false;
  const commit = () =>
    run('import.committing', async () => {
      const skip = report!.problems.map((p) => p.index).filter((i): i is number => i !== null);
      const expected = report!.total;
      setProgress({ phase: 'checking', done: 0, total: expected });
      // The server counts features as it reads them; the check said how many there are.
      const n = await commitImport(upload!.id, choice(skip), (p) =>
        setProgress({ ...p, total: Math.max(p.total, expected) }),
      );
      setProgress((p) => (p ? { ...p, done: p.total } : p));
      setInserted(n);
      if (map) refreshLayerTiles(map, target);
    });

  const fieldLabel = (f: string) => {
    const k = attributeKey(f);
    return k ? (lang === 'en' ? `${appT(k)} (${f})` : `${appT(k)}（${f}）`) : f;
  };
  const reasonText = (p: ImportProblem) =>
    importProblemText(lang, p, {
      field: fieldLabel,
      street: (code) => placeName(code, lang),
      surface: 'page',
    });
  const reportUrl = useMemo(
    () =>
      report?.problems.length
        ? URL.createObjectURL(
            new Blob(
              [
                reportCsv(report.problems, reasonText, [
                  t('import.index'),
                  t('import.row'),
                  t('import.name'),
                  t('import.reason'),
                ]),
              ],
              { type: 'text/csv' },
            ),
          )
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [report, lang],
  );
  useEffect(() => () => void (reportUrl && URL.revokeObjectURL(reportUrl)), [reportUrl]);

  // the server offers only the layers this role may import (core/exchange.ts mayImport)
  const targets = Object.keys(upload?.targets ?? {}).filter((l) => !user || mayImport(user.role, l));

  return (
    <aside className="import-page" data-testid="import-page" aria-label={t('import.title')}>
      <header>
        <h2>{t('import.title')}</h2>
        <button type="button" className="button small" onClick={onClose} data-testid="import-close">
          {t('import.close')}
        </button>
      </header>
      {!user ? (
        <p>{t('import.signIn')}</p>
      ) : user.role === 'viewer' ? (
        <p>{t('import.noRight')}</p>
      ) : (
        <>
          <p className="muted small">{t('import.intro')}</p>
          {user.role === 'street_editor' && (
            <>
              <p className="muted small" data-testid="import-street-note">
                {t('import.street', { street: user.streetCode ? placeName(user.streetCode, lang) : '' })}
              </p>
              {/* A helper with a 楼栋 file could not tell why buildings were not offered. */}
              <p className="muted small" data-testid="import-editor-layers">
                {t('import.editorLayers')}
              </p>
            </>
          )}
          <label
            className={`import-drop${dragging ? ' dragging' : ''}`}
            data-testid="import-drop"
            onDragOver={(e: DragEvent) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e: DragEvent) => {
              e.preventDefault();
              setDragging(false);
              onFiles(e.dataTransfer.files);
            }}
          >
            {t('import.drop')}
            <input
              type="file"
              hidden
              multiple
              data-testid="import-file"
              onChange={(e) => {
                onFiles(e.target.files);
                // The same files chosen again are a new choice (the input fires no change otherwise).
                e.target.value = '';
              }}
            />
          </label>
          {busy && (
            <p className="muted" data-testid="import-busy">
              {t(busy)}
            </p>
          )}
          {uploaded && (
            <section>
              <progress
                data-testid="import-upload-progress"
                value={uploaded.sent}
                max={Math.max(uploaded.total, 1)}
              />
              <span className="muted small" data-testid="import-upload-size">
                {t('import.uploadProgress', {
                  sent: sizeIn(uploaded.sent, uploaded.total),
                  total: sizeIn(uploaded.total, uploaded.total),
                })}
              </span>
            </section>
          )}
          {(error !== null || notice) && (
            <p className="field-error" role="alert" data-testid="import-error">
              {notice
                ? t(notice.key, { names: notice.names.join(lang === 'en' ? ', ' : '、') })
                : errorText(lang, error)}
            </p>
          )}
          {upload && (
            <section>
              <p data-testid="import-file-name">
                {t('import.file', {
                  name: shownName ?? upload.name,
                  size: `${Math.ceil(upload.size / 1024)} KB`,
                })}
              </p>
              {upload.layers.length > 1 && (
                <label className="editor-field">
                  <span className="editor-label">{t('import.sourceLayer')}</span>
                  <select
                    value={sourceLayer}
                    data-testid="import-source-layer"
                    onChange={(e) => {
                      setSourceLayer(e.target.value);
                      setLayerChosen(true);
                      setLayerForTarget(null);
                      void load(upload, e.target.value, crs);
                    }}
                  >
                    {upload.layers.map((l) => (
                      <option key={l.name} value={l.name}>
                        {layerLabel(l)}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {layerForTarget && (
                <p className="muted small" data-testid="import-layer-for-target">
                  {t('import.layerForTarget', {
                    target: t(`layer.${target}` as ExchangeMessageKey),
                    layer: layerForTarget.label,
                  })}
                </p>
              )}
              {layerForTarget && layerForTarget.mixed.length > 0 && (
                // Gates and cameras in one file's points: which these are, only the user knows.
                <p className="field-error" role="alert" data-testid="import-layer-mixes-folders">
                  {t('import.layerMixesFolders', {
                    layer: layerForTarget.label,
                    folders: layerForTarget.mixed.join(lang === 'en' ? ', ' : '、'),
                  })}
                </p>
              )}
              {/* Always: a CSV or GeoJSON of metres says no CRS and reads as lon/lat until told
                  (helper 46: the field showed only when the file named none, as a lone .shp). */}
              <label className="editor-field">
                <span className="editor-label">{t('import.crs')}</span>
                <input
                  data-testid="import-crs"
                  value={crs}
                  placeholder={upload.crs.id ?? 'EPSG:4544'}
                  onChange={(e) => setCrs(e.target.value)}
                  onBlur={() => crs !== shownCrs && void load(upload, sourceLayer, crs)}
                />
              </label>
              {TEXT_FORMATS.includes(upload.format) && (
                // When the names read as 鍚嶇О or Caf茅: the .cpg is wrong, or the bytes fooled detection.
                <label className="editor-field">
                  <span className="editor-label">{t('import.encoding')}</span>
                  <select
                    data-testid="import-encoding"
                    value={encoding}
                    onChange={(e) => {
                      setEncoding(e.target.value);
                      void load(upload, sourceLayer, crs, e.target.value);
                    }}
                  >
                    <option value="">{t('import.encodingAuto')}</option>
                    <option value="utf-8">UTF-8</option>
                    <option value="gbk">GBK / GB18030</option>
                  </select>
                </label>
              )}
            </section>
          )}
          {preview && preview.total === 0 && (
            // Nothing to map or check: a header-only list said "0 个要素可以导入" (helper 44).
            <p className="field-error" role="alert" data-testid="import-empty">
              {t(
                upload?.format === 'csv' || upload?.format === 'xlsx' ? 'import.noRows' : 'import.noFeatures',
              )}
            </p>
          )}
          {preview && preview.total > 0 && (
            <section>
              <p data-testid="import-preview-count">
                {t('import.preview', { shown: preview.shown, total: preview.total })}
              </p>
              <label className="editor-field">
                <span className="editor-label">{t('import.target')}</span>
                <select
                  data-testid="import-target"
                  value={target}
                  onChange={(e) => {
                    setTarget(e.target.value);
                    setReport(null);
                    takeLayerFor(e.target.value);
                  }}
                >
                  {!target && (
                    <option value="" disabled>
                      {t('import.chooseTarget')}
                    </option>
                  )}
                  {targets.map((l) => (
                    <option key={l} value={l}>
                      {t(`layer.${l}` as ExchangeMessageKey)}
                    </option>
                  ))}
                </select>
              </label>
              {!target && <p data-testid="import-choose-target">{t('import.chooseTarget')}</p>}
              {target && (
                <>
                  <h3>{t('import.mapping')}</h3>
                  <table className="import-mapping" data-testid="import-mapping">
                    <thead>
                      <tr>
                        <th>{t('import.field')}</th>
                        <th>{t('import.column')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {fields.map((f) => (
                        <tr key={f}>
                          <td>{fieldLabel(f)}</td>
                          <td>
                            <select
                              data-testid={`import-map-${f}`}
                              value={f in fixed ? FIXED : (mapping[f] ?? '')}
                              onChange={(e) => {
                                const v = e.target.value;
                                const { [f]: _, ...others } = fixed;
                                setFixed(v === FIXED ? { ...fixed, [f]: '' } : others);
                                setMapping({ ...mapping, [f]: v && v !== FIXED ? v : null });
                                setReport(null);
                              }}
                            >
                              <option value="">{t('import.none')}</option>
                              {columns.map((c) => (
                                <option key={c} value={c}>
                                  {c}
                                </option>
                              ))}
                              <option value={FIXED}>{t('import.fixed')}</option>
                            </select>
                            {f in fixed && (
                              <>
                                <input
                                  data-testid={`import-fixed-${f}`}
                                  value={fixed[f]}
                                  list={`import-fixed-words-${f}`}
                                  placeholder={t('import.fixedPlaceholder')}
                                  aria-label={`${fieldLabel(f)} ${t('import.fixed')}`}
                                  onChange={(e) => {
                                    setFixed({ ...fixed, [f]: e.target.value });
                                    setReport(null);
                                  }}
                                />
                                {valueField(f) && (
                                  <datalist id={`import-fixed-words-${f}`}>
                                    {Object.keys(VALUE_WORDS[valueField(f)!]).map((code) => (
                                      <option key={code} value={valueWord(f, code, lang) ?? code} />
                                    ))}
                                  </datalist>
                                )}
                              </>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {!POINT_LAYERS.includes(target) && (
                    <label className="import-make-valid">
                      <input
                        type="checkbox"
                        data-testid="import-make-valid"
                        checked={makeValid}
                        disabled={!!busy || inserted !== null}
                        onChange={(e) => {
                          setMakeValid(e.target.checked);
                          setReport(null);
                        }}
                      />{' '}
                      {t('import.makeValid')}
                    </label>
                  )}
                  <div className="editor-dialog-actions">
                    <button
                      type="button"
                      className="button"
                      data-testid="import-check"
                      disabled={!!busy || inserted !== null}
                      onClick={check}
                    >
                      {t('import.check')}
                    </button>
                  </div>
                </>
              )}
            </section>
          )}
          {report && (
            <section data-testid="import-report">
              <p>
                {report.problems.length
                  ? t('import.report', { ok: report.ok, bad: report.total - report.ok })
                  : t('import.reportOk', { ok: report.ok })}
              </p>
              {(report.repaired ?? 0) > 0 && (
                <p data-testid="import-repaired">{t('import.repaired', { n: report.repaired ?? 0 })}</p>
              )}
              {report.problems.length > 0 && (
                <>
                  <ProblemTable
                    problems={report.problems}
                    rowTestId="import-problem"
                    reasonText={reasonText}
                    t={t}
                  />
                  {reportUrl && (
                    <a href={reportUrl} download="import-report.csv" data-testid="import-report-csv">
                      {t('import.downloadReport')}
                    </a>
                  )}
                </>
              )}
              {(report.warnings?.length ?? 0) > 0 && (
                <>
                  <p data-testid="import-warnings">{t('import.warnings', { n: report.warnings!.length })}</p>
                  <ProblemTable
                    problems={report.warnings!}
                    rowTestId="import-warning"
                    className="import-warnings"
                    reasonText={reasonText}
                    t={t}
                  />
                </>
              )}
              {(report.problems.length === 0 || skippable) && report.ok > 0 && inserted === null && (
                <div className="editor-dialog-actions">
                  <button
                    type="button"
                    className="button primary"
                    data-testid="import-commit"
                    disabled={!!busy}
                    onClick={commit}
                  >
                    {t('import.commit', { n: report.ok })}
                  </button>
                </div>
              )}
            </section>
          )}
          {progress && (
            <section>
              <progress
                data-testid="import-progress"
                value={progress.done}
                max={Math.max(progress.total, 1)}
              />
              <span className="muted small">
                {t('import.progress', {
                  phase: t(`phase.${progress.phase}` as ExchangeMessageKey),
                  done: progress.done,
                  total: progress.total,
                })}
              </span>
            </section>
          )}
          {inserted !== null && (
            <p className="import-done" data-testid="import-done">
              {t('import.done', { n: inserted })}
            </p>
          )}
        </>
      )}
    </aside>
  );
}
