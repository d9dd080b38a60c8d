import type { Polygon, Position } from 'geojson';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { changedIds, type ChangeEvent } from '../../../../core/change-event.ts';
import { LIVE_CHANGE } from '../../live/events.ts';
import type { CoverageResponse } from '../../../../core/coverage.ts';
import { fetchJurisdictions, getJson, type JurisdictionSummary } from '../../api.ts';
import {
  cancelDrawing,
  closeArea,
  conflictDetected,
  deleteVertexAction,
  discardChanges,
  isDirty,
  mergeWith,
  openArea,
  openDraft,
  redo,
  resolveConflict,
  restoreVersion,
  saved,
  selectVertex,
  setAttribute,
  setGeometry,
  setTool,
  splitAlong,
  startNewArea,
  toggleAvoidOverlap,
  toggleSnapping,
  undo,
  type ActionError,
  type ConflictChoice,
} from '../../editor/actions.ts';
import { splitPartName, validateAttributes } from '../../editor/attributes.ts';
import {
  clipToView,
  cutBuildingShapes,
  areaAt,
  isBlocking,
  liveCheck,
  type LiveIssue,
} from '../../editor/live-checks.ts';
import {
  ApiError,
  areaFromFeature,
  deleteArea,
  getArea,
  saveArea,
  saveSplitMerge,
  sessionToken,
  sessionUser,
  signOut,
  type HistoryEntry,
  type SaveAnswer,
  type SessionUser,
} from '../../editor/service-area-client.ts';
import { EditorStore } from '../../editor/store.ts';
import { errorText } from '../../i18n/errors.ts';
import type { Language } from '../../i18n/messages.ts';
import type { AreaAttributes, AttributeField, Draft, StoredArea, Tool } from '../../editor/types.ts';
import type { AreaDraw, EditorMap } from '../../map/draw/area-draw.ts';
import { EditorOverlays, EMPTY_OVERLAY, refreshDataSources } from '../../map/draw/overlays.ts';
import { interactionOf, type AreaEditOwner } from '../../map/interaction.ts';
import { AttributeForm } from './AttributeForm.tsx';
import { ChecksPanel } from './ChecksPanel.tsx';
import { ConfirmDialog, ConflictDialog, LoginDialog, MergeDialog } from './Dialogs.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { hasEditorKey, useEditorText, type EditorMessageKey, type EditorT } from './messages.ts';
import { Toolbar } from './Toolbar.tsx';
import { MIN_EDIT_ZOOM, useCheckContext, useViewData } from './useViewData.ts';
import './editor.css';

/** Rendered in the current language, so a switch of language reaches it too. */
type Message = { kind: 'ok' | 'error'; render(t: EditorT, lang: Language): string } | null;

declare global {
  interface Window {
    /** For browser tests: set, the open editor panel fails on its next render (its error boundary). */
    __wuyouEditorFault?: boolean;
    /** For browser tests: the editor's state and the map's projection. */
    __wuyouEditor?: {
      getState: EditorStore['getState'];
      project(p: number[]): { x: number; y: number };
      drawSnapshot(): { mode: string; features: unknown[] };
      /** The properties of the features the map draws now on these style layers. */
      renderedFeatures(layers: string[]): Record<string, unknown>[];
    };
  }
}

const NO_ISSUES: LiveIssue[] = [];

/** −6, +2: a change of a count, with a true minus sign. */
function signed(n: number): string {
  return n > 0 ? `+${n}` : `−${-n}`;
}

/** The coverage node a save in `streetCode` can change: that 街道, or the city when none is set. */
function coveragePlace(streetCode: string): string {
  return streetCode ? `level=street&code=${encodeURIComponent(streetCode)}` : 'level=city';
}

/** Uncovered buildings (all, and 三无) of a coverage node, as the dashboard reads them; null if unknown. */
async function fetchUncovered(place: string): Promise<{ all: number; threeNo: number } | null> {
  try {
    const c = await getJson<CoverageResponse>(`/api/coverage?${place}`);
    return { all: c.all.uncovered, threeNo: c.three_no.uncovered };
  } catch (e) {
    console.warn('coverage for the save notice:', (e as Error).message);
    return null;
  }
}

