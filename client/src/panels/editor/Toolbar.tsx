import type { EditorState, Tool } from '../../editor/types.ts';
import type { EditorT } from './messages.ts';

export interface ToolbarProps {
  t: EditorT;
  state: EditorState;
  saving: boolean;
  canSave: boolean;
  onNew(): void;
  onTool(tool: Tool): void;
  onDelete(): void;
  onUndo(): void;
  onRedo(): void;
  onSave(): void;
  onToggleSnapping(): void;
  onToggleAvoidOverlap(): void;
}

/** The editor's commands; each button names its keyboard shortcut in its title. */
export function Toolbar(p: ToolbarProps) {
  const { t, state } = p;
  const hasShape = !!state.draft?.geometry;
  const button = (
    id: string,
    label: string,
    onClick: () => void,
    opts: { disabled?: boolean; active?: boolean; title?: string } = {},
  ) => (
    <button
      type="button"
      className={`button${opts.active ? ' active' : ''}`}
      data-testid={`editor-${id}`}
      aria-pressed={opts.active}
      disabled={opts.disabled}
      title={opts.title ?? label}
      onClick={onClick}
    >
      {label}
    </button>
  );
  return (
    <div className="editor-toolbar" role="toolbar" data-testid="editor-toolbar">
      <div className="editor-toolrow">
        {button('new', t('tool.new'), p.onNew, { active: state.tool === 'draw' })}
        {button('edit', t('tool.edit'), () => p.onTool('edit'), {
          disabled: !hasShape,
          active: state.tool === 'edit',
        })}
        {button('split', t('tool.split'), () => p.onTool('split'), {
          disabled: !hasShape,
          active: state.tool === 'split',
        })}
        {button('merge', t('tool.merge'), () => p.onTool('merge'), {
          disabled: !hasShape || state.draft?.id == null,
          active: state.tool === 'merge',
        })}
        {button('delete', t('tool.delete'), p.onDelete, { disabled: !state.draft })}
      </div>
      <div className="editor-toolrow">
        {button('undo', t('tool.undo'), p.onUndo, {
          disabled: state.past.length === 0,
          title: t('tool.undoTitle'),
        })}
        {button('redo', t('tool.redo'), p.onRedo, {
          disabled: state.future.length === 0,
          title: t('tool.redoTitle'),
        })}
        <label className="editor-toggle">
          <input
            type="checkbox"
            data-testid="editor-snapping"
            checked={state.snapping}
            onChange={p.onToggleSnapping}
          />
          {t('tool.snapping')}
        </label>
        <label className="editor-toggle">
          <input
            type="checkbox"
            data-testid="editor-avoid-overlap"
            checked={state.avoidOverlap}
            onChange={p.onToggleAvoidOverlap}
          />
          {t('tool.avoidOverlap')}
        </label>
        <button
          type="button"
          className="button primary"
          data-testid="editor-save"
          aria-busy={p.saving}
          disabled={!p.canSave || p.saving}
          onClick={p.onSave}
        >
          {p.saving ? t('tool.saving') : t('tool.save')}
        </button>
      </div>
    </div>
  );
}
