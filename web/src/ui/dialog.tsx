import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/index.ts';
import { ErrorMessage } from './feedback.tsx';

interface DialogProps {
  open: boolean;
  title: string;
  onClose(): void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  /** Room for forms with several columns of choices (the role editor). */
  wide?: boolean;
}

/** A modal built on `<dialog>`: focus trapping and Esc come from the browser. */
export function Dialog({ open, title, onClose, children, footer, wide = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    else if (!open && dialog.open) dialog.close();
  }, [open]);
  // A dialog unmounted while open must still close, so the browser gives the focus
  // back to the control that opened it instead of dropping it on the page.
  useEffect(() => {
    const dialog = ref.current;
    return () => {
      if (dialog?.open === true) dialog.close();
    };
  }, []);
  return (
    <dialog ref={ref} class={wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId} class="dialog-title">
        {title}
      </h2>
      <div class="dialog-body">{children}</div>
      {footer !== undefined && <div class="dialog-footer">{footer}</div>}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** Asks before a destructive action; the safe choice has the focus. */
export function ConfirmDialog({ open, title, message, confirmLabel, busy = false, onConfirm, onCancel }: ConfirmProps) {
  const { t } = useI18n();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      footer={
        <>
          <button type="button" class="button" onClick={onCancel} autofocus>
            {t('common.cancel')}
          </button>
          <button type="button" class="button button-danger" onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <p>{message}</p>
    </Dialog>
  );
}

/** What a form's dialog shows once its request succeeded: a message, a secret shown once. */
export interface FormOutcome {
  title: string;
  children: ComponentChildren;
}

interface FormDialogProps {
  /** The form's id; its fields build theirs from it. */
  id: string;
  title: string;
  onClose(): void;
  /** Called on submit; the browser does not send the form itself. */
  onSubmit(): void;
  submitLabel: string;
  busy: boolean;
  /** What the submit button says while busy; `submitLabel` when left out. */
  busyLabel?: string;
  /** The submit button is red (an action that takes something away). */
  danger?: boolean;
  /** Only a Close button: the form shows something that cannot be changed. */
  readOnly?: boolean;
  wide?: boolean;
  noValidate?: boolean;
  /** Said above the error. */
  intro?: ComponentChildren;
  /** Shown as an alert at the top of the form. */
  error: string | null;
  /**
   * Set once the request succeeded: the same dialog (not a new one, which would
   * close and reopen) then shows it with only Done, which takes the focus since the
   * form and its buttons are gone.
   */
  outcome?: FormOutcome | null;
  children: ComponentChildren;
}

/** A form in a dialog: Cancel and submit below it, its error above its fields. */
export function FormDialog(props: FormDialogProps) {
  const { id, title, onClose, onSubmit, submitLabel, busy, busyLabel, danger = false, readOnly = false, wide = false, noValidate, intro, error, outcome = null, children } = props;
  const { t } = useI18n();
  const doneRef = useRef<HTMLButtonElement>(null);
  const done = outcome !== null;
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  if (outcome !== null) {
    return (
      <Dialog
        open
        wide={wide}
        title={outcome.title}
        onClose={onClose}
        footer={
          <button type="button" class="button button-primary" ref={doneRef} onClick={onClose}>
            {t('common.done')}
          </button>
        }
      >
        {outcome.children}
      </Dialog>
    );
  }
  return (
    <Dialog
      open
      wide={wide}
      title={title}
      onClose={onClose}
      footer={
        readOnly ? (
          <button type="button" class="button" onClick={onClose}>
            {t('common.close')}
          </button>
        ) : (
          <>
            <button type="button" class="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" form={id} class={danger ? 'button button-danger' : 'button button-primary'} disabled={busy}>
              {busy ? (busyLabel ?? submitLabel) : submitLabel}
            </button>
          </>
        )
      }
    >
      <form
        id={id}
        noValidate={noValidate}
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        {intro}
        {error !== null && <ErrorMessage>{error}</ErrorMessage>}
        {children}
      </form>
    </Dialog>
  );
}
