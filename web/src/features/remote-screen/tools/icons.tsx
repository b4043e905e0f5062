// The toolbar's icons: small inline SVGs drawn with the text colour (no icon
// font, nothing fetched). Each is decorative: the button carries the label. They
// are functions so every use gets its own element.

import type { ComponentChildren, JSX } from 'preact';

function Icon({ children }: { children: ComponentChildren }): JSX.Element {
  return (
    <svg class="tool-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      {children}
    </svg>
  );
}

export const icons = {
  /** A pointer: control of the device. */
  control: () => (
    <Icon>
      <path d="M5 3l14 7-6 2-2 6z" />
      <path d="M13 12l5 5" />
    </Icon>
  ),
  /** An eye: watching only. */
  watch: () => (
    <Icon>
      <path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z" />
      <circle cx="12" cy="12" r="3" />
    </Icon>
  ),
  pause: () => (
    <Icon>
      <rect x="3" y="4" width="18" height="13" rx="2" />
      <path d="M10 8v5M14 8v5M8 21h8" />
    </Icon>
  ),
  resume: () => (
    <Icon>
      <rect x="3" y="4" width="18" height="13" rx="2" />
      <path d="M10 8l5 2.5-5 2.5z" />
      <path d="M8 21h8" />
    </Icon>
  ),
  fit: () => (
    <Icon>
      <rect x="3" y="5" width="18" height="14" rx="2" />
      <path d="M8 9l-2 3 2 3M16 9l2 3-2 3" />
    </Icon>
  ),
  actual: () => (
    <Icon>
      <rect x="3" y="5" width="18" height="14" rx="2" />
      <path d="M8 10v5M16 10v5M7 11l1-1M15 11l1-1M12 11v.01M12 14v.01" />
    </Icon>
  ),
  fullscreen: () => (
    <Icon>
      <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
    </Icon>
  ),
  exitFullscreen: () => (
    <Icon>
      <path d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5" />
    </Icon>
  ),
  specialKeys: () => (
    <Icon>
      <rect x="2" y="7" width="8" height="8" rx="1.5" />
      <rect x="14" y="7" width="8" height="8" rx="1.5" />
      <path d="M5 11h2M17 11h2M12 11h.01" />
    </Icon>
  ),
  keyboard: () => (
    <Icon>
      <rect x="2" y="6" width="20" height="12" rx="2" />
      <path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M7 14h10" />
    </Icon>
  ),
  screenshot: () => (
    <Icon>
      <path d="M4 8h3l2-3h6l2 3h3v11H4z" />
      <circle cx="12" cy="13" r="3.5" />
    </Icon>
  ),
  copyScreenshot: () => (
    <Icon>
      <rect x="8" y="3" width="8" height="4" rx="1" />
      <path d="M16 5h2a2 2 0 012 2v12a2 2 0 01-2 2H6a2 2 0 01-2-2V7a2 2 0 012-2h2" />
      <path d="M7 18l4-5 3 3 2-2 2 4z" />
    </Icon>
  ),
  refresh: () => (
    <Icon>
      <path d="M20 11a8 8 0 10-2.3 5.7" />
      <path d="M20 4v7h-7" />
    </Icon>
  ),
  help: () => (
    <Icon>
      <circle cx="12" cy="12" r="9" />
      <path d="M9.5 9.5a2.5 2.5 0 114 2c-1 .7-1.5 1.2-1.5 2.5M12 17h.01" />
    </Icon>
  ),
  end: () => (
    <Icon>
      <path d="M6 6l12 12M18 6L6 18" />
    </Icon>
  ),
} satisfies Record<string, () => JSX.Element>;
