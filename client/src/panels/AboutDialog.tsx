import { useEffect, useRef } from 'react';
import { SYNTHETIC_NOTE } from '../../../data/demo-city/names.ts';
import { useI18n } from '../i18n/I18n.tsx';

/** 关于: what the tool is, that it runs offline, and that the demo city is made up. */
export function AboutDialog({ onClose }: { onClose(): void }) {
  const { t, lang } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current!;
    if (!d.open) d.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="about" data-testid="about-dialog" onClose={onClose} onCancel={onClose}>
      <h2>{t('about.title')}</h2>
      <p>{t('about.body')}</p>
      <p>{t('about.offline')}</p>
      <h3>{t('about.dataTitle')}</h3>
      <p data-testid="synthetic-note">{lang === 'en' ? SYNTHETIC_NOTE.en : SYNTHETIC_NOTE.zh}</p>
      <form method="dialog">
        <button type="submit" className="button primary">
          {t('about.close')}
        </button>
      </form>
    </dialog>
  );
}
