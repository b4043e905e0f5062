// The screen colour mode selector of the session toolbar: a button showing the
// mode the agent really sends (as the server last announced it), and a menu of
// the modes. Ctrl+Alt+Shift+Q opens the menu from anywhere in the session
// (the key is not sent to the device); digits 1–5 pick a mode, arrows move,
// Esc closes. A view-only technician sees the mode but cannot change it.
// Video is asked for only once the browser says it can decode it.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { ScreenMode } from '../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../i18n/index.ts';
import { isScreenModeShortcut, modeForDigit, SCREEN_MODES } from './screen-mode.ts';
import { videoSupported } from './video.ts';
import './screen-mode.css';

interface Props {
  /** The mode the server announced; null until it has. */
  mode: ScreenMode | null;
  /** Whether this technician controls the session (only then may they change it). */
  canChange: boolean;
  /** Whether the session link is up. */
  connected: boolean;
  /** Asks the server for `mode`; the button follows once the server announces it. */
  onChange(mode: ScreenMode): void;
  /** Why video is not shown (unsupported, or failed and fell back), or null. */
  videoProblem: string | null;
  /** The browser cannot decode video: the view says so. */
  onVideoUnsupported(): void;
}

export function ScreenModeMenu({ mode, canChange, connected, onChange, videoProblem, onVideoUnsupported }: Props) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [requested, setRequested] = useState<ScreenMode | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const enabled = canChange && connected;

  // The server's announcement settles a request (whatever mode it names).
  useEffect(() => setRequested(null), [mode]);
  useEffect(() => {
    if (!connected) setRequested(null);
  }, [connected]);

  const name = (value: ScreenMode): string => t(`screenMode.${value}` as MessageKey);
  const current = mode === null ? t('screenMode.unknown') : name(mode);

  const choose = (value: ScreenMode): void => {
    setOpen(false);
    buttonRef.current?.focus();
    if (value === mode) return;
    setRequested(value);
    if (value !== 'video') {
      onChange(value);
      return;
    }
    void videoSupported().then((supported) => {
      if (supported) {
        onChange(value);
      } else {
        setRequested(null);
        onVideoUnsupported();
      }
    });
  };

  // The shortcut works wherever focus is in the page, including the remote
  // screen, which would otherwise send the key to the device.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!isScreenModeShortcut(event)) return;
      event.preventDefault();
      event.stopPropagation();
      if (enabled) setOpen(true);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [enabled]);

  useEffect(() => {
    if (!open) return;
    const selected = menuRef.current?.querySelector<HTMLElement>('[aria-checked="true"]') ?? menuRef.current?.querySelector<HTMLElement>('[role="menuitemradio"]');
    selected?.focus();
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node | null;
      if (target !== null && !menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  useEffect(() => {
    if (!enabled) setOpen(false);
  }, [enabled]);

  const onMenuKey = (event: KeyboardEvent): void => {
    if (!open) return;
    const digit = modeForDigit(event.code);
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitemradio"]') ?? [])];
    const at = items.findIndex((item) => item === document.activeElement);
    if (digit !== null) {
      event.preventDefault();
      choose(digit);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : items.length - 1;
      items[(at + step) % items.length]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  const hint = canChange ? t('screenMode.hint', { mode: current }) : t('screenMode.hintViewOnly', { mode: current });
  return (
    // Keys are taken on the wrapper: while the menu opens, focus may still be on the button.
    <div class="screen-mode" onKeyDown={onMenuKey}>
      <button
        ref={buttonRef}
        type="button"
        class="button button-small screen-mode-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-keyshortcuts="Control+Alt+Shift+Q"
        aria-label={hint}
        aria-busy={requested !== null}
        title={hint}
        data-screen-mode={mode ?? ''}
        disabled={!enabled}
        onClick={() => setOpen((was) => !was)}
      >
        <PaletteIcon />
        <span class="screen-mode-name">{requested === null ? current : t('screenMode.switching')}</span>
      </button>
      {open && (
        <div ref={menuRef} class="screen-mode-menu" role="menu" aria-label={t('screenMode.label')}>
          {SCREEN_MODES.map((value, index) => (
            <button
              key={value}
              type="button"
              role="menuitemradio"
              aria-checked={value === mode}
              aria-keyshortcuts={String(index + 1)}
              tabIndex={-1}
              onClick={() => choose(value)}
            >
              <kbd>{index + 1}</kbd>
              <span class="screen-mode-item">
                <span>{name(value)}</span>
                <small>{t(`screenMode.${value}.detail` as MessageKey)}</small>
              </span>
            </button>
          ))}
          <p class="screen-mode-help">{t('screenMode.menuHint')}</p>
        </div>
      )}
      {videoProblem !== null && (
        <p class="screen-mode-problem" role="alert" data-testid="video-problem">
          {videoProblem}
        </p>
      )}
    </div>
  );
}

/** A painter's palette, drawn inline (no icon font). */
function PaletteIcon() {
  return (
    <svg class="screen-mode-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M12 3a9 9 0 0 0 0 18c1.1 0 1.8-.8 1.8-1.7 0-.5-.2-.9-.5-1.2-.3-.3-.5-.7-.5-1.2 0-.9.8-1.7 1.7-1.7H16.6A4.4 4.4 0 0 0 21 10.8C21 6.5 17 3 12 3Z"
      />
      <circle cx="7.5" cy="11.5" r="1.5" fill="#ef4444" />
      <circle cx="10" cy="7.5" r="1.5" fill="#f59e0b" />
      <circle cx="14.5" cy="7.5" r="1.5" fill="#22c55e" />
      <circle cx="17" cy="11" r="1.5" fill="#3b82f6" />
    </svg>
  );
}
