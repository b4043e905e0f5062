// The monitor selector of the session toolbar, shown when the device has more
// than one monitor: a button naming the monitor the stream shows (as the
// server last announced it) and a menu of the monitors, the primary one marked
// P, and "all monitors". Ctrl+Alt+Shift+M opens it; digits pick (see
// ChoiceMenu). A view-only technician sees which monitor is shown but cannot
// choose.

import { useEffect, useState } from 'preact/hooks';
import type { MonitorLayout } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { ChoiceMenu, type Choice } from './ChoiceMenu.tsx';
import { ALL_MONITORS, desktopSize, MONITOR_SHORTCUT, shownChoice } from './monitors.ts';

interface Props {
  layout: MonitorLayout;
  /** Whether this technician controls the session (only then may they choose). */
  canChange: boolean;
  connected: boolean;
  /** Asks the server to show `monitor` (null: all of them). */
  onChange(monitor: string | null): void;
}

export function MonitorMenu({ layout, canChange, connected, onChange }: Props) {
  const { t } = useI18n();
  const [requested, setRequested] = useState<string | null>(null);
  const shown = shownChoice(layout);

  // The server's announcement settles a request (whatever it names).
  useEffect(() => setRequested(null), [layout]);
  useEffect(() => {
    if (!connected) setRequested(null);
  }, [connected]);

  const desktop = desktopSize(layout.monitors);
  const choices: Choice<string>[] = [
    ...layout.monitors.map((monitor) => ({
      value: monitor.name,
      label: monitor.name,
      detail: t('monitor.detail', { width: monitor.width, height: monitor.height, x: monitor.x, y: monitor.y }),
      ...(monitor.primary ? { mark: { text: t('monitor.primary'), title: t('monitor.primaryTitle') } } : {}),
    })),
    { value: ALL_MONITORS, label: t('monitor.all'), detail: t('monitor.allDetail', desktop) },
  ];
  const current = choices.find((choice) => choice.value === shown)?.label ?? t('monitor.all');
  const hint = canChange ? t('monitor.hint', { monitor: current }) : t('monitor.hintViewOnly', { monitor: current });
  return (
    <ChoiceMenu
      className="monitor-menu"
      choices={choices}
      selected={shown}
      buttonText={requested === null ? current : t('monitor.switching')}
      hint={hint}
      menuLabel={t('monitor.label')}
      menuHint={t('monitor.menuHint', { count: Math.min(choices.length, 9) })}
      shortcut={MONITOR_SHORTCUT}
      enabled={canChange && connected}
      busy={requested !== null}
      icon={<MonitorIcon />}
      data={{ monitor: shown }}
      onChoose={(value) => {
        setRequested(value);
        onChange(value === ALL_MONITORS ? null : value);
      }}
    />
  );
}

/** A monitor on its stand, drawn inline (no icon font). */
function MonitorIcon() {
  return (
    <svg class="choice-menu-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
      <rect x="3" y="4" width="18" height="12" rx="1.5" fill="none" stroke="currentColor" stroke-width="2" />
      <path d="M9 20h6M12 16v4" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
    </svg>
  );
}
