import type { LineString, Polygon, Position } from 'geojson';
import { deleteVertex, insertVertex, mergePolygons, moveVertex, splitPolygon } from './geometry.ts';
import {
  emptyAttributes,
  type AreaAttributes,
  type AttributeField,
  type Draft,
  type EditorState,
  type PendingParts,
  type Snapshot,
  type StoredArea,
  type Tool,
} from './types.ts';

/**
 * Every user command is an action: `perform(state, input)` returns the next state and whether undo
 * records it (geometry and attribute edits: yes; tool switches, toggles, server answers: no). An
 * action that does not apply returns an error key (an i18n key) and leaves the state alone.
 */
export type ActionResult =
  { state: EditorState; record: boolean; coalesceKey?: string } | { error: ActionError };

export type ActionError =
  | 'no_draft'
  | 'no_geometry'
  | 'too_few_vertices'
  | 'split_needs_two_crossings'
  | 'merge_not_adjacent'
  | 'clip_left_nothing'
  | 'nothing_to_undo'
  | 'nothing_to_redo'
  | 'no_conflict';

export interface Action<I> {
  name: string;
  perform(state: EditorState, input: I): ActionResult;
}

const MAX_UNDO = 200;
const NO_PENDING: PendingParts = { splitOff: [], mergedAway: [] };

export function initialState(): EditorState {
  return {
    tool: 'idle',
    draft: null,
    base: null,
    pending: NO_PENDING,
    past: [],
    future: [],
    coalesceKey: null,
    snapping: true,
    avoidOverlap: true,
    selectedVertex: null,
    conflict: null,
  };
}

function snapshot(s: EditorState): Snapshot {
  return { draft: s.draft, pending: s.pending, selectedVertex: s.selectedVertex };
}

/** Runs an action and keeps the undo stacks: the one place undo history is written. */
export function dispatch<I>(
  state: EditorState,
  action: Action<I>,
  input: I,
): { state: EditorState; error?: ActionError } {
  const r = action.perform(state, input);
  if ('error' in r) return { state, error: r.error };
  if (!r.record) return { state: r.state };
  const merge = r.coalesceKey !== undefined && r.coalesceKey === state.coalesceKey;
  const past = merge ? state.past : [...state.past, snapshot(state)].slice(-MAX_UNDO);
  return { state: { ...r.state, past, future: [], coalesceKey: r.coalesceKey ?? null } };
}

function withDraft(s: EditorState, f: (d: Draft) => Draft | ActionError): ActionResult {
  if (!s.draft) return { error: 'no_draft' };
  const d = f(s.draft);
  if (typeof d === 'string') return { error: d };
  return { state: { ...s, draft: d }, record: true };
}

function withGeometry(s: EditorState, f: (g: Polygon) => Polygon | ActionError): ActionResult {
  return withDraft(s, (d) => {
    if (!d.geometry) return 'no_geometry';
    const g = f(d.geometry);
    return typeof g === 'string' ? g : { ...d, geometry: g };
  });
}

function draftOf(a: StoredArea): Draft {
  return { id: a.id, version: a.version, geometry: a.geometry, attributes: { ...a.attributes } };
}

export const startNewArea: Action<{ streetCode?: string }> = {
  name: 'startNewArea',
  perform: (s, { streetCode }) => ({
    state: {
      ...initialState(),
      snapping: s.snapping,
      avoidOverlap: s.avoidOverlap,
      tool: 'draw',
      draft: { id: null, version: null, geometry: null, attributes: emptyAttributes(streetCode) },
    },
    record: false,
  }),
};

/**
 * A new area with a given shape (a coverage gap to fill, a proposed area to adopt): opened for editing,
 * not saved, status draft whatever the input says; the user edits the attributes and saves as usual.
 */
export const openDraft: Action<{ geometry: Polygon; attributes: Partial<AreaAttributes> }> = {
  name: 'openDraft',
  perform: (s, { geometry, attributes }) => ({
    state: {
      ...initialState(),
      snapping: s.snapping,
      avoidOverlap: s.avoidOverlap,
      tool: 'edit',
      draft: {
        id: null,
        version: null,
        geometry,
        attributes: { ...emptyAttributes(), ...attributes, status: 'draft' },
      },
    },
    record: false,
  }),
};

export const openArea: Action<{ area: StoredArea }> = {
  name: 'openArea',
  perform: (s, { area }) => ({
    state: {
      ...initialState(),
      snapping: s.snapping,
      avoidOverlap: s.avoidOverlap,
      tool: 'edit',
      draft: draftOf(area),
      base: area,
    },
    record: false,
  }),
};

