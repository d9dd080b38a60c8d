import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  conflictDetected,
  deleteVertexAction,
  isDirty,
  mergeWith,
  moveVertexAction,
  openArea,
  openDraft,
  redo,
  resolveConflict,
  saved,
  setAttribute,
  setGeometry,
  splitAlong,
  startNewArea,
  toggleSnapping,
  undo,
} from './actions.ts';
import { EditorStore } from './store.ts';
import { emptyAttributes, type StoredArea } from './types.ts';

const X = 105.59;
const Y = 30.53;
function square(x: number, y: number, d: number): Polygon {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ],
    ],
  };
}
function stored(id: number, version: number, geometry: Polygon, name = `区域${id}`): StoredArea {
  return {
    id,
    version,
    geometry,
    attributes: { ...emptyAttributes('510903001'), name, management_mode: 'resident_self' },
  };
}

describe('undo and redo', () => {
  it('undo restores the shape after a vertex drag, redo re-applies it', () => {
    const s = new EditorStore();
    s.run(openArea, { area: stored(1, 3, square(X, Y, 0.001)) });
    const before = s.getState().draft!.geometry;
    s.run(moveVertexAction, { index: 2, to: [X + 0.002, Y + 0.002] });
    const after = s.getState().draft!.geometry;
    expect(after).not.toEqual(before);
    expect(isDirty(s.getState())).toBe(true);
    s.run(undo, undefined);
    expect(s.getState().draft!.geometry).toEqual(before);
    expect(isDirty(s.getState())).toBe(false);
    s.run(redo, undefined);
    expect(s.getState().draft!.geometry).toEqual(after);
  });

  it('records edits but not toggles or tool switches', () => {
    const s = new EditorStore();
    s.run(startNewArea, {});
    s.run(setGeometry, { geometry: square(X, Y, 0.001) });
    s.run(toggleSnapping, undefined);
    expect(s.getState().past).toHaveLength(1);
    expect(s.getState().snapping).toBe(false);
    expect(s.getState().tool).toBe('edit');
  });

  it('typing in one field is one undo step; another field starts a new one', () => {
    const s = new EditorStore();
    s.run(startNewArea, {});
    for (const v of ['河', '河东', '河东小区']) s.run(setAttribute, { field: 'name', value: v });
    s.run(setAttribute, { field: 'provider', value: '某物业' });
    expect(s.getState().past).toHaveLength(2);
    s.run(undo, undefined);
    expect(s.getState().draft!.attributes.provider).toBe('');
    expect(s.getState().draft!.attributes.name).toBe('河东小区');
    s.run(undo, undefined);
    expect(s.getState().draft!.attributes.name).toBe('');
  });

  it('a new edit clears the redo stack; undo with nothing to undo is an error, not a change', () => {
    const s = new EditorStore();
    s.run(openArea, { area: stored(1, 1, square(X, Y, 0.001)) });
    expect(s.run(undo, undefined)).toBe('nothing_to_undo');
    s.run(moveVertexAction, { index: 0, to: [X - 0.0001, Y] });
    s.run(undo, undefined);
    s.run(moveVertexAction, { index: 1, to: [X + 0.0011, Y] });
    expect(s.getState().future).toHaveLength(0);
  });

  it('refuses to delete below three vertices and keeps the shape', () => {
    const s = new EditorStore();
    s.run(openArea, {
      area: stored(1, 1, {
        type: 'Polygon',
        coordinates: [
          [
            [X, Y],
            [X + 1e-3, Y],
            [X, Y + 1e-3],
            [X, Y],
          ],
        ],
      }),
    });
    expect(s.run(deleteVertexAction, { index: 0 })).toBe('too_few_vertices');
    expect(s.getState().past).toHaveLength(0);
  });
});

