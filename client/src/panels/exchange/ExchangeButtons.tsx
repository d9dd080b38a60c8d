import { useSessionUser } from '../../use-session.ts';
import { useExchangeText } from './messages.ts';

/**
 * 导出 for everyone (the export API serves anonymous readers, without the author columns); 导入 for
 * signed-in city admins and street editors.
 */
export function ExchangeButtons({ onExport, onImport }: { onExport(): void; onImport?(): void }) {
  const { t } = useExchangeText();
  const user = useSessionUser();
  return (
    <>
      <button type="button" className="button" data-testid="export-button" onClick={onExport}>
        {t('export.open')}
      </button>
      {onImport && user && !user.mustChangePassword && user.role !== 'viewer' && (
        <button type="button" className="button" data-testid="import-button" onClick={onImport}>
          {t('import.open')}
        </button>
      )}
    </>
  );
}