export const closeArea: Action<void> = {
  name: 'closeArea',
  perform: (s) => ({
    state: { ...initialState(), snapping: s.snapping, avoidOverlap: s.avoidOverlap },
    record: false,
  }),
};

/** A finished drawing or the end of a drag on the map. */
export const setGeometry: Action<{ geometry: Polygon }> = {
  name: 'setGeometry',
  perform: (s, { geometry }) => {
    const r = withDraft(s, (d) => ({ ...d, geometry }));
    if ('error' in r) return r;
    return { ...r, state: { ...r.state, tool: s.tool === 'draw' ? 'edit' : s.tool } };
  },
};

export const moveVertexAction: Action<{ index: number; to: Position }> = {
  name: 'moveVertex',
  perform: (s, { index, to }) => withGeometry(s, (g) => moveVertex(g, index, to)),
};

export const insertVertexAction: Action<{ after: number; at: Position }> = {
  name: 'insertVertex',
  perform: (s, { after, at }) => withGeometry(s, (g) => insertVertex(g, after, at)),
};

export const deleteVertexAction: Action<{ index: number }> = {
  name: 'deleteVertex',
  perform: (s, { index }) => {
    const r = withGeometry(s, (g) => deleteVertex(g, index) ?? 'too_few_vertices');
    if ('error' in r) return r;
    return { ...r, state: { ...r.state, selectedVertex: null } };
  },
};

export const selectVertex: Action<{ index: number | null }> = {
  name: 'selectVertex',
  perform: (s, { index }) => ({ state: { ...s, selectedVertex: index }, record: false }),
};

/** Typing in one field is one undo step until another field or command intervenes. */
export const setAttribute: Action<{ field: AttributeField; value: string }> = {
  name: 'setAttribute',
  perform: (s, { field, value }) => {
    const r = withDraft(s, (d) => ({
      ...d,
      attributes: { ...d.attributes, [field]: value } as AreaAttributes,
    }));
    return 'error' in r ? r : { ...r, coalesceKey: `attr:${field}` };
  },
};

export const setTool: Action<{ tool: Tool }> = {
  name: 'setTool',
  perform: (s, { tool }) => ({ state: { ...s, tool, selectedVertex: null }, record: false }),
};

/** Esc: the drawing in progress is dropped; what was typed in the form stays. */
export const cancelDrawing: Action<void> = {
  name: 'cancelDrawing',
  perform: (s) => ({
    state: { ...s, tool: s.draft?.geometry ? 'edit' : 'idle', selectedVertex: null },
    record: false,
  }),
};

export const toggleSnapping: Action<void> = {
  name: 'toggleSnapping',
  perform: (s) => ({ state: { ...s, snapping: !s.snapping }, record: false }),
};

export const toggleAvoidOverlap: Action<void> = {
  name: 'toggleAvoidOverlap',
  perform: (s) => ({ state: { ...s, avoidOverlap: !s.avoidOverlap }, record: false }),
};

/** Split along a drawn line: the draft keeps one part, the other becomes a new area on save. */
export const splitAlong: Action<{ line: LineString }> = {
  name: 'split',
  perform: (s, { line }) => {
    if (!s.draft?.geometry) return { error: s.draft ? 'no_geometry' : 'no_draft' };
    const r = splitPolygon(s.draft.geometry, line);
    if ('error' in r) return { error: r.error };
    const [keep, cutOff] = r.parts;
    return {
      state: {
        ...s,
        tool: 'edit',
        draft: { ...s.draft, geometry: keep },
        pending: { ...s.pending, splitOff: [...s.pending.splitOff, cutOff] },
      },
      record: true,
    };
  },
};

/** Merge an adjacent area into the draft, keeping the attributes the user chose. */
export const mergeWith: Action<{ other: StoredArea; keep: 'mine' | 'theirs' }> = {
  name: 'merge',
  perform: (s, { other, keep }) => {
    if (!s.draft?.geometry) return { error: s.draft ? 'no_geometry' : 'no_draft' };
    const merged = mergePolygons(s.draft.geometry, other.geometry);
    if (!merged) return { error: 'merge_not_adjacent' };
    return {
      state: {
        ...s,
        tool: 'edit',
        draft: {
          ...s.draft,
          geometry: merged,
          attributes: keep === 'mine' ? s.draft.attributes : { ...other.attributes },
        },
        pending: {
          ...s.pending,
          mergedAway: [
            ...s.pending.mergedAway,
            { id: other.id, version: other.version, name: other.attributes.name },
          ],
        },
      },
      record: true,
    };
  },
};

