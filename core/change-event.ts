/**
 * One committed change, as the change feed (migration 0016) publishes it and `GET /api/events`
 * streams it: which tile layers it bumped (to what version), which rows it touched, what kind of
 * write it was and who made it. Words for it are the client's (i18n `live.*`); this is codes only.
 */
export type ChangeKind = 'create' | 'update' | 'delete' | 'split' | 'merge' | 'import';

/**
 * Layers a change is reported under; 'ledger' and 'assessments' (五有 assessments, migration 0022)
 * list the compounds whose ledger items or assessments changed.
 */
export const CHANGE_LAYERS = [
  'service-areas',
  'cameras',
  'gates',
  'compounds',
  'ledger',
  'assessments',
] as const;
export type ChangeLayer = (typeof CHANGE_LAYERS)[number];

export type ChangeOp = 'insert' | 'update' | 'delete';

/**
 * Who made a change, as a signed-in client is told it (the toast's "凯旋路街道 · 张三"): the username
 * and the 街道. The writer's internal user id stays in the server's log (change_events.user_id);
 * no client needs it, so the stream never sends it.
 */
export interface ChangeActor {
  username: string | null;
  /** The 街道 the writer works for (or, for a city-level writer, of the changed area). */
  streetCode: string | null;
  streetName: string | null;
}

export interface ChangeEvent {
  id: number;
  /** ISO time of the commit. */
  at: string;
  kind: ChangeKind;
  /** Tile layer → [version, changed_at in µs]: every layer this commit bumped. */
  layers: Record<string, [number, number]>;
  changes: Partial<Record<ChangeLayer, Partial<Record<ChangeOp, number[]>>>>;
  /** More rows changed than `changes` lists (an import, a large edit): redraw the layers wholesale. */
  truncated: boolean;
  /** [west, south, east, north] around every changed geometry; null when unknown (anywhere). */
  bbox: [number, number, number, number] | null;
  actor: ChangeActor;
}

/**
 * What `GET /api/events` sends of a change outside the client's view (`event: versions`): enough to
 * keep tile caches and panels right — the layer versions, which layers changed and in which 街道 —
 * without the ids, the box or who made it.
 */
export interface OutsideEvent {
  id: number;
  layers: ChangeEvent['layers'];
  changed: ChangeLayer[];
  street: string | null;
}

/**
 * An OutsideEvent as a ChangeEvent for panels: the layers it changed with their ids withheld (empty
 * ops; see `idsWithheld`), its street as the actor's, no box and no one's name.
 */
export function fromOutside(o: OutsideEvent): ChangeEvent {
  return {
    id: o.id,
    at: '',
    kind: 'update',
    layers: o.layers,
    changes: Object.fromEntries(o.changed.map((l) => [l, {}])),
    truncated: false,
    bbox: null,
    actor: { username: null, streetCode: o.street, streetName: null },
  };
}

/** Did `e` change `layer` without saying which rows (an event outside the view)? */
export function idsWithheld(e: Pick<ChangeEvent, 'changes'>, layer: ChangeLayer): boolean {
  const ops = e.changes[layer];
  return ops !== undefined && Object.keys(ops).length === 0;
}

/** Ids of `layer` that `e` touched, whatever the op. */
export function changedIds(e: Pick<ChangeEvent, 'changes'>, layer: ChangeLayer): number[] {
  const ops = e.changes[layer];
  return ops ? [...(ops.insert ?? []), ...(ops.update ?? []), ...(ops.delete ?? [])] : [];
}

/** Does the event's box meet `view` ([w, s, e, n])? An event with no box meets every view. */
export function meetsView(e: Pick<ChangeEvent, 'bbox'>, view: readonly number[] | null): boolean {
  if (!view || !e.bbox) return true;
  const [w, s, east, n] = e.bbox;
  return !(east < view[0]! || w > view[2]! || n < view[1]! || s > view[3]!);
}
