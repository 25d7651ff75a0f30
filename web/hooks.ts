import { useEffect, useState } from 'preact/hooks';
import { getState, subscribe, type State } from './store.js';

/**
 * The store's state, re-rendering on every change. The effect subscribes after the first render,
 * so it also reads the state once subscribed: a change in between (the stream's snapshot arriving
 * before the effect ran) would otherwise be lost until the next change, and an idle Canary's page
 * would say "not visible" for good (seen once in CI, in the read-only browser test).
 */
export function useStore(): State {
  const [s, setS] = useState(getState());
  useEffect(() => {
    const unsubscribe = subscribe(() => {
      setS(getState());
    });
    setS(getState());
    return unsubscribe;
  }, []);
  return s;
}

/** The current time, refreshed every second (time in phase keeps moving). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(t);
    };
  }, []);
  return now;
}

export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => {
      setHash(location.hash);
    };
    addEventListener('hashchange', on);
    return () => {
      removeEventListener('hashchange', on);
    };
  }, []);
  return hash;
}
