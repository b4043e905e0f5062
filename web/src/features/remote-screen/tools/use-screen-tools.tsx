// The technician's screen tools for one session view: which tools the toolbar
// shows and what each does (control, screen sharing, scale, full screen with
// keyboard capture, special keys, on-screen keyboard, screenshots, refresh,
// help), their shortcuts, and what they show over the screen. The session view
// owns the link and the worker and passes in what the tools act on; the server's
// `session_state` is the truth for control and screen sharing.

import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleMessage, InputEvent } from '../../../gen/proto.ts';
import { useI18n } from '../../../i18n/index.ts';
import { icons } from './icons.tsx';
import { OnScreenKeyboard } from './OnScreenKeyboard.tsx';
import { ShortcutsHelp, SpecialKeysMenu, type ShortcutEntry } from './popups.tsx';
import { downloadBlob, screenshotName } from './screenshot.ts';
import { comboEvents } from './special-keys.ts';
import { toolForShortcut, type Tool } from './toolbar.tsx';

export type ScaleMode = 'fit' | 'actual';

/** Control and screen sharing as the server last announced them. */
export interface ToolsState {
  screenPaused: boolean;
  controlReleased: boolean;
}

export interface ScreenToolsInput {
  device: string;
  /** The link is up and the session live. */
  connected: boolean;
  /** Something has been painted (screenshots need a picture). */
  painted: boolean;
  /** The technician's roles allow watching only. */
  viewOnly: boolean;
  state: ToolsState;
  mode: ScaleMode;
  setMode(mode: ScaleMode): void;
  send(message: ConsoleMessage): void;
  /** A PNG of the picture, from the decoding worker. */
  snapshot(): Promise<Blob>;
  viewport(): HTMLElement | null;
  focusScreen(): void;
  refresh(): void;
  endSession(): void;
}

/** What the Keyboard Lock API offers (Chromium-based browsers only). */
interface KeyboardLock {
  lock(keys?: string[]): Promise<void>;
  unlock(): void;
}

function keyboardLock(): KeyboardLock | null {
  const keyboard = (navigator as Navigator & { keyboard?: Partial<KeyboardLock> }).keyboard;
  return typeof keyboard?.lock === 'function' && typeof keyboard.unlock === 'function' ? (keyboard as KeyboardLock) : null;
}

type Popup = 'specialKeys' | 'help' | null;

export interface ScreenTools {
  /** The toolbar's groups. */
  groups: Tool[][];
  /** The action of the console shortcut `event` is, or null when it is none. */
  shortcut(event: KeyboardEvent): (() => void) | null;
  /** The on-screen keyboard, when open. */
  keyboard: JSX.Element | null;
  /** Shown over the screen: the pause, the way out of full screen. */
  overlay: JSX.Element | null;
  /** The last tool outcome to announce, and the last tool failure. */
  status: string | null;
  error: string | null;
  /** Input may go to the device: control is held. */
  controlling: boolean;
}

