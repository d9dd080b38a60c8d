/** Dispatched on window for every change from the feed (detail: ChangeEvent); panels redraw from it. */
export const LIVE_CHANGE = 'wuyou:change';
/** Dispatched on window when the feed could not replay what was missed: everything reloads. */
export const LIVE_RESET = 'wuyou:reset';
