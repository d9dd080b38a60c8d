import type { ChangeEvent, ChangeLayer } from '../../../core/change-event.ts';
import { changedIds, idsWithheld } from '../../../core/change-event.ts';

/** What a change event must look like to matter to a panel (pure: the tests run it in Node). */
type Event = Pick<ChangeEvent, 'kind' | 'changes' | 'truncated' | 'actor'>;

/** Layers whose rows a place's figures are counted from: coverage, 五有, the ledger. */
const FIGURE_LAYERS: ChangeLayer[] = [
  'service-areas',
  'compounds',
  'cameras',
  'gates',
  'ledger',
  'assessments',
];
/** Layers a street's gaps and proposals depend on (buildings come by import). */
const AREA_LAYERS: ChangeLayer[] = ['service-areas', 'compounds'];

/** An import (buildings among what it may load) or a change too large to list touches everything. */
const touches = (e: Event, layers: readonly ChangeLayer[]) =>
  e.kind === 'import' || e.truncated || layers.some((l) => l in e.changes);

/**
 * Does the change happen in `place`? The event names the 街道 of its writer (or, for a city-level
 * writer, of the changed area); none means anywhere. Street codes begin with their district's code
 * (GB/T 2260 plus three digits), so a district holds the streets under its prefix.
 */
export function inPlace(e: Pick<Event, 'actor'>, place: { level: string; code?: string }): boolean {
  const street = e.actor.streetCode;
  if (place.level === 'city' || !place.code || !street) return true;
  if (place.level === 'district') return street.startsWith(place.code);
  if (place.level === 'street') return street === place.code;
  // A community's figures: its street's changes (the event does not name communities).
  return place.code.startsWith(street);
}

/** Should the dashboard's figures of `place` (coverage, trend, worst compounds, 五有, ledger) be read again? */
export const changesFigures = (e: Event, place: { level: string; code?: string }): boolean =>
  touches(e, FIGURE_LAYERS) && inPlace(e, place);

/** Should a street's gaps and draft proposals (heavy) be read again? */
export const changesAreaLists = (e: Event, street: string): boolean =>
  touches(e, AREA_LAYERS) && inPlace(e, { level: 'street', code: street });

/**
 * Should a compound's card (五有 scorecard and 问题清单) be read again? Its own ledger items,
 * 五有 assessments or row changed, or something its scorecard is derived from (an area, a camera, a gate) changed in its
 * street.
 */
export function changesCompound(e: Event, compoundId: number, streetCode: string | null): boolean {
  if (OWN_LAYERS.some((l) => changedIds(e, l).includes(compoundId))) return true;
  if (e.kind === 'import' || e.truncated) return true;
  const sameStreet = !e.actor.streetCode || !streetCode || e.actor.streetCode === streetCode;
  // A change outside the map's view comes without ids (GET /api/events): any compound of its street.
  const maybeOwn = OWN_LAYERS.some((l) => idsWithheld(e, l));
  const scored = (['service-areas', 'cameras', 'gates'] as const).some((l) => l in e.changes);
  return (scored || maybeOwn) && sameStreet;
}

/** Layers that list a compound's own id: its row, its ledger items, its 五有 assessments (0022). */
const OWN_LAYERS: ChangeLayer[] = ['ledger', 'compounds', 'assessments'];