export function useScreenTools(input: ScreenToolsInput): ScreenTools {
  const { t } = useI18n();
  const [popup, setPopup] = useState<Popup>(null);
  const [keyboardOpen, setKeyboardOpen] = useState(false);
  const [fullscreen, setFullscreen] = useState<{ on: boolean; locked: boolean }>({ on: false, locked: false });
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { connected, painted, viewOnly, state } = input;
  const controlling = !viewOnly && !state.controlReleased;
  const mayType = connected && controlling;

  useEffect(() => {
    const onChange = (): void => {
      if (document.fullscreenElement !== null) return;
      keyboardLock()?.unlock();
      setFullscreen({ on: false, locked: false });
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => {
      document.removeEventListener('fullscreenchange', onChange);
      if (document.fullscreenElement !== null) void document.exitFullscreen().catch(() => undefined);
    };
  }, []);

  const report = (message: string): void => {
    setError(null);
    setStatus(message);
  };
  const fail = (message: string): void => {
    setStatus(null);
    setError(message);
  };
  const detail = (caught: unknown): string => (caught instanceof Error ? caught.message : String(caught));

  const sendEvents = (events: InputEvent[]): void => {
    if (!mayType) return;
    for (const event of events) input.send({ type: 'input', event });
  };

  const toggleFullscreen = async (): Promise<void> => {
    if (document.fullscreenElement !== null) {
      await document.exitFullscreen().catch(() => undefined);
      return;
    }
    const viewport = input.viewport();
    if (viewport === null) return;
    try {
      await viewport.requestFullscreen({ navigationUI: 'hide' });
    } catch (caught) {
      fail(t('tools.fullscreenFailed', { detail: detail(caught) }));
      return;
    }
    // With the keyboard locked, Alt+Tab, the Windows key and Esc reach the page
    // (and so the device); holding Esc leaves full screen.
    let locked = false;
    const lock = keyboardLock();
    if (lock !== null) {
      try {
        await lock.lock();
        locked = true;
      } catch {
        locked = false;
      }
    }
    setFullscreen({ on: true, locked });
    input.focusScreen();
  };

  const saveScreenshot = async (): Promise<void> => {
    try {
      const png = await input.snapshot();
      const name = screenshotName(input.device, new Date());
      downloadBlob(png, name);
      report(t('tools.saved', { name }));
    } catch (caught) {
      fail(t('tools.screenshotFailed', { detail: detail(caught) }));
    }
  };

  const copyScreenshot = async (): Promise<void> => {
    try {
      // The item takes the promise so the copy keeps the click's user activation.
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': input.snapshot() })]);
      report(t('tools.copied'));
    } catch (caught) {
      fail(t('tools.screenshotFailed', { detail: detail(caught) }));
    }
  };

  const toggle = (which: Exclude<Popup, null>): void => setPopup((open) => (open === which ? null : which));
  const closePopup = (): void => setPopup(null);

  const control: Tool = {
    id: 'control',
    label: t('tools.control'),
    icon: controlling ? icons.control : icons.watch,
    shortcut: 'KeyC',
    pressed: controlling,
    disabled: viewOnly || !connected,
    tone: state.controlReleased ? 'warning' : undefined,
    run: () => input.send({ type: 'control', held: state.controlReleased }),
  };
  const sharing: Tool = {
    id: 'sharing',
    label: t('tools.sharing'),
    icon: state.screenPaused ? icons.resume : icons.pause,
    shortcut: 'KeyS',
    pressed: state.screenPaused,
    disabled: viewOnly || !connected,
    tone: state.screenPaused ? 'warning' : undefined,
    run: () => input.send({ type: 'screen_sharing', paused: !state.screenPaused }),
  };
  const actual: Tool = {
    id: 'actual-size',
    label: t('tools.actual'),
    icon: input.mode === 'actual' ? icons.actual : icons.fit,
    shortcut: 'KeyA',
    pressed: input.mode === 'actual',
    run: () => input.setMode(input.mode === 'actual' ? 'fit' : 'actual'),
  };
  const full: Tool = {
    id: 'fullscreen',
    label: t('tools.fullscreen'),
    icon: fullscreen.on ? icons.exitFullscreen : icons.fullscreen,
    shortcut: 'KeyF',
    pressed: fullscreen.on,
    run: () => void toggleFullscreen(),
  };
  const specialKeys: Tool = {
    id: 'special-keys',
    label: t('tools.specialKeys'),
    icon: icons.specialKeys,
    shortcut: 'KeyK',
    disabled: !mayType,
    expanded: popup === 'specialKeys',
    popup: (
      <SpecialKeysMenu
        onClose={closePopup}
        onSend={(combo) => {
          sendEvents(comboEvents(combo.keys));
          input.focusScreen();
        }}
      />
    ),
    run: () => toggle('specialKeys'),
  };
  const keyboard: Tool = {
    id: 'keyboard',
    label: t('tools.keyboard'),
    icon: icons.keyboard,
    shortcut: 'KeyO',
    pressed: keyboardOpen,
    disabled: !controlling,
    run: () => setKeyboardOpen((open) => !open),
  };
  const screenshot: Tool = {
    id: 'screenshot',
    label: t('tools.screenshot'),
    icon: icons.screenshot,
    shortcut: 'KeyP',
    disabled: !painted,
    run: () => void saveScreenshot(),
  };
  const copy: Tool = {
    id: 'copy-screenshot',
    label: t('tools.copyScreenshot'),
    icon: icons.copyScreenshot,
    shortcut: 'KeyI',
    disabled: !painted,
    run: () => void copyScreenshot(),
  };
  const refresh: Tool = {
    id: 'refresh',
    label: t('tools.refresh'),
    icon: icons.refresh,
    shortcut: 'KeyR',
    disabled: !connected || state.screenPaused,
    run: input.refresh,
  };
  const end: Tool = { id: 'end', label: t('tools.end'), icon: icons.end, shortcut: 'KeyE', run: input.endSession };
  const groups: Tool[][] = [[control, sharing], [actual, full], [specialKeys, keyboard], [screenshot, copy, refresh]];
  const help: Tool = {
    id: 'help',
    label: t('tools.help'),
    icon: icons.help,
    shortcut: 'KeyH',
    expanded: popup === 'help',
    popup: null,
    run: () => toggle('help'),
  };
  // The session bar's own controls answer shortcuts too: the help lists them.
  const others: ShortcutEntry[] = [
    { id: 'clipboard', label: t('clipboard.title'), shortcut: 'KeyV' },
    { id: 'block-input', label: t('block.block'), shortcut: 'KeyB' },
    { id: 'screen-mode', label: t('screenMode.label'), shortcut: 'KeyQ' },
    { id: 'monitor', label: t('monitor.label'), shortcut: 'KeyM' },
  ];
  const all = [...groups.flat(), help, end];
  help.popup = <ShortcutsHelp tools={[...groups.flat(), ...others, help, end]} onClose={closePopup} />;
  groups.push([help]);

  const leave = t('tools.shortcut', { key: 'F' });
  const overlay =
    state.screenPaused || fullscreen.on ? (
      <>
        {state.screenPaused && (
          <div class="screen-paused" data-testid="screen-paused">
            <strong>{t('tools.paused')}</strong>
            <span>{t('tools.pausedHint')}</span>
            {!viewOnly && (
              <button type="button" class="button button-small" onClick={sharing.run}>
                {t('tools.resume')}
              </button>
            )}
          </div>
        )}
        {fullscreen.on && (
          <p class="fullscreen-hint" data-testid="fullscreen-hint" data-keyboard-locked={String(fullscreen.locked)}>
            {fullscreen.locked ? t('tools.fullscreenLeave', { shortcut: leave }) : t('tools.fullscreenLeaveUnlocked', { shortcut: leave })}
          </p>
        )}
      </>
    ) : null;

  return {
    groups,
    shortcut: (event) => {
      const tool = toolForShortcut(all, event);
      return tool === null ? null : () => (tool.disabled === true ? undefined : tool.run());
    },
    keyboard: keyboardOpen && controlling ? <OnScreenKeyboard disabled={!mayType} send={sendEvents} /> : null,
    overlay,
    status,
    error,
    controlling,
  };
}