describe('split and merge', () => {
  it('split keeps one part in the draft and queues the other as a new area', () => {
    const s = new EditorStore();
    s.run(openArea, { area: stored(5, 2, square(X, Y, 0.002)) });
    const err = s.run(splitAlong, {
      line: {
        type: 'LineString',
        coordinates: [
          [X + 0.001, Y - 0.001],
          [X + 0.001, Y + 0.003],
        ],
      },
    });
    expect(err).toBeUndefined();
    expect(s.getState().pending.splitOff).toHaveLength(1);
    s.run(undo, undefined);
    expect(s.getState().pending.splitOff).toHaveLength(0);
  });

  it('merge takes the chosen attributes and queues the other area for deletion', () => {
    const s = new EditorStore();
    s.run(openArea, { area: stored(1, 1, square(X, Y, 0.001), '甲') });
    s.run(mergeWith, { other: stored(2, 4, square(X + 0.001, Y, 0.001), '乙'), keep: 'theirs' });
    const st = s.getState();
    expect(st.draft!.attributes.name).toBe('乙');
    expect(st.draft!.id).toBe(1);
    expect(st.pending.mergedAway).toEqual([{ id: 2, version: 4, name: '乙' }]);
    expect(s.run(mergeWith, { other: stored(3, 1, square(X + 0.01, Y, 0.001)), keep: 'mine' })).toBe(
      'merge_not_adjacent',
    );
  });
});

describe('conflicts', () => {
  function conflicted() {
    const s = new EditorStore();
    s.run(openArea, { area: stored(9, 1, square(X, Y, 0.001)) });
    s.run(setAttribute, { field: 'notes', value: '我写的备注' });
    s.run(moveVertexAction, { index: 2, to: [X + 0.0012, Y + 0.0012] });
    const theirs = stored(9, 2, square(X, Y, 0.0009), '他们改的名字');
    s.run(conflictDetected, { theirs });
    return { s, theirs };
  }

  it('keep mine: my edits stay and build on their version', () => {
    const { s } = conflicted();
    const mine = s.getState().conflict!.mine;
    s.run(resolveConflict, { choice: 'keep_mine' });
    const d = s.getState().draft!;
    expect(d.version).toBe(2);
    expect(d.geometry).toEqual(mine.geometry);
    expect(d.attributes.notes).toBe('我写的备注');
    expect(s.getState().conflict).toBeNull();
  });

  it('take theirs: their copy replaces mine, and undo brings mine back', () => {
    const { s, theirs } = conflicted();
    s.run(resolveConflict, { choice: 'take_theirs' });
    expect(s.getState().draft!.attributes.name).toBe('他们改的名字');
    expect(s.getState().draft!.version).toBe(2);
    expect(isDirty(s.getState())).toBe(false);
    s.run(undo, undefined);
    expect(s.getState().draft!.attributes.notes).toBe('我写的备注');
    expect(s.getState().base).toEqual(theirs);
  });

  it('copy mine as new: a new draft area with everything I typed', () => {
    const { s } = conflicted();
    s.run(resolveConflict, { choice: 'copy_mine_as_new' });
    const d = s.getState().draft!;
    expect(d.id).toBeNull();
    expect(d.attributes.notes).toBe('我写的备注');
    expect(d.attributes.status).toBe('draft');
  });

  it('saved: the stored copy becomes the base and the stacks are cleared', () => {
    const s = new EditorStore();
    s.run(startNewArea, {});
    s.run(setGeometry, { geometry: square(X, Y, 0.001) });
    s.run(saved, { area: stored(11, 1, square(X, Y, 0.001)) });
    expect(s.getState().draft!.id).toBe(11);
    expect(s.getState().past).toHaveLength(0);
    expect(isDirty(s.getState())).toBe(false);
  });
});

describe('openDraft (a gap or proposal handed over by the dashboard)', () => {
  it('opens a new, unsaved draft area with the shape and attributes, status draft, replacing what was open', () => {
    const store = new EditorStore();
    store.run(openArea, { area: stored(7, 3, square(X, Y, 0.001)) });
    store.run(toggleSnapping, undefined);
    const g = square(X + 0.01, Y, 0.002);
    const err = store.run(openDraft, {
      geometry: g,
      attributes: { name: '甲街道 新服务区域', street_code: '510903001', status: 'approved' },
    });
    expect(err).toBeUndefined();
    const s = store.getState();
    expect(s.draft).toEqual({
      id: null,
      version: null,
      geometry: g,
      attributes: { ...emptyAttributes('510903001'), name: '甲街道 新服务区域' },
    });
    expect(s.base).toBeNull();
    expect(s.tool).toBe('edit');
    expect(s.snapping).toBe(false); // user toggles survive
    expect(isDirty(s)).toBe(true); // unsaved until the user saves
    expect(store.run(undo, undefined)).toBe('nothing_to_undo');
    store.run(setAttribute, { field: 'name', value: '滨江新区' });
    expect(store.getState().draft?.attributes.name).toBe('滨江新区');
    store.run(undo, undefined);
    expect(store.getState().draft?.attributes.name).toBe('甲街道 新服务区域');
  });
});
