import { useEffect, useRef } from 'react';
import { helpText } from '../i18n/help.ts';
import { useI18n } from '../i18n/I18n.tsx';

/** 帮助: the three jobs (draw an area, coverage and gaps, cameras and gates), step by step. */
export function HelpDialog({ onClose }: { onClose(): void }) {
  const { lang } = useI18n();
  const help = helpText(lang);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current!;
    if (!d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="about help"
      data-testid="help-dialog"
      aria-label={help.title}
      onClose={onClose}
      onCancel={onClose}
    >
      <h2>{help.title}</h2>
      <p>{help.intro}</p>
      {help.jobs.map((job) => (
        <section key={job.id} data-testid={`help-${job.id}`}>
          <h3>{job.title}</h3>
          <ol>
            {job.steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </section>
      ))}
      <form method="dialog">
        <button type="submit" className="button primary" data-testid="help-close">
          {help.close}
        </button>
      </form>
    </dialog>
  );
}
