import { describe, expect, it } from 'vitest';
import { MAX_AREA_VERTICES, validateAreaAttributes, validateServiceAreaInput } from './input.ts';

const ring = [
  [105.59, 30.53],
  [105.591, 30.53],
  [105.591, 30.531],
  [105.59, 30.531],
  [105.59, 30.53],
];
const feature = (
  geometry: unknown,
  properties: unknown = { name: '甲区', management_mode: 'professional' },
) => ({
  type: 'Feature',
  geometry,
  properties,
});
const problemOf = (input: unknown) => {
  const r = validateServiceAreaInput(input);
  return r.ok ? null : r.problems[0]!.problem;
};

describe('validateServiceAreaInput', () => {
  it('accepts a Feature with a closed Polygon and the required attributes, status defaulting to draft', () => {
    const r = validateServiceAreaInput(feature({ type: 'Polygon', coordinates: [ring] }));
    expect(r).toMatchObject({ ok: true, value: { attributes: { name: '甲区', status: 'draft' } } });
  });

  it.each([
    ['not a Feature', { type: 'Polygon', coordinates: [ring] }, 'not_a_feature'],
    ['a MultiPolygon', feature({ type: 'MultiPolygon', coordinates: [[ring]] }), 'not_a_polygon'],
    ['no geometry', feature(null), 'not_a_polygon'],
    ['unclosed', feature({ type: 'Polygon', coordinates: [ring.slice(0, 4)] }), 'unclosed_ring'],
    [
      'crossing the antimeridian (issue 10 #3)',
      feature({
        type: 'Polygon',
        coordinates: [
          [
            [179.9, 10],
            [-179.9, 10],
            [-179.9, 10.1],
            [179.9, 10.1],
            [179.9, 10],
          ],
        ],
      }),
      'crosses_antimeridian',
    ],
    [
      '3 positions',
      feature({ type: 'Polygon', coordinates: [[ring[0], ring[1], ring[0]]] }),
      'too_few_positions',
    ],
    [
      'NaN',
      feature({ type: 'Polygon', coordinates: [[ring[0], [NaN, 30.5], ...ring.slice(2)]] }),
      'bad_coordinate',
    ],
    [
      'a string',
      feature({ type: 'Polygon', coordinates: [[ring[0], ['105', 30.5], ...ring.slice(2)]] }),
      'bad_coordinate',
    ],
    [
      'lat 91',
      feature({
        type: 'Polygon',
        coordinates: [
          [
            [0, 91],
            [1, 91],
            [1, 90],
            [0, 91],
          ],
        ],
      }),
      'coordinate_out_of_range',
    ],
    [
      'bad mode',
      feature({ type: 'Polygon', coordinates: [ring] }, { name: 'a', management_mode: 'x' }),
      'bad_attribute_value',
    ],
    ['no properties', feature({ type: 'Polygon', coordinates: [ring] }, null), 'missing_attribute'],
    [
      'unknown key',
      feature({ type: 'Polygon', coordinates: [ring] }, { name: 'a', management_mode: 'professional', x: 1 }),
      'unknown_attribute',
    ],
  ])('rejects %s', (_name, input, problem) => {
    expect(problemOf(input)).toBe(problem);
  });

  it(`rejects more than ${MAX_AREA_VERTICES} vertices`, () => {
    const many = Array.from({ length: MAX_AREA_VERTICES + 1 }, (_, i) => [
      105.59 + Math.cos(i) * 0.001,
      30.53 + Math.sin(i) * 0.001,
    ]);
    expect(problemOf(feature({ type: 'Polygon', coordinates: [[...many, many[0]]] }))).toBe(
      'too_many_vertices',
    );
  });
});

describe('validateAreaAttributes', () => {
  it('reports every bad field, each with its name, for the form', () => {
    const r = validateAreaAttributes({ name: '', management_mode: 'x', status: 'final', notes: 5 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.field).sort()).toEqual(['management_mode', 'name', 'notes', 'status']);
  });

  it('ignores the read-only properties a client echoes back, and trims text', () => {
    const r = validateAreaAttributes({
      id: 3,
      version: 2,
      name: ' 乙区 ',
      management_mode: 'community_custodial',
      provider: '',
    });
    expect(r).toEqual({
      ok: true,
      value: { status: 'draft', name: '乙区', management_mode: 'community_custodial', provider: null },
    });
  });
});
