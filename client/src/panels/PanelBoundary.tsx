import { Component, useState, type ErrorInfo, type ReactNode } from 'react';
import { useEditorText } from './editor/messages.ts';

export interface PanelBoundaryProps {
  /** Names the panel in the console and in `data-panel` of the fallback. */
  name: string;
  /** Unsaved work the panel held (a draft outline), offered for copying as GeoJSON after a fault. */
  unsaved?: () => GeoJSON.Geometry | null | undefined;
  children: ReactNode;
}

/**
 * One panel's error boundary: a fault in it shows a message where the panel was and leaves the map
 * and the other panels running. Whatever the panel had not saved can be copied as GeoJSON, and the
 * panel can be opened again (its state, if held outside it, comes back with it).
 */
export class PanelBoundary extends Component<PanelBoundaryProps, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`panel ${this.props.name} failed:`, error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <PanelFault
        name={this.props.name}
        message={error.message}
        unsaved={this.props.unsaved?.() ?? null}
        onRetry={() => this.setState({ error: null })}
      />
    );
  }
}

function PanelFault({
  name,
  message,
  unsaved,
  onRetry,
}: {
  name: string;
  message: string;
  unsaved: GeoJSON.Geometry | null;
  onRetry(): void;
}) {
  const { t } = useEditorText();
  const [copied, setCopied] = useState(false);
  const text = unsaved
    ? JSON.stringify({ type: 'Feature', geometry: unsaved, properties: {} }, null, 1)
    : null;
  return (
    <div className="panel-fault" role="alert" data-testid="panel-fault" data-panel={name}>
      <p>{t('boundary.failed', { message })}</p>
      {text && (
        <>
          <button
            type="button"
            className="button"
            data-testid="panel-fault-copy"
            onClick={() => {
              navigator.clipboard
                ?.writeText(text)
                .then(() => setCopied(true))
                .catch(() => setCopied(false));
            }}
          >
            {copied ? t('boundary.copied') : t('boundary.copy')}
          </button>
          <textarea readOnly value={text} rows={4} data-testid="panel-fault-geojson" />
        </>
      )}
      <button type="button" className="button" data-testid="panel-fault-retry" onClick={onRetry}>
        {t('boundary.retry')}
      </button>
    </div>
  );
}
