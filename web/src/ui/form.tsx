// The pieces the console's forms share: sending one request at a time with what it
// failed with, a labelled text field, and checkbox sets.

import { useCallback, useRef, useState } from 'preact/hooks';

export interface Submission {
  /** True while a task runs: the submit button is disabled and says so. */
  busy: boolean;
  /** What the last task threw; cleared when the next one starts. */
  error: unknown;
  /** Runs `task` unless one is already running; what it throws becomes `error`. */
  run(task: () => Promise<void>): Promise<void>;
}

/** The sending state of a form: one request at a time, its failure kept for the form to show. */
export function useSubmit(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // A ref, not `busy`: two submits in one frame both see the old state.
  const running = useRef(false);
  const run = useCallback(async (task: () => Promise<void>): Promise<void> => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (caught) {
      setError(caught);
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput(value: string): void;
  type?: 'text' | 'email' | 'password' | 'url';
  required?: boolean;
  autofocus?: boolean;
  maxLength?: number;
  autocomplete?: string;
  /** An example of what to type, shown while the field is empty. */
  placeholder?: string;
  /** A line under the field that describes it to screen readers too. */
  hint?: string;
  /** The form's error is about this field. */
  invalid?: boolean;
}

/** A labelled one-line input, with an optional hint under it. */
export function TextField({ id, label, value, onInput, type = 'text', required, autofocus, maxLength, autocomplete, placeholder, hint, invalid = false }: TextFieldProps) {
  const hintId = `${id}-hint`;
  const attributes = {
    id,
    required,
    autofocus,
    maxLength,
    autocomplete,
    placeholder,
    'aria-describedby': hint === undefined ? undefined : hintId,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    value,
    onInput: (event: { currentTarget: HTMLInputElement }) => onInput(event.currentTarget.value),
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {/* One element per type: Preact types each input type with its own ARIA roles. */}
      {type === 'email' ? (
        <input type="email" {...attributes} />
      ) : type === 'password' ? (
        <input type="password" {...attributes} />
      ) : type === 'url' ? (
        <input type="url" {...attributes} />
      ) : (
        <input type="text" {...attributes} />
      )}
      {hint !== undefined && (
        <small id={hintId} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** `set` with `item` in it (`on`) or not: for the state of a list of checkboxes. */
export function toggled<T>(set: ReadonlySet<T>, item: T, on: boolean): ReadonlySet<T> {
  const next = new Set(set);
  if (on) next.add(item);
  else next.delete(item);
  return next;
}
