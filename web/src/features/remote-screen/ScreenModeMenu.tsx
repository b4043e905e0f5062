// The screen colour mode selector of the session toolbar: a button showing the
// mode the agent really sends (as the server last announced it), and a menu of
// the modes. Ctrl+Alt+Shift+Q opens the menu from anywhere in the session;
// digits 1–5 pick a mode (see ChoiceMenu). A view-only technician sees the
// mode but cannot change it. Video is asked for only once the browser says it
// can decode it.

import { useEffect, useState } from 'preact/hooks';
import type { ScreenMode } from '../../gen/proto.ts';
import { useI18n, type MessageKey } from '../../i18n/index.ts';
import { ChoiceMenu } from './ChoiceMenu.tsx';
import { SCREEN_MODE_SHORTCUT, SCREEN_MODES } from './screen-mode.ts';
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
  const [requested, setRequested] = useState<ScreenMode | null>(null);

  // The server's announcement settles a request (whatever mode it names).
  useEffect(() => setRequested(null), [mode]);
  useEffect(() => {
    if (!connected) setRequested(null);
  }, [connected]);

  const name = (value: ScreenMode): string => t(`screenMode.${value}` as MessageKey);
  const current = mode === null ? t('screenMode.unknown') : name(mode);

  const choose = (value: ScreenMode): void => {
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

  const hint = canChange ? t('screenMode.hint', { mode: current }) : t('screenMode.hintViewOnly', { mode: current });
  return (
    <ChoiceMenu
      className="screen-mode"
      choices={SCREEN_MODES.map((value) => ({ value, label: name(value), detail: t(`screenMode.${value}.detail` as MessageKey) }))}
      selected={mode}
      buttonText={requested === null ? current : t('screenMode.switching')}
      hint={hint}
      menuLabel={t('screenMode.label')}
      menuHint={t('screenMode.menuHint')}
      shortcut={SCREEN_MODE_SHORTCUT}
      enabled={canChange && connected}
      busy={requested !== null}
      icon={<PaletteIcon />}
      data={{ 'screen-mode': mode ?? '' }}
      onChoose={choose}
    >
      {videoProblem !== null && (
        <p class="screen-mode-problem" role="alert" data-testid="video-problem">
          {videoProblem}
        </p>
      )}
    </ChoiceMenu>
  );
}

/** A painter's palette, drawn inline (no icon font). */
function PaletteIcon() {
  return (
    <svg class="choice-menu-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
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
