// The session view's side of frame recovery (rules in frame-recovery.ts): a
// batch the worker could not show marks the picture damaged and asks for a full
// refresh, at most once per second; the first whole picture painted after that
// clears the mark.

import { useEffect, useRef, useState } from 'preact/hooks';
import { RefreshGate } from './frame-recovery.ts';

export interface FrameRecovery {
  /** The picture misses a batch; a refresh is on its way. */
  damaged: boolean;
  /** The worker dropped a batch. */
  badFrame(): void;
  /** The worker painted a batch; `whole`: it covered the entire screen. */
  painted(whole: boolean): void;
}

/** `requestRefresh` sends `refresh` on the link. */
export function useFrameRecovery(requestRefresh: () => void): FrameRecovery {
  const [damaged, setDamaged] = useState(false);
  const gate = useRef(new RefreshGate());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshRef = useRef(requestRefresh);
  refreshRef.current = requestRefresh;

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      gate.current.cancel();
    },
    [],
  );

  const fire = (): void => {
    timer.current = null;
    gate.current.sent(performance.now());
    refreshRef.current();
  };

  return {
    damaged,
    badFrame() {
      setDamaged(true);
      const wait = gate.current.badFrame(performance.now());
      if (wait === null) return;
      if (wait === 0) fire();
      else timer.current = setTimeout(fire, wait);
    },
    painted(whole) {
      if (whole) setDamaged(false);
    },
  };
}
