/**
 * Reports the clerk's activity (a pointer press or a key, anywhere in the window) to the
 * store while signed in, so the native side can postpone the idle lock. The store's
 * `touch` throttles the calls; nothing about the input itself is passed on.
 */
import { useEffect } from 'react';
import { selectTouch } from '../store/selectors.ts';
import { useAppStore } from '../store/store-context.tsx';

const activityEvents = ['pointerdown', 'keydown'] as const;

export function useActivityReporter(signedIn: boolean): void {
  const touch = useAppStore(selectTouch);
  useEffect(() => {
    if (!signedIn) return undefined;
    const onActivity = (): void => void touch();
    const options = { capture: true, passive: true } as const;
    for (const name of activityEvents) window.addEventListener(name, onActivity, options);
    return () => {
      for (const name of activityEvents) window.removeEventListener(name, onActivity, options);
    };
  }, [signedIn, touch]);
}
