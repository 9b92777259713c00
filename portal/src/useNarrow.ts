import { useSyncExternalStore } from "react";

/** Widths at which tables become stacked cards: a phone held upright, or a narrow window. */
export const NARROW_QUERY = "(max-width: 40rem)";

function subscribe(onChange: () => void) {
  const query = window.matchMedia(NARROW_QUERY);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/**
 * Whether the page is narrow now, following the window as it changes. A table is a different element from a
 * list of cards, so this is a hook rather than only a media query in the styles.
 */
export function useNarrow(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(NARROW_QUERY).matches);
}
