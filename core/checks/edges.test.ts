import { describe, expect, it } from 'vitest';
import { EdgeSet } from './edges.ts';

const square = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
  [0, 0],
];

describe('EdgeSet', () => {
  const e = new EdgeSet([square]);
  it('locates points inside, outside and on the boundary', () => {
    expect(e.locate(0.5, 0.5)).toBe('inside');
    expect(e.locate(1.5, 0.5)).toBe('outside');
    expect(e.locate(1, 0.5)).toBe('boundary');
    expect(e.locate(0, 0)).toBe('boundary');
  });

  it('finds crossings with their points, and none in a valid ring with repeated vertices', () => {
    const bowtie = new EdgeSet([
      [
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
        [0, 0],
      ],
    ]);
    expect(bowtie.selfIntersections()).toEqual([[0.5, 0.5]]);
    const repeated = new EdgeSet([
      [
        [0, 0],
        [0, 0],
        [1, 0],
        [1, 1],
        [1, 1],
        [0, 1],
        [0, 0],
      ],
    ]);
    expect(repeated.selfIntersections()).toEqual([]);
  });

  it('cuts another boundary at its contacts and says where each piece lies', () => {
    const other = new EdgeSet([
      [
        [0.5, -1],
        [2, -1],
        [2, 2],
        [0.5, 2],
        [0.5, -1],
      ],
    ]);
    const kinds: string[] = [];
    const f = other.pieces(e, (w) => kinds.push(w));
    expect(f).toEqual({ inside: true, outside: true, boundary: false });
    expect(kinds.filter((k) => k === 'inside')).toHaveLength(1);
  });
});
