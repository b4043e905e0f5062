// The clipboard tool of the session view: sends the technician's clipboard to
// the device ("Send my clipboard", or Ctrl+Alt+Shift+V), with a text box when
// the browser will not let the page read the clipboard, and shows what is
// copied on the device with a Copy button.
//
// Device text is not copied into the technician's clipboard by itself: the
// browser allows writing only with the page focused and after a gesture, and a
// technician expects their own clipboard to change only when they ask (a
// silent overwrite could paste the end user's text into the wrong place). So
// a copy on the device opens this panel with the text and a Copy button.

import { useEffect, useState } from 'preact/hooks';
import { MAX_CLIPBOARD_JSON } from '../../gen/proto.ts';
import { useI18n } from '../../i18n/index.ts';
import { CLIPBOARD_SHORTCUT, kib, requestSend, type SendStatus } from './device-tools.ts';
import { useToolShortcut, type ToolProps } from './use-device-tools.ts';

function ClipboardIcon() {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <rect x="5" y="4" width="14" height="17" rx="2" />
      <path d="M9 2.5h6v3H9zM9 11h6M9 15h6" />
    </svg>
  );
}

export function ClipboardTool({ tools, send, enabled }: ToolProps) {
  const { t, errorText } = useI18n();
  const [open, setOpen] = useState(false);
  const [typing, setTyping] = useState(false);
  const [draft, setDraft] = useState('');
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const { state } = tools;

  // A copy on the device opens the panel (without taking the keyboard focus).
  useEffect(() => {
    if (state.deviceSeq === 0) return;
    setOpen(true);
    setCopied('idle');
  }, [state.deviceSeq]);

  useEffect(() => {
    if (!enabled) setOpen(false);
  }, [enabled]);

  const sendText = (text: string): void => {
    const next = requestSend(tools.state, text);
    if (next.send && !send({ type: 'clipboard', text })) return;
    tools.set(next.state);
    if (next.send) {
      setTyping(false);
      setDraft('');
    }
  };

  const sendMyClipboard = async (): Promise<void> => {
    if (!enabled) return;
    setOpen(true);
    try {
      sendText(await navigator.clipboard.readText());
    } catch {
      // Refused (permission, no focus, no API): let the technician paste it here.
      setTyping(true);
    }
  };
  useToolShortcut('clipboard', () => void sendMyClipboard());

  const copy = async (text: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };

  const statusText = (status: SendStatus): string | null => {
    switch (status.kind) {
      case 'idle':
        return null;
      case 'sending':
        return t('clipboard.sending');
      case 'applied':
        return t('clipboard.applied', { count: status.characters });
      case 'too_large':
        return t('clipboard.tooLarge', { size: kib(status.bytes), limit: kib(MAX_CLIPBOARD_JSON) });
      case 'empty':
        return t('clipboard.empty');
      case 'unavailable':
        return t('clipboard.unavailable');
      case 'refused':
        return errorText(status.code);
    }
  };
  const status = statusText(state.send);
  const failed = ['too_large', 'empty', 'unavailable', 'refused'].includes(state.send.kind);
  const device = state.device;

  return (
    <div class="device-tool">
      <button
        type="button"
        class="device-tool-button"
        aria-label={t('clipboard.tool')}
        title={t('clipboard.toolHint')}
        aria-keyshortcuts={CLIPBOARD_SHORTCUT}
        aria-expanded={open}
        disabled={!enabled}
        onClick={() => setOpen(!open)}
        data-testid="clipboard-tool"
      >
        <ClipboardIcon />
      </button>
      {open && (
        <div class="device-tool-panel" role="dialog" aria-label={t('clipboard.title')} data-testid="clipboard-panel">
          <div class="device-tool-panel-head">
            <h2>{t('clipboard.title')}</h2>
            <button type="button" class="link-button" onClick={() => setOpen(false)}>
              {t('common.close')}
            </button>
          </div>
          <h3>{t('clipboard.deviceTitle')}</h3>
          {device === null && <p class="muted">{t('clipboard.deviceNone')}</p>}
          {device?.kind === 'device_text' && (
            <>
              <pre class="device-clipboard-text" data-testid="device-clipboard">
                {device.text}
              </pre>
              <button type="button" class="button button-small" onClick={() => void copy(device.text)} data-testid="copy-device-clipboard">
                <span aria-live="polite">{copied === 'copied' ? t('common.copied') : copied === 'failed' ? t('common.copyFailed') : t('clipboard.copy')}</span>
              </button>
            </>
          )}
          {device?.kind === 'device_too_large' && <p role="status">{t('clipboard.deviceTooLarge', { size: kib(device.bytes), limit: kib(MAX_CLIPBOARD_JSON) })}</p>}
          {device?.kind === 'device_not_text' && <p role="status">{t('clipboard.deviceNotText')}</p>}
          <h3>{t('clipboard.mineTitle')}</h3>
          <button type="button" class="button button-primary button-small" onClick={() => void sendMyClipboard()} disabled={!enabled} data-testid="send-clipboard">
            {t('clipboard.send')}
          </button>
          {typing && (
            <form
              class="device-clipboard-form"
              onSubmit={(event) => {
                event.preventDefault();
                sendText(draft);
              }}
            >
              <label>
                {t('clipboard.readRefused')}
                <textarea rows={4} value={draft} onInput={(event) => setDraft(event.currentTarget.value)} data-testid="clipboard-text" />
              </label>
              <button type="submit" class="button button-small" data-testid="send-clipboard-text">
                {t('clipboard.sendText')}
              </button>
            </form>
          )}
          {status !== null && (
            <p class={failed ? 'device-tool-error' : 'muted'} role="status" data-testid="clipboard-status">
              {status}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
