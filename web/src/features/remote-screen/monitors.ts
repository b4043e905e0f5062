// The device's monitors as the console lists them. Pure functions (no DOM),
// shared by MonitorMenu and its tests.

import type { Monitor, MonitorLayout } from '../../gen/proto.ts';
import { menuShortcut } from './choice.ts';

/** Ctrl+Alt+Shift+M, by key position, opens the menu. */
export const MONITOR_SHORTCUT = menuShortcut('KeyM');

/** The menu's value for "all monitors": monitor names are never empty. */
export const ALL_MONITORS = '';

/** The menu's entries: each monitor (primary first, as the device lists them), then all of them. */
export function monitorChoices(layout: MonitorLayout): string[] {
  return [...layout.monitors.map((monitor) => monitor.name), ALL_MONITORS];
}

/** The menu's value of what the stream shows. */
export function shownChoice(layout: MonitorLayout): string {
  return layout.shown ?? ALL_MONITORS;
}

/** Whether there is anything to choose: a single monitor is the whole story. */
export function hasChoice(layout: MonitorLayout | null): layout is MonitorLayout {
  return layout !== null && layout.monitors.length > 1;
}

/** The whole desktop's size: the box around every monitor. */
export function desktopSize(monitors: readonly Monitor[]): { width: number; height: number } {
  if (monitors.length === 0) return { width: 0, height: 0 };
  const left = Math.min(...monitors.map((monitor) => monitor.x));
  const top = Math.min(...monitors.map((monitor) => monitor.y));
  const right = Math.max(...monitors.map((monitor) => monitor.x + monitor.width));
  const bottom = Math.max(...monitors.map((monitor) => monitor.y + monitor.height));
  return { width: right - left, height: bottom - top };
}
