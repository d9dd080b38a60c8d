import { describe, expect, it } from 'vitest';
import { withOutlines } from './import-preview.ts';

describe('import preview features', () => {
  it('draws every polygon’s rings as lines too: a symmetric bow-tie, which MapLibre fills as nothing, still shows', () => {
    // A new user's try (2026-12-05): the refused bow-tie never appeared on the preview map. Its two
    // loops have opposite signed areas that cancel, and MapLibre drops a ring of no area.
    const bowtie: GeoJSON.Feature = {
      type: 'Feature',
      id: 6,
      properties: { index: 6, state: 'refused' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [105.59, 30.53],
            [105.5902, 30.5302],
            [105.5902, 30.53],
            [105.59, 30.5302],
            [105.59, 30.53],
          ],
        ],
      },
    };
    const point: GeoJSON.Feature = {
      type: 'Feature',
      id: 7,
      properties: { index: 7, state: 'preview' },
      geometry: { type: 'Point', coordinates: [105.6, 30.5] },
    };
    const out = withOutlines([bowtie, point]);
    expect(out.slice(0, 2)).toEqual([bowtie, point]);
    expect(out).toHaveLength(3);
    expect(out[2]).toEqual({
      ...bowtie,
      geometry: { type: 'MultiLineString', coordinates: (bowtie.geometry as GeoJSON.Polygon).coordinates },
    });
    const multi = withOutlines([
      {
        ...bowtie,
        geometry: {
          type: 'MultiPolygon',
          coordinates: [
            (bowtie.geometry as GeoJSON.Polygon).coordinates,
            (bowtie.geometry as GeoJSON.Polygon).coordinates,
          ],
        },
      },
    ]);
    expect((multi[1]!.geometry as GeoJSON.MultiLineString).coordinates).toHaveLength(2);
  });
});
