import { useEffect, useState } from 'preact/hooks';
import { getState, subscribe, type State } from './store.js';

export function useStore(): State {
  const [s, setS] = useState(getState());
  useEffect(
    () =>
      subscribe(() => {
        setS(getState());
      }),
    [],
  );
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
