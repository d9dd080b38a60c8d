import { useSessionUser } from '../../use-session.ts';
import { useExchangeText } from './messages.ts';

/** 导出 for every signed-in user; 导入 for city admins and street editors. */
export function ExchangeButtons({ onExport, onImport }: { onExport(): void; onImport?(): void }) {
  const { t } = useExchangeText();
  const user = useSessionUser();
  if (!user) return null;
  return (
    <>
      <button type="button" className="button" data-testid="export-button" onClick={onExport}>
        {t('export.open')}
      </button>
      {onImport && user.role !== 'viewer' && (
        <button type="button" className="button" data-testid="import-button" onClick={onImport}>
          {t('import.open')}
        </button>
      )}
    </>
  );
}
