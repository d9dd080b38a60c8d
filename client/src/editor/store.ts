import { dispatch, initialState, type Action, type ActionError } from './actions.ts';
import type { EditorState } from './types.ts';

/** The editor's state behind `run(action, input)`, observable for React's useSyncExternalStore. */
export class EditorStore {
  #state: EditorState;
  readonly #listeners = new Set<() => void>();

  constructor(state: EditorState = initialState()) {
    this.#state = state;
  }

  getState = (): EditorState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  run<I>(action: Action<I>, input: I): ActionError | undefined {
    const r = dispatch(this.#state, action, input);
    if (r.state !== this.#state) {
      this.#state = r.state;
      for (const l of this.#listeners) l();
    }
    return r.error;
  }
}
