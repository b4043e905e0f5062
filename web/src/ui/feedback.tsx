import type { ComponentChildren } from 'preact';

/** An error the user must see; screen readers announce it. */
export function ErrorMessage({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-error" role="alert">
      {children}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
