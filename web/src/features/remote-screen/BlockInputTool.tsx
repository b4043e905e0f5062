// The "block the end user's input" toggle of the session view (also
// Ctrl+Alt+Shift+B). Its state is the agent's word, not a guess: pressed while
// the device reports the end user's keyboard and mouse blocked. It tells the
// technician how the end user can take control back (three Escapes), and says
// so when the end user did.

import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.ts';
import { BLOCK_SHORTCUT, requestBlock } from './device-tools.ts';
import { useToolShortcut, type ToolProps } from './use-device-tools.ts';

function BlockIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <rect x="2" y="7" width="20" height="11" rx="2" />
      <path d="M6 11h1M10 11h1M14 11h1M18 11h0M7 15h10M3 3l18 18" />
    </svg>
  );
}

export function BlockInputTool({ tools, send, enabled }: ToolProps) {
  const { t, errorText } = useI18n();
  const block = tools.state.block;
  const blocked = block.state === 'blocked';
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => setDismissed(false), [block.state, block.refused]);

  const toggle = (): void => {
    if (!enabled || block.pending) return;
    const next = requestBlock(tools.state);
    if (send({ type: 'block_input', blocked: next.blocked })) tools.set(next.state);
  };
  useToolShortcut('block', toggle);

  let note: { text: string; kind: 'info' | 'warning' | 'error' } | null = null;
  if (block.refused !== null) note = { text: errorText(block.refused), kind: 'error' };
  else if (block.state === 'blocked') note = { text: t('block.blockedNotice'), kind: 'info' };
  else if (block.state === 'taken_back') note = { text: t('block.takenBack'), kind: 'warning' };
  else if (block.state === 'unavailable') note = { text: t('block.unavailable'), kind: 'error' };

  return (
    <div class="device-tool">
      <button
        type="button"
        class="device-tool-button"
        aria-pressed={blocked}
        aria-label={blocked ? t('block.unblock') : t('block.block')}
        title={blocked ? t('block.unblockHint') : t('block.blockHint')}
        aria-keyshortcuts={BLOCK_SHORTCUT}
        disabled={!enabled || block.pending}
        onClick={toggle}
        data-testid="block-input"
      >
        <BlockIcon />
      </button>
      {blocked && (
        <span class="badge badge-warning" data-testid="input-blocked" title={t('block.blockedNotice')}>
          {t('block.badge')}
        </span>
      )}
      {block.pending && <span class="muted">{t('block.pending')}</span>}
      {note !== null && !dismissed && (
        <div class={`device-tool-note is-${note.kind}`} role={note.kind === 'info' ? 'status' : 'alert'} data-testid="block-note">
          <span>{note.text}</span>
          <button type="button" class="link-button" onClick={() => setDismissed(true)}>
            {t('common.close')}
          </button>
        </div>
      )}
    </div>
  );
}
