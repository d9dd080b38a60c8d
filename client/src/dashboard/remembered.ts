import { useState } from 'react';

/** A boolean kept in localStorage (a panel's collapsed state survives a reload). */
export function useRemembered(key: string): [boolean, (v: boolean) => void] {
  const [value, setValue] = useState(() => {
    try {
      return localStorage.getItem(key) === 'true';
    } catch {
      return false;
    }
  });
  const set = (v: boolean) => {
    setValue(v);
    try {
      localStorage.setItem(key, String(v));
    } catch {
      // not remembered
    }
  };
  return [value, set];
}
