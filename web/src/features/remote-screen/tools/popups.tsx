// The popups the toolbar opens: the special key combinations menu and the
// keyboard shortcuts help.

import { useI18n, type MessageKey } from '../../../i18n/index.ts';
import { SPECIAL_COMBOS, type SpecialCombo } from './special-keys.ts';
import { shortcutChar } from './shortcuts.ts';
import { ToolPopup, type Tool } from './toolbar.tsx';

export function SpecialKeysMenu({ onSend, onClose }: { onSend(combo: SpecialCombo): void; onClose(): void }) {
  const { t } = useI18n();
  return (
    <ToolPopup label={t('tools.specialKeys')} role="menu" onClose={onClose}>
      {SPECIAL_COMBOS.map((combo) => (
        <button
          type="button"
          role="menuitem"
          class="tool-menu-item"
          key={combo.id}
          data-combo={combo.id}
          onClick={() => {
            onSend(combo);
            onClose();
          }}
        >
          {t(`specialKeys.${combo.id}` as MessageKey)}
        </button>
      ))}
    </ToolPopup>
  );
}

/** A line of the shortcuts help: the toolbar's tools, and the session bar's other controls. */
export type ShortcutEntry = Pick<Tool, 'id' | 'label' | 'shortcut'>;

export function ShortcutsHelp({ tools, onClose }: { tools: readonly ShortcutEntry[]; onClose(): void }) {
  const { t } = useI18n();
  return (
    <ToolPopup label={t('tools.help.title')} role="dialog" onClose={onClose}>
      <h2 class="tool-popup-title">{t('tools.help.title')}</h2>
      <dl class="shortcut-list" data-testid="shortcut-list">
        {tools
          .filter((tool) => tool.shortcut !== undefined)
          .map((tool) => (
            <div class="shortcut-row" key={tool.id}>
              <dt>
                <kbd>{tool.shortcut === undefined ? '' : t('tools.shortcut', { key: shortcutChar(tool.shortcut) })}</kbd>
              </dt>
              <dd>{tool.label}</dd>
            </div>
          ))}
      </dl>
      <p class="tool-popup-note">{t('tools.help.forwarding')}</p>
      <p class="tool-popup-note">{t('tools.help.fullscreen')}</p>
      <button type="button" class="button button-small" onClick={onClose}>
        {t('common.close')}
      </button>
    </ToolPopup>
  );
}
