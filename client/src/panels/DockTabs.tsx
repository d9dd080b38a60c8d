import { useSyncExternalStore, type KeyboardEvent } from 'react';
import { isDirty } from '../editor/actions.ts';
import type { EditorStore } from '../editor/store.ts';
import { useDashboardText } from '../dashboard/messages.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { useEditorText } from './editor/messages.ts';

export type DockPanel = 'editor' | 'dashboard';
const ORDER: readonly DockPanel[] = ['editor', 'dashboard'];

/**
 * The right-hand dock's tabs, shown while the editor and the dashboard are both open: they share the
 * one column (each 360 px), and the tab in front is the one shown. Side by side they left a 1,200 px
 * window ~170 px of map, with the map's own buttons under them. The one behind stays mounted: the
 * dashboard keeps its place and page, the editor its draft (marked • while unsaved).
 */
export function DockTabs({
  front,
  onFront,
  store,
}: {
  front: DockPanel;
  onFront: (panel: DockPanel) => void;
  store: EditorStore;
}) {
  const { t } = useI18n();
  const { t: editorText } = useEditorText();
  const { t: dashboardText } = useDashboardText();
  const dirty = useSyncExternalStore(store.subscribe, () => isDirty(store.getState()));
  const label: Record<DockPanel, string> = {
    editor: editorText('editor.title'),
    dashboard: dashboardText('open'),
  };
  // The tab pattern's keys: ← → move between the tabs (and bring that panel forward).
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next =
      ORDER[(ORDER.indexOf(front) + (e.key === 'ArrowRight' ? 1 : ORDER.length - 1)) % ORDER.length]!;
    onFront(next);
    e.currentTarget.querySelector<HTMLButtonElement>(`[data-panel=${next}]`)?.focus();
  };
  return (
    <div
      className="dock-tabs"
      role="tablist"
      aria-label={t('dock.label')}
      data-testid="dock-tabs"
      onKeyDown={onKey}
    >
      {ORDER.map((p) => (
        <button
          key={p}
          type="button"
          role="tab"
          data-panel={p}
          data-testid={`dock-tab-${p}`}
          aria-selected={front === p}
          tabIndex={front === p ? 0 : -1}
          onClick={() => onFront(p)}
        >
          {label[p]}
          {p === 'editor' && dirty && (
            <span className="dock-dirty" title={editorText('dirty')} aria-label={editorText('dirty')}>
              {' •'}
            </span>
          )}
        </button>
      ))}
    </div>
  );
}
