import { useEffect, useState } from 'react';
import { fetchJurisdictions, type JurisdictionSummary } from '../api.ts';
import type { Language } from './messages.ts';

/**
 * 街道 / 社区 names by code, read once per page from `GET /api/jurisdictions`, so any panel can show
 * a place's name (its English name in English) where the data carries only its code.
 */
const places = new Map<string, JurisdictionSummary>();
let loading: Promise<void> | null = null;
const listeners = new Set<() => void>();

/** Starts reading the names (once); resolves when they are known. */
export function loadPlaces(): Promise<void> {
  loading ??= fetchJurisdictions()
    .then((list) => {
      for (const j of list) places.set(j.code, j);
      for (const l of listeners) l();
    })
    .catch((e: Error) => {
      loading = null;
      console.warn('place names:', e.message);
    });
  return loading;
}

/** Remembers names another panel has read already. */
export function rememberPlaces(list: readonly JurisdictionSummary[]): void {
  for (const j of list) places.set(j.code, j);
}

/** The place's name in the language (English falls back to Chinese), or `fallback` when unknown. */
export function placeName(code: string, lang: Language, fallback = code): string {
  const j = places.get(code);
  if (!j) return fallback;
  return lang === 'en' && j.name_en ? j.name_en : j.name;
}

/** A name in the language from a row carrying `name` and maybe `name_en`. */
export function localName(row: { name: string; name_en?: string | null }, lang: Language): string {
  return lang === 'en' && row.name_en ? row.name_en : row.name;
}

/** Re-renders the component once the names have arrived; returns placeName. */
export function usePlaceNames(): typeof placeName {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    void loadPlaces();
    return () => {
      listeners.delete(l);
    };
  }, []);
  return placeName;
}
