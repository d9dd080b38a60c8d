import { useEffect, useRef, useState } from 'react';
import { search, type SearchResult } from '../api.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { errorText } from '../i18n/errors.ts';
import { enumKey, type Language } from '../i18n/messages.ts';

export interface SearchBoxProps {
  onChoose(result: SearchResult): void;
}

type State =
  | { kind: 'idle' }
  | { kind: 'results'; q: string; results: SearchResult[] }
  | { kind: 'failed'; error: unknown };

/** 搜索: a compound by name, code or address, or a street by name or code; choosing a hit flies the map there. */
export function SearchBox({ onChoose }: SearchBoxProps) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [active, setActive] = useState(0);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const query = q.trim();
    if (!query) return;
    const ac = new AbortController();
    // A short pause so that typing a name asks once, not once per character.
    const timer = setTimeout(() => {
      search(query, ac.signal)
        .then((results) => {
          setState({ kind: 'results', q: query, results });
          setActive(0);
        })
        .catch((e: Error) => {
          if (e.name !== 'AbortError') setState({ kind: 'failed', error: e });
        });
    }, 200);
    return () => {
      clearTimeout(timer);
      ac.abort();
    };
  }, [q]);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setState({ kind: 'idle' });
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const choose = (r: SearchResult) => {
    setState({ kind: 'idle' });
    setQ(shownName(r, lang));
    onChoose(r);
  };
  const results = state.kind === 'results' ? state.results : [];

  return (
    <div className="search" ref={box}>
      <input
        type="search"
        data-testid="search-input"
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          if (!e.target.value.trim()) setState({ kind: 'idle' });
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, results.length - 1));
          else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter' && results[active]) choose(results[active]);
          else if (e.key === 'Escape') setState({ kind: 'idle' });
        }}
      />
      {state.kind === 'failed' && (
        <div className="search-results" role="alert">
          <div className="search-empty">{t('search.failed', { message: errorText(lang, state.error) })}</div>
        </div>
      )}
      {state.kind === 'results' && (
        <ul className="search-results" data-testid="search-results" role="listbox">
          {results.length === 0 && <li className="search-empty">{t('search.none', { q: state.q })}</li>}
          {results.map((r, i) => (
            <li
              key={`${r.kind}/${r.id}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              data-testid="search-result"
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(r);
              }}
            >
              <span className="search-name">{shownName(r, lang)}</span>
              <span className="search-detail">
                <ResultDetail result={r} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A hit's name in the language (jurisdictions have English names; compounds are named in Chinese). */
function shownName(r: SearchResult, lang: Language): string {
  return lang === 'en' && r.name_en ? r.name_en : r.name;
}

function ResultDetail({ result }: { result: SearchResult }) {
  const { t, lang } = useI18n();
  const attr =
    result.kind === 'compound' ? 'category' : result.kind === 'service-area' ? 'management_mode' : 'level';
  const key = enumKey(attr, result.detail);
  const word = key ? t(key) : result.detail;
  const what =
    result.kind === 'compound'
      ? `${t('search.compound')} · ${word}`
      : result.kind === 'service-area'
        ? `${t('search.serviceArea')} · ${word}`
        : word;
  const parent = lang === 'en' && result.parent_en ? result.parent_en : result.parent;
  // Found by its code or address: say which, so the hit explains itself.
  const how =
    result.matched === 'address' && result.address
      ? ` · ${result.address}`
      : result.matched === 'code' && result.code
        ? ` · ${t('search.code')} ${result.code}`
        : '';
  return (
    <>
      {what}
      {parent ? ` · ${parent}` : ''}
      <span data-testid="search-matched" data-matched={result.matched}>
        {how}
      </span>
    </>
  );
}