/**
 * A value that speaks of one state of the draft (a save's answer, the server's check): it is shown
 * only while the draft is still that one.
 */
function useDraftBound<T>(store: EditorStore, empty: T) {
  const [held, setHeld] = useState<{ value: T; draft: Draft | null }>({ value: empty, draft: null });
  const set = useCallback((value: T) => setHeld({ value, draft: store.getState().draft }), [store]);
  return [held, set] as const;
}

/** A shape handed to the editor from elsewhere (the dashboard's gaps and proposals) to become a new area. */
export interface PendingDraft {
  geometry: Polygon;
  attributes: Partial<AreaAttributes>;
}

/**
 * The 物业服务区域 editor: a launcher button and, when open, a side panel with the toolbar, live
 * checks, attribute form and history, plus the dialogs (login, conflict, merge, delete). The map
 * side (terra-draw, overlays) lives in map/draw; the state and commands in editor/.
 */
export function EditorPanel({
  map,
  store,
  pendingDraft = null,
  onDraftTaken,
  onOpenChange,
}: {
  map: EditorMap | null;
  /** The editor's state, held by the shell so a fault in this panel does not lose the draft. */
  store: EditorStore;
  /** When set, the editor opens with it as a new unsaved draft area, then calls onDraftTaken. */
  pendingDraft?: PendingDraft | null;
  onDraftTaken?: () => void;
  /** Told when the panel opens or closes (also closed when it unmounts): the shell docks it. */
  onOpenChange?: (open: boolean) => void;
}) {
  const { t, lang } = useEditorText();
  const state = useSyncExternalStore(store.subscribe, store.getState);
  // Open from the start when the store already holds a draft (the panel is mounted again after a fault).
  const [open, setOpen] = useState(() => store.getState().draft !== null);
  useEffect(() => onOpenChange?.(open), [open, onOpenChange]);
  useEffect(() => () => onOpenChange?.(false), [onOpenChange]);
  const [user, setUser] = useState<SessionUser | null>(sessionUser);
  const [login, setLogin] = useState<null | (() => void)>(null);
  const [reload, setReload] = useState(0);
  const [draw, setDraw] = useState<AreaDraw | null>(null);
  const overlays = useRef<EditorOverlays | null>(null);
  const [dragGeometry, setDragGeometry] = useState<Polygon | null>(null);
  // Both describe the draft as it was when they were said; an edit, undo or redo hides them (#7).
  const [heldIssues, setServerIssues] = useDraftBound<LiveIssue[]>(store, []);
  const [heldMessage, setMessage] = useDraftBound<Message>(store, null);
  // What the last save changed in the street's coverage (未覆盖三无 −6 栋).
  const [heldNotice, setNotice] = useDraftBound<{ threeNo: number; all: number } | null>(store, null);
  const notice = heldNotice.draft === state.draft ? heldNotice.value : null;
  const serverIssues = heldIssues.draft === state.draft ? heldIssues.value : NO_ISSUES;
  const message = heldMessage.draft === state.draft ? heldMessage.value : null;
  const [touched, setTouched] = useState<Set<AttributeField>>(new Set());
  const [showAllErrors, setShowAllErrors] = useState(false);
  const [ghost, setGhost] = useState<HistoryEntry | null>(null);
  const [mergeCandidate, setMergeCandidate] = useState<StoredArea | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saving, setSaving] = useState(false);
  const [jurisdictions, setJurisdictions] = useState<JurisdictionSummary[]>([]);

  const streetCode = user?.role === 'street_editor' ? user.streetCode : null;
  const { data, zoom } = useViewData(map, open, reload, streetCode, state.draft?.geometry ?? null);
  const mergedAway = useMemo(() => state.pending.mergedAway.map((m) => m.id), [state.pending.mergedAway]);
  const { ctx, snap } = useCheckContext(data, state.draft?.id ?? null, streetCode, mergedAway);

  useEffect(() => {
    if (!open || jurisdictions.length) return;
    fetchJurisdictions()
      .then(setJurisdictions)
      .catch((e: Error) => console.warn('jurisdictions:', e.message));
  }, [open, jurisdictions.length]);

  const report = useCallback(
    (err: ActionError | undefined) => {
      if (err && err !== 'nothing_to_undo' && err !== 'nothing_to_redo') {
        const key = `error.${err}`;
        setMessage({
          kind: 'error',
          render: (t: EditorT) => t(hasEditorKey(key) ? key : 'error.generic', { message: err }),
        });
      }
    },
    [setMessage],
  );

  // Handlers the map calls, always the latest ones.
  const handlers = useRef({
    drawn: (_p: Polygon) => {},
    dragging: (_p: Polygon) => {},
    edited: (_p: Polygon, _v: number | null) => {},
    line: (_l: GeoJSON.LineString) => {},
    pick: (_at: Position) => {},
    release: () => true as boolean,
  });
  handlers.current = {
    // Another mode wants the map (a camera's form, placing a gate): the editor closes, its draft kept.
    release: () => {
      if (!isDirty(store.getState())) store.run(closeArea, undefined);
      setOpen(false);
      return true;
    },
    drawn: (geometry) => {
      setDragGeometry(null);
      store.run(setGeometry, { geometry });
    },
    dragging: (p) => setDragGeometry(p),
    edited: (geometry, vertex) => {
      setDragGeometry(null);
      store.run(setGeometry, { geometry });
      if (vertex !== null) store.run(selectVertex, { index: vertex });
    },
    line: (line) => report(store.run(splitAlong, { line })),
    pick: (at) => {
      const hit = areaAt(ctx, at);
      if (!hit) return;
      const id = hit.id;
      const s = store.getState();
      if (s.tool === 'draw' || s.tool === 'split' || id === s.draft?.id) return;
      if (s.tool === 'merge') {
        getArea(id)
          .then(setMergeCandidate)
          .catch((e: Error) =>
            setMessage({
              kind: 'error',
              render: (t: EditorT, lang: Language) => t('error.generic', { message: errorText(lang, e) }),
            }),
          );
        return;
      }
      // Never drop unsaved edits by a click elsewhere without asking.
      if (isDirty(s) && !window.confirm(t('guard.switch'))) return;
      getArea(id)
        .then((area) => {
          store.run(openArea, { area });
          setServerIssues([]);
          setTouched(new Set());
          setShowAllErrors(false);
          setGhost(null);
          setMessage(null);
        })
        .catch((e: Error) =>
          setMessage({
            kind: 'error',
            render: (t: EditorT, lang: Language) => t('error.generic', { message: errorText(lang, e) }),
          }),
        );
    },
  };

  useEffect(() => {
    if (!pendingDraft) return;
    onDraftTaken?.();
    setOpen(true);
    if (isDirty(store.getState()) && !window.confirm(t('guard.new'))) return;
    store.run(openDraft, pendingDraft);
    setServerIssues([]);
    setTouched(new Set());
    setShowAllErrors(false);
    setGhost(null);
    setMessage(null);
  }, [pendingDraft, onDraftTaken, store, t, setMessage, setServerIssues]);

  // While open the editor holds the map's edit-area mode; interaction.ts makes and ends the map side.
  useEffect(() => {
    if (!map || !open) return;
    const interaction = interactionOf(map);
    const owner: AreaEditOwner = {
      draw: {
        onDrawn: (p) => handlers.current.drawn(p),
        onDragging: (p) => handlers.current.dragging(p),
        onEdited: (p, v) => handlers.current.edited(p, v),
        onLineDrawn: (l) => handlers.current.line(l),
      },
      onClick: (at) => handlers.current.pick(at),
      release: () => handlers.current.release(),
    };
    const sync = () => {
      const s = interaction.holds(owner) ? interaction.session : null;
      overlays.current = s?.overlays ?? null;
      setDraw(s?.draw ?? null);
      if (s) {
        window.__wuyouEditor = {
          getState: store.getState,
          project: (p) => map.project([p[0], p[1]]),
          drawSnapshot: () => s.draw.snapshot(),
          renderedFeatures: (layers) => map.queryRenderedFeatures({ layers }).map((f) => f.properties),
        };
      }
    };
    const off = interaction.subscribe(sync);
    if (!interaction.enter('edit-area', owner)) {
      off();
      setOpen(false);
      return;
    }
    sync();
    return () => {
      off();
      interaction.leave(owner);
      overlays.current = null;
      delete window.__wuyouEditor;
      setDraw(null);
    };
  }, [map, open, store]);

  // Keep the drawing layer on the editor's state (undo, redo, clip, split, merge, conflicts).
  const geometry = state.draft?.geometry ?? null;
  const tool = state.tool;
  useEffect(() => {
    if (!draw) return;
    if (tool === 'draw') draw.drawPolygon();
    else if (tool === 'split') draw.drawLine();
    // 合并 only picks the other area: its click must not also move or add a vertex of this one.
    else draw.showArea(geometry, tool === 'edit');
  }, [draw, tool, geometry]);

  useEffect(() => {
    draw?.setSnapIndex(snap);
    draw?.setSnapping(state.snapping);
  }, [draw, snap, state.snapping]);

  // A drag's outline is only live until the store takes a geometry (drag end, undo, redo, save).
  useEffect(() => setDragGeometry(null), [geometry]);
  const checked = dragGeometry ?? geometry;
  const result = useMemo(
    () => (checked ? liveCheck(checked, ctx, state.draft?.id ?? null, !dragGeometry) : null),
    [checked, ctx, state.draft?.id, dragGeometry],
  );

  useEffect(() => {
    const o = overlays.current;
    if (!o) return;
    const issues = result?.issues ?? [];
    const c = state.conflict;
    o.show({
      ...EMPTY_OVERLAY,
      overlaps: issues.flatMap((i) =>
        i.code === 'overlap' ? i.parts.flatMap((p) => (p.geometry ? [p.geometry] : [])) : [],
      ),
      overlapOutlines: issues.flatMap((i) =>
        i.code === 'overlap' ? i.parts.flatMap((p) => (p.outline ? [p.outline] : [])) : [],
      ),
      crossings: issues.flatMap((i) => (i.code === 'self_intersection' ? i.points : [])),
      cutBuildings: cutBuildingShapes(issues, ctx),
      pendingParts: state.pending.splitOff,
      ghosts: c
        ? [
            { geometry: c.theirs.geometry, role: 'theirs' as const },
            ...(c.mine.geometry ? [{ geometry: c.mine.geometry, role: 'mine' as const }] : []),
          ]
        : ghost?.geometry
          ? [{ geometry: ghost.geometry, role: 'old' as const }]
          : [],
    });
  }, [result, ctx, state.pending, state.conflict, ghost, draw]);

  const attributeErrors = useMemo(
    () =>
      state.draft
        ? validateAttributes(state.draft.attributes, {
            ownStreet: streetCode,
            streetCodes: jurisdictions.filter((j) => j.level === 'street').map((j) => j.code),
          })
        : {},
    [state.draft, streetCode, jurisdictions],
  );

  const withLogin = useCallback((then: () => void) => {
    if (sessionToken()) then();
    else setLogin(() => then);
  }, []);

  // Live map (issue 12): someone else saved, split, merged or deleted the area being edited — warn
  // now, before any save, with the conflict dialog (their stored version beside the draft).
  const editedId = state.draft?.id ?? null;
  const editedVersion = state.draft?.version ?? null;
  useEffect(() => {
    if (editedId === null) return;
    const onChange = (ev: Event) => {
      const e = (ev as CustomEvent<ChangeEvent>).detail;
      if (e.actor.username === user?.username) return;
      if (!changedIds(e, 'service-areas').includes(editedId)) return;
      getArea(editedId)
        .then((theirs) => {
          if (theirs.version !== editedVersion) store.run(conflictDetected, { theirs });
        })
        .catch((err: unknown) =>
          setMessage({
            kind: 'error',
            render: (t: EditorT, lang: Language) => t('save.failed', { message: errorText(lang, err) }),
          }),
        );
    };
    window.addEventListener(LIVE_CHANGE, onChange);
    return () => window.removeEventListener(LIVE_CHANGE, onChange);
  }, [editedId, editedVersion, user, store, setMessage]);

  const fail = useCallback(
    (e: unknown) => {
      if (!(e instanceof ApiError)) {
        setMessage({
          kind: 'error',
          render: (t: EditorT, lang: Language) => t('save.failed', { message: errorText(lang, e) }),
        });
        return;
      }
      const details = (e.details ?? {}) as { issues?: LiveIssue[]; current?: unknown };
      if (e.status === 409 && details.current) {
        store.run(conflictDetected, { theirs: areaFromFeature(details.current) });
        setMessage(null);
      } else if (e.status === 401) {
        signOut();
        setUser(null);
        setMessage({
          kind: 'error',
          render: (t: EditorT, lang: Language) => t('save.failed', { message: errorText(lang, e) }),
        });
      } else if (e.code === 'out_of_jurisdiction') {
        setServerIssues(details.issues ?? [{ code: 'out_of_jurisdiction' }]);
        setMessage({ kind: 'error', render: (t: EditorT) => t('save.outOfJurisdiction') });
      } else if (e.status === 403) {
        setMessage({ kind: 'error', render: (t: EditorT) => t('save.forbidden') });
      } else if (e.status === 422) {
        setServerIssues(details.issues ?? []);
        setMessage({ kind: 'error', render: (t: EditorT) => t('save.blocked') });
      } else {
        setMessage({
          kind: 'error',
          render: (t: EditorT, lang: Language) => t('save.failed', { message: errorText(lang, e) }),
        });
      }
    },
    [store, setMessage, setServerIssues],
  );

  const save = useCallback(() => {
    withLogin(async () => {
      const s = store.getState();
      if (!s.draft?.geometry) return;
      if (Object.keys(attributeErrors).length) {
        setShowAllErrors(true);
        setMessage({ kind: 'error', render: (t: EditorT) => t('save.formErrors') });
        return;
      }
      let geometry = s.draft.geometry;
      let clipped = false;
      if (s.avoidOverlap) {
        const c = clipToView(geometry, ctx, s.draft.id);
        if (c.geometry && c.clippedBy.length) {
          store.run(setGeometry, { geometry: c.geometry });
          geometry = c.geometry;
          clipped = true;
        }
      }
      const local = liveCheck(geometry, ctx, s.draft.id);
      if (local.issues.some((i) => isBlocking(i.code) && i.code !== 'out_of_jurisdiction')) {
        setMessage({ kind: 'error', render: (t: EditorT) => t('save.blocked') });
        return;
      }
      setSaving(true);
      setServerIssues([]);
      setMessage(null);
      setNotice(null);
      const place = coveragePlace(s.draft.attributes.street_code);
      const before = await fetchUncovered(place);
      try {
        const d = store.getState().draft!;
        const stored = d.id !== null && d.version !== null;
        const parts = s.pending.splitOff.length > 0 || s.pending.mergedAway.length > 0;
        let r: SaveAnswer;
        if (stored && parts) {
          // One transaction per merge and per split on the server: nothing is lost if one fails.
          r = await saveSplitMerge(d.id!, d.version!, geometry, d.attributes, s.pending);
        } else {
          // A new area (not stored yet): save it, then create the parts cut off it.
          for (const m of s.pending.mergedAway) await deleteArea(m.id, m.version);
          r = await saveArea(d.id, d.version, geometry, d.attributes);
          const created = [];
          for (const [k, part] of s.pending.splitOff.entries()) {
            const name = splitPartName(d.attributes.name, k + 2);
            created.push((await saveArea(null, null, part, { ...d.attributes, name })).area);
          }
          r = { ...r, created };
        }
        store.run(saved, { area: r.area });
        setServerIssues(r.warnings);
        setMessage({
          kind: 'ok',
          render: (t: EditorT) =>
            [
              clipped ? t('save.clipped') : '',
              t('save.done', { v: r.area.version }),
              r.created?.length
                ? t('save.created', {
                    ids: r.created.map((c) => `#${c.id}「${c.attributes.name}」`).join('、'),
                  })
                : '',
              // A merge says which areas it took in (they are deleted), as a split names what it made.
              s.pending.mergedAway.length
                ? t('save.merged', {
                    ids: s.pending.mergedAway.map((m) => `#${m.id}「${m.name}」`).join('、'),
                  })
                : '',
            ]
              .filter(Boolean)
              .join(' · '),
        });
        setReload((x) => x + 1);
        if (map) refreshDataSources(map, ['service-areas', 'buildings']);
        const after = await fetchUncovered(place);
        if (before && after)
          setNotice({ threeNo: after.threeNo - before.threeNo, all: after.all - before.all });
      } catch (e) {
        fail(e);
      } finally {
        setSaving(false);
      }
    });
  }, [withLogin, store, attributeErrors, ctx, fail, map, setMessage, setServerIssues, setNotice]);

  const onConflict = useCallback(
    (choice: ConflictChoice) => {
      store.run(resolveConflict, { choice });
      if (choice === 'keep_mine') save();
    },
    [store, save],
  );

  const removeArea = useCallback(
    (yes: boolean) => {
      setConfirmDelete(false);
      if (!yes) return;
      const d = store.getState().draft;
      if (!d) return;
      if (d.id === null) {
        store.run(closeArea, undefined);
        return;
      }
      withLogin(() => {
        deleteArea(d.id!, d.version!)
          .then(() => {
            store.run(closeArea, undefined);
            setMessage({ kind: 'ok', render: (t: EditorT) => t('save.deleted') });
            setReload((x) => x + 1);
            if (map) refreshDataSources(map, ['service-areas', 'buildings']);
          })
          .catch(fail);
      });
    },
    [store, withLogin, fail, map, setMessage],
  );

  // A reload or a closed tab would lose unsaved work: the browser asks first.
  useEffect(() => {
    const onUnload = (e: BeforeUnloadEvent) => {
      if (!isDirty(store.getState())) return;
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [store]);

  // Keyboard: Ctrl+Z / Ctrl+Shift+Z, Esc, Delete.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      const inField = (e.target as HTMLElement | null)?.closest?.('input, textarea, select');
      if (e.key === 'Escape') {
        draw?.cancel();
        store.run(cancelDrawing, undefined);
        setDragGeometry(null);
        return;
      }
      if (inField) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        report(store.run(e.shiftKey ? redo : undo, undefined));
      } else if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        report(store.run(redo, undefined));
      } else if (e.key === 'Delete') {
        const s = store.getState();
        if (s.selectedVertex !== null) report(store.run(deleteVertexAction, { index: s.selectedVertex }));
        else if (s.draft) setConfirmDelete(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, draw, store, report]);

  if (!open) {
    return (
      <button
        type="button"
        className="button primary editor-launch"
        data-testid="editor-open"
        onClick={() => setOpen(true)}
      >
        {t('editor.open')}
      </button>
    );
  }

  if (window.__wuyouEditorFault) throw new Error('injected fault');
  const d = state.draft;
  const named = (j: JurisdictionSummary) => ({ ...j, name: lang === 'en' && j.name_en ? j.name_en : j.name });
  const streets = jurisdictions.filter((j) => j.level === 'street').map(named);
  const communities = jurisdictions.filter((j) => j.level === 'community').map(named);
  const hint: EditorMessageKey = `editor.hint.${tool === 'idle' ? 'idle' : tool}` as EditorMessageKey;
  const canSave = !!d?.geometry && (isDirty(state) || d.id === null) && !state.conflict;

  return (
    <aside className="editor-panel" data-testid="editor-panel" aria-label={t('editor.title')}>
      <header className="editor-header">
        <div className="editor-header-title">
          <h2>{t('editor.title')}</h2>
          <button
            type="button"
            className="close"
            data-testid="editor-close"
            aria-label={t('editor.close')}
            title={t('editor.close')}
            onClick={() => {
              if (isDirty(state) && !window.confirm(t('guard.close'))) return;
              if (!isDirty(state)) store.run(closeArea, undefined);
              setOpen(false);
            }}
          >
            ×
          </button>
        </div>
        <div className="editor-header-status">
          {isDirty(state) && (
            <>
              <span className="editor-dirty" data-testid="editor-dirty">
                {t('dirty')}
              </span>
              <button
                type="button"
                className="link"
                data-testid="editor-discard"
                title={t('discard.title')}
                onClick={() => report(store.run(discardChanges, undefined))}
              >
                {t('discard')}
              </button>
            </>
          )}
          <span className="editor-user">
            {user ? (
              <>
                <span className="editor-username" data-testid="editor-user" title={user.username}>
                  {t('login.as', { user: user.username })}
                </span>
                <button
                  type="button"
                  className="link"
                  data-testid="editor-sign-out"
                  onClick={() => {
                    if (isDirty(state) && !window.confirm(t('guard.signOut'))) return;
                    signOut();
                    setUser(null);
                  }}
                >
                  {t('login.signOut')}
                </button>
              </>
            ) : (
              <button
                type="button"
                className="link"
                data-testid="editor-login"
                onClick={() => setLogin(() => () => {})}
              >
                {t('login.signIn')}
              </button>
            )}
          </span>
        </div>
      </header>
      <Toolbar
        t={t}
        state={state}
        saving={saving}
        canSave={canSave}
        onNew={() => {
          if (isDirty(state) && !window.confirm(t('guard.new'))) return;
          store.run(startNewArea, { streetCode: streetCode ?? undefined });
          setServerIssues([]);
          setTouched(new Set());
          setShowAllErrors(false);
          setGhost(null);
          setMessage(null);
        }}
        onTool={(next: Tool) => report(store.run(setTool, { tool: next }))}
        onDelete={() => setConfirmDelete(true)}
        onUndo={() => report(store.run(undo, undefined))}
        onRedo={() => report(store.run(redo, undefined))}
        onSave={save}
        onToggleSnapping={() => store.run(toggleSnapping, undefined)}
        onToggleAvoidOverlap={() => store.run(toggleAvoidOverlap, undefined)}
      />
      <p className="editor-hint" data-testid="editor-hint">
        {zoom < MIN_EDIT_ZOOM ? t(hint) + t('editor.zoomIn', { zoom: String(MIN_EDIT_ZOOM) }) : t(hint)}
      </p>
      {message && (
        <p
          className={`editor-message ${message.kind}`}
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid="editor-message"
        >
          {message.render(t, lang)}
        </p>
      )}
      {notice && (
        <p className="editor-message ok" role="status" data-testid="save-notice">
          {t('notice.title')}：
          {notice.threeNo === 0 && notice.all === 0
            ? t('notice.none')
            : [
                notice.threeNo !== 0 ? t('notice.threeNo', { delta: signed(notice.threeNo) }) : '',
                notice.all !== 0 ? t('notice.all', { delta: signed(notice.all) }) : '',
              ]
                .filter(Boolean)
                .join(' · ')}
        </p>
      )}
      {d && (
        <ChecksPanel
          t={t}
          lang={lang}
          result={result}
          serverIssues={serverIssues}
          clipsOverlap={state.avoidOverlap}
        />
      )}
      {d && (
        <AttributeForm
          t={t}
          attributes={d.attributes}
          errors={attributeErrors}
          showAll={showAllErrors}
          touched={touched}
          streets={streets}
          communities={communities}
          lockedStreet={streetCode}
          onChange={(field, value) => {
            setTouched((s) => new Set(s).add(field));
            store.run(setAttribute, { field, value });
          }}
        />
      )}
      {d && (
        <HistoryPanel
          t={t}
          lang={lang}
          areaId={d.id}
          version={state.base?.version ?? null}
          shownVersion={ghost?.version ?? null}
          onShow={setGhost}
          onRestore={(h) => {
            if (h.geometry)
              report(store.run(restoreVersion, { geometry: h.geometry, attributes: h.attributes }));
          }}
        />
      )}
      {state.conflict && <ConflictDialog t={t} conflict={state.conflict} onChoose={onConflict} />}
      {mergeCandidate && d && (
        <MergeDialog
          t={t}
          mine={d.attributes.name}
          other={mergeCandidate.attributes.name}
          onChoose={(keep) => {
            if (keep) report(store.run(mergeWith, { other: mergeCandidate, keep }));
            setMergeCandidate(null);
          }}
        />
      )}
      {confirmDelete && d && (
        <ConfirmDialog
          t={t}
          text={t('delete.confirm', { name: d.attributes.name || t('newName') })}
          onAnswer={removeArea}
        />
      )}
      {login && (
        <LoginDialog
          t={t}
          onDone={(u) => {
            const then = login;
            setLogin(null);
            if (u) {
              setUser(u);
              then();
            }
          }}
        />
      )}
    </aside>
  );
}
