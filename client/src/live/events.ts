/** Dispatched on window for every change from the feed (detail: ChangeEvent); panels redraw from it. */
export const LIVE_CHANGE = 'wuyou:change';
/** Dispatched on window when the feed could not replay what was missed: everything reloads. */
export const LIVE_RESET = 'wuyou:reset';

let feedOn = false;

/**
 * Whether this tab follows the change feed right now (signed in, stream open and caught up). Panels
 * that poll for others' changes skip their timer while it is: every change then comes as LIVE_CHANGE.
 */
export const liveFeedOn = (): boolean => feedOn;

/** Set by LiveUpdates as its stream opens (true) and is lost or stopped (false). */
export function setLiveFeedOn(on: boolean): void {
  feedOn = on;
}
