import DxfParser from 'dxf-parser';
import { because, fileProblem, type ProblemReason } from '../errors.ts';
import type { SourceFeature } from '../features.ts';
import { detectEncoding } from './encoding.ts';
import { readAll, type SourceInput } from './input.ts';
import type { FormatReader } from './types.ts';

interface DxfVertex {
  x: number;
  y: number;
}
interface DxfEntity {
  type: string;
  layer?: string;
  handle?: string | number;
  shape?: boolean;
  vertices?: DxfVertex[];
  position?: DxfVertex;
}

const CODEPAGES: Record<string, string> = { ANSI_936: 'gb18030', ANSI_1252: 'windows-1252', UTF8: 'utf-8' };

/**
 * DXF from surveying companies: each closed LWPOLYLINE / POLYLINE a polygon, each POINT a point,
 * with the DXF layer name (图层) as attribute `layer`; an open polyline is a feature with a problem
 * (it encloses nothing). Other entities (lines, text, blocks) are skipped. A DXF has no coordinate
 * system, so the import needs one named (--crs). Text is UTF-8 from AutoCAD 2007 on, else the
 * $DWGCODEPAGE (ANSI_936 = GBK).
 */
export async function openDxf(input: SourceInput): Promise<FormatReader> {
  const bytes = readAll(input);
  const page = /\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*(\S+)/.exec(
    bytes.subarray(0, 1 << 16).toString('latin1'),
  )?.[1];
  const encoding = detectEncoding(bytes, true) === 'utf-8' ? 'utf-8' : (CODEPAGES[page ?? ''] ?? 'gb18030');
  let entities: DxfEntity[];
  try {
    const parsed = new DxfParser().parseSync(new TextDecoder(encoding).decode(bytes)) as {
      entities?: DxfEntity[];
    } | null;
    entities = parsed?.entities ?? [];
  } catch (e) {
    throw fileProblem('not_dxf', { detail: (e as Error).message });
  }
  const kept = entities.filter((e) => e.type === 'LWPOLYLINE' || e.type === 'POLYLINE' || e.type === 'POINT');
  if (kept.length === 0) throw fileProblem('dxf_empty');
  return {
    format: 'dxf',
    layers: [{ name: 'entities', count: kept.length, fields: ['layer', 'handle'] }],
    crsFound: () => ({ source: 'none', text: null }),
    defaultCrs: null,
    async *read(): AsyncGenerator<SourceFeature> {
      let index = 0;
      for (const e of kept) {
        const properties = {
          layer: e.layer ?? null,
          handle: e.handle === undefined ? null : String(e.handle),
        };
        const problems: ProblemReason[] = [];
        let geometry: unknown = null;
        if (e.type === 'POINT') {
          geometry = e.position ? { type: 'Point', coordinates: [e.position.x, e.position.y] } : null;
        } else {
          const ring = (e.vertices ?? []).map((v) => [v.x, v.y]);
          const first = ring[0];
          const last = ring[ring.length - 1];
          const closedByPoint = ring.length > 3 && first![0] === last![0] && first![1] === last![1];
          if (!e.shape && !closedByPoint) {
            problems.push(
              because('dxf_open_polyline', {
                entity: e.type,
                layer: e.layer ?? '',
                handle: String(e.handle ?? '?'),
              }),
            );
          } else {
            if (!closedByPoint && first) ring.push([first[0]!, first[1]!]);
            geometry = { type: 'Polygon', coordinates: [ring] };
          }
        }
        yield {
          feature: { type: 'Feature', properties, geometry },
          fromText: false,
          index: index++,
          problems,
        };
      }
    },
  };
}
