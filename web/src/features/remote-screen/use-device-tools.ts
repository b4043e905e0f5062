// The console-side state of the clipboard and input-block tools for one
// session view, kept by a hook so SessionView only hands it the server's
// messages (device-tools.ts holds the rules).

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleMessage, ServerToConsole } from '../../gen/proto.ts';
import { initialDeviceTools, receive, toolShortcut, type DeviceToolsState, type ToolShortcut } from './device-tools.ts';

export interface DeviceTools {
  state: DeviceToolsState;
  /** Applies a server message (every message may be passed; others change nothing). */
  receive(message: ServerToConsole): void;
  set(state: DeviceToolsState): void;
}

/** What a tool needs from the session view. */
export interface ToolProps {
  tools: DeviceTools;
  /** Sends on the session link; false when it is not open. */
  send(message: ConsoleMessage): boolean;
  /** The session is connected and this console controls the device. */
  enabled: boolean;
}

export function useDeviceTools(): DeviceTools {
  const [state, setState] = useState<DeviceToolsState>(initialDeviceTools);
  const receiveMessage = useCallback((message: ServerToConsole) => setState((current) => receive(current, message)), []);
  return useMemo(() => ({ state, receive: receiveMessage, set: setState }), [state, receiveMessage]);
}

/** Runs `action` on the tool's shortcut anywhere on the page. It listens before
 * the remote screen does (capture phase on window), so the key is not typed on
 * the device; the modifiers pressed before it are released there when let go. */
export function useToolShortcut(which: ToolShortcut, action: () => void): void {
  const actionRef = useRef(action);
  actionRef.current = action;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (toolShortcut(event) !== which) return;
      // A held shortcut repeats: swallow the repeats too, act once.
      event.preventDefault();
      event.stopPropagation();
      if (!event.repeat) actionRef.current();
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, [which]);
}
