import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * A list's search text, kept in the address as `?q=`: the global search (and
 * a shared link) opens a list already filtered, and what the user types goes
 * back into the address. `onOutsideChange` runs when the address changes the
 * text from outside (a new search while the list is shown), e.g. to go back
 * to the first page.
 */
export function useUrlSearch(onOutsideChange?: () => void): [string, (text: string) => void] {
  const [params, setParams] = useSearchParams();
  const inUrl = params.get('q') ?? '';
  const [text, setText] = useState(inUrl);
  const [seen, setSeen] = useState(inUrl);
  if (inUrl !== seen) {
    // Adjusting state while rendering, as React recommends over an effect.
    setSeen(inUrl);
    setText(inUrl);
    onOutsideChange?.();
  }
  const change = (next: string) => {
    setText(next);
    setSeen(next);
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        if (next) out.set('q', next);
        else out.delete('q');
        return out;
      },
      { replace: true },
    );
  };
  return [text, change];
}
