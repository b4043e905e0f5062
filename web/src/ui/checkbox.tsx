// A checkbox with its label and an optional one-line hint. The hint describes the
// box instead of being part of its name, so "Disabled" stays "Disabled" to screen
// readers (and to tests), with the explanation read after it.

import { useId } from 'preact/hooks';

interface Props {
  label: string;
  hint?: string;
  checked: boolean;
  disabled?: boolean;
  onChange(checked: boolean): void;
}

export function Checkbox({ label, hint, checked, disabled = false, onChange }: Props) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={hint === undefined || hint === '' ? undefined : hintId}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
      <div class="check-text">
        <label for={id}>{label}</label>
        {hint !== undefined && hint !== '' && (
          <small id={hintId} class="hint">
            {hint}
          </small>
        )}
      </div>
    </div>
  );
}