/** The server stored the draft: it becomes the new base; history of the old version is cleared. */
export const saved: Action<{ area: StoredArea }> = {
  name: 'saved',
  perform: (s, { area }) => ({
    state: {
      ...s,
      tool: s.tool === 'draw' ? 'edit' : s.tool,
      draft: draftOf(area),
      base: area,
      pending: NO_PENDING,
      past: [],
      future: [],
      coalesceKey: null,
      conflict: null,
    },
    record: false,
  }),
};

export const conflictDetected: Action<{ theirs: StoredArea }> = {
  name: 'conflictDetected',
  perform: (s, { theirs }) => {
    if (!s.draft) return { error: 'no_draft' };
    return { state: { ...s, conflict: { mine: s.draft, theirs } }, record: false };
  },
};

export type ConflictChoice = 'keep_mine' | 'take_theirs' | 'copy_mine_as_new';

/**
 * keep_mine: the draft now builds on their version (saving re-runs every check against it);
 * take_theirs: their copy replaces the draft, and undo brings mine back;
 * copy_mine_as_new: mine becomes a new draft area, theirs stays stored as it is.
 */
export const resolveConflict: Action<{ choice: ConflictChoice }> = {
  name: 'resolveConflict',
  perform: (s, { choice }) => {
    const c = s.conflict;
    if (!c) return { error: 'no_conflict' };
    if (choice === 'keep_mine') {
      return {
        state: { ...s, conflict: null, base: c.theirs, draft: { ...c.mine, version: c.theirs.version } },
        record: false,
      };
    }
    if (choice === 'take_theirs') {
      return { state: { ...s, conflict: null, base: c.theirs, draft: draftOf(c.theirs) }, record: true };
    }
    return {
      state: {
        ...s,
        conflict: null,
        base: null,
        pending: NO_PENDING,
        draft: {
          id: null,
          version: null,
          geometry: c.mine.geometry,
          attributes: { ...c.mine.attributes, status: 'draft' },
        },
      },
      record: true,
    };
  },
};

export const undo: Action<void> = {
  name: 'undo',
  perform: (s) => {
    const prev = s.past[s.past.length - 1];
    if (!prev) return { error: 'nothing_to_undo' };
    return {
      state: {
        ...s,
        ...prev,
        past: s.past.slice(0, -1),
        future: [...s.future, snapshot(s)],
        coalesceKey: null,
      },
      record: false,
    };
  },
};

export const redo: Action<void> = {
  name: 'redo',
  perform: (s) => {
    const next = s.future[s.future.length - 1];
    if (!next) return { error: 'nothing_to_redo' };
    return {
      state: {
        ...s,
        ...next,
        past: [...s.past, snapshot(s)],
        future: s.future.slice(0, -1),
        coalesceKey: null,
      },
      record: false,
    };
  },
};

/** True when the draft differs from what is stored (or is new with a shape). */
export function isDirty(s: EditorState): boolean {
  if (!s.draft) return false;
  if (!s.base) return s.draft.geometry !== null;
  return (
    JSON.stringify(s.draft.geometry) !== JSON.stringify(s.base.geometry) ||
    JSON.stringify(s.draft.attributes) !== JSON.stringify(s.base.attributes) ||
    s.pending.splitOff.length > 0 ||
    s.pending.mergedAway.length > 0
  );
}

/**
 * 放弃修改: the draft goes back to what is stored (a new area: to nothing). Undo brings the changes
 * back, so it needs no question first.
 */
export const discardChanges: Action<void> = {
  name: 'discardChanges',
  perform: (s) => {
    if (!s.draft) return { error: 'no_draft' };
    return {
      state: {
        ...s,
        draft: s.base ? draftOf(s.base) : null,
        pending: NO_PENDING,
        tool: s.base ? 'edit' : 'idle',
        selectedVertex: null,
      },
      record: true,
    };
  },
};

/** Restore an old version from history into the draft; saving makes it the newest version. */
export const restoreVersion: Action<{ geometry: Polygon; attributes: Partial<AreaAttributes> }> = {
  name: 'restoreVersion',
  perform: (s, { geometry, attributes }) =>
    withDraft(s, (d) => {
      const next = { ...d.attributes };
      for (const [k, v] of Object.entries(attributes)) {
        if (k in next)
          (next as unknown as Record<string, string>)[k] = v === null || v === undefined ? '' : String(v);
      }
      return { ...d, geometry, attributes: next };
    }),
};
