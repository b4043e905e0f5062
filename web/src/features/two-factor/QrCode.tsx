// An `otpauth://` URL drawn as a QR code in SVG: black modules on white with the
// quiet zone around them, whatever the page's colours, so any phone can read it.

import { useMemo } from 'preact/hooks';
import { modulesPath, QUIET_ZONE, qrModules } from './qr.ts';

export function QrCode({ text, label }: { text: string; label: string }) {
  const modules = useMemo(() => qrModules(text), [text]);
  const side = modules.length + 2 * QUIET_ZONE;
  return (
    <svg class="qr-code" viewBox={`0 0 ${side} ${side}`} role="img" aria-label={label} data-testid="two-factor-qr">
      <rect width={side} height={side} fill="#fff" />
      <path d={modulesPath(modules, QUIET_ZONE)} fill="#000" shape-rendering="crispEdges" />
    </svg>
  );
}
