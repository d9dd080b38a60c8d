import type { DashboardT } from './messages.ts';

/**
 * 上一页 · 第 n / m 页 · 下一页 under a list shown a page at a time. `page` counts from 0; `onGo` is
 * asked for the page before or after it. Test ids: `${testid}-pager`, `-previous`, `-page`, `-next`.
 */
export function Pager({
  testid,
  page,
  pages,
  onGo,
  t,
}: {
  testid: string;
  page: number;
  pages: number;
  onGo: (page: number) => void;
  t: DashboardT;
}) {
  return (
    <div className="pager" data-testid={`${testid}-pager`}>
      <button
        type="button"
        className="link"
        disabled={page <= 0}
        data-testid={`${testid}-previous`}
        onClick={() => onGo(page - 1)}
      >
        {t('list.previous')}
      </button>
      <span className="muted" data-testid={`${testid}-page`}>
        {t('list.page', { page: page + 1, pages })}
      </span>
      <button
        type="button"
        className="link"
        disabled={page >= pages - 1}
        data-testid={`${testid}-next`}
        onClick={() => onGo(page + 1)}
      >
        {t('list.next')}
      </button>
    </div>
  );
}
