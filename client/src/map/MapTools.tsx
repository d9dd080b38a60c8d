import type { Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef, useState } from 'react';
import { useDashboardText } from '../dashboard/messages.ts';
import { MeasureTool, watchPointer, type Measurement } from './measure.ts';
import { formatArea, formatLength, type MeasureKind } from './measurement.ts';
import './map-tools.css';

/**
 * The map's corner tools: whether tiles are loading, the pointer's lon/lat, and 量距离 / 量面积.
 */
export function MapTools({ map }: { map: MapLibreMap | null }) {
  const { t } = useDashboardText();
  const [at, setAt] = useState<[number, number] | null>(null);
  const [loading, setLoading] = useState(true);
  const [result, setResult] = useState<Measurement | null>(null);
  const tool = useRef<MeasureTool | null>(null);

  useEffect(() => {
    if (!map) return;
    const m = new MeasureTool(map, setResult);
    tool.current = m;
    const stop = watchPointer(map, setAt, setLoading);
    return () => {
      stop();
      m.destroy();
      tool.current = null;
    };
  }, [map]);

  const start = (kind: MeasureKind) => tool.current?.start(kind);
  const active = result?.active === true;
  return (
    <div className="map-tools" data-testid="map-tools">
      <div className="map-status">
        <span
          className={loading ? 'map-state loading' : 'map-state'}
          role="status"
          data-testid="map-loading"
          data-loading={loading ? 'true' : 'false'}
        >
          {t(loading ? 'map.loading' : 'map.idle')}
        </span>
        <span className="map-pointer" data-testid="map-pointer">
          {at ? t('map.pointer', { lon: at[0].toFixed(6), lat: at[1].toFixed(6) }) : ''}
        </span>
      </div>
      <div className="measure">
        {active ? (
          <button
            type="button"
            className="button small"
            data-testid="measure-finish"
            onClick={() => tool.current?.finish()}
          >
            {t('measure.stop')}
          </button>
        ) : (
          <>
            <button
              type="button"
              className="button small"
              data-testid="measure-distance"
              onClick={() => start('distance')}
            >
              {t('measure.distance')}
            </button>
            <button
              type="button"
              className="button small"
              data-testid="measure-area"
              onClick={() => start('area')}
            >
              {t('measure.area')}
            </button>
          </>
        )}
        {result && !active && (
          <button
            type="button"
            className="button small"
            data-testid="measure-clear"
            onClick={() => tool.current?.clear()}
          >
            {t('measure.clear')}
          </button>
        )}
      </div>
      {result && (
        <div
          className="measure-result"
          data-testid="measure-result"
          data-length-m={result.lengthM}
          data-area-m2={result.areaM2}
        >
          {active && (
            <div className="muted">
              {t(result.kind === 'area' ? 'measure.hintArea' : 'measure.hintDistance')}
            </div>
          )}
          {result.kind === 'area'
            ? t('measure.areaValue', { value: formatArea(result.areaM2) })
            : t('measure.length', { value: formatLength(result.lengthM) })}
        </div>
      )}
    </div>
  );
}
