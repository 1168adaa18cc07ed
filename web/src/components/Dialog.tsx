// Modal dialogs on the native <dialog> element: focus is kept inside, Escape closes, and focus
// returns to the control that opened it.
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** Buttons, right-aligned at the bottom. */
  actions?: ComponentChildren;
  wide?: boolean;
  role?: "dialog" | "alertdialog";
  onSubmit?: () => void;
  describedBy?: string;
}

export function Dialog({ open, title, onClose, children, actions, wide, role = "dialog", onSubmit, describedBy }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  useEffect(() => () => ref.current?.close(), []);
  return (
    <dialog
      ref={ref}
      class={`dialog${wide ? " dialog-wide" : ""}`}
      role={role === "alertdialog" ? "alertdialog" : undefined}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <form
          method="dialog"
          class="dialog-form"
          noValidate={false}
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit?.();
          }}
        >
          <h2 id={titleId} class="dialog-title">
            {title}
          </h2>
          <div class="dialog-body">{children}</div>
          {actions && <div class="dialog-actions">{actions}</div>}
        </form>
      )}
    </dialog>
  );
}

/** Cancel, and the submit button (``busyLabel`` while ``busy``, when given). */
export function DialogButtons({ onCancel, label, busyLabel, busy, disabled, danger, autofocus }: { onCancel: () => void; label: string; busyLabel?: string; busy?: boolean; disabled?: boolean; danger?: boolean; autofocus?: boolean }) {
  return (
    <>
      <button type="button" class="btn" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" class={`btn ${danger ? "btn-danger" : "btn-primary"}`} disabled={busy || disabled} autofocus={autofocus}>
        {busy && busyLabel ? busyLabel : label}
      </button>
    </>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  question: string;
  confirmLabel?: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** "Do you really want to…?" with OK / Cancel. */
export function Confirm({ open, title, question, confirmLabel = "OK", danger, busy, onConfirm, onCancel }: ConfirmProps) {
  const id = useId();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      role="alertdialog"
      describedBy={id}
      onSubmit={onConfirm}
      actions={<DialogButtons onCancel={onCancel} label={confirmLabel} busy={busy} danger={danger} autofocus />}
    >
      <p id={id} class="confirm-question">
        {question}
      </p>
    </Dialog>
  );
}
