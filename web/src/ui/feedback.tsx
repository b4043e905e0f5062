import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/index.ts';
import { Link } from './link.tsx';
import { PageHeader } from './page.tsx';

/** An error the user must see; screen readers announce it. */
export function ErrorMessage({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <div class="alert alert-error" role="alert" id={id}>
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

/** What an empty list says, and where it sends the user. */
export interface EmptyState {
  title: string;
  body: string;
  /** Where to go next; left out when the user may not take that step. */
  action?: { to: string; label: string };
}

/**
 * The placeholder shown instead of a list while it loads, when it failed to load, or
 * when it is empty; `null` when the list has items to show.
 */
export function listPlaceholder<T>(
  items: readonly T[] | null,
  error: string | null,
  loadingLabel: string,
  empty: EmptyState,
) {
  if (items === null) {
    return error !== null ? <ErrorMessage>{error}</ErrorMessage> : <Loading label={loadingLabel} />;
  }
  if (items.length > 0) return null;
  return (
    <div class="empty card">
      <h2>{empty.title}</h2>
      <p>{empty.body}</p>
      {empty.action !== undefined && (
        <Link to={empty.action.to} class="button button-primary">
          {empty.action.label}
        </Link>
      )}
    </div>
  );
}

/** The empty state of a list whose first item is made on the same page (a button, not a link). */
export function EmptyCard({ title, body, children }: { title: string; body: string; children?: ComponentChildren }) {
  return (
    <div class="empty card">
      <h2>{title}</h2>
      <p>{body}</p>
      {children}
    </div>
  );
}

/**
 * A list loaded with `useResource`: a spinner until it arrives, the error if it could
 * not, `empty` when it has no items, else what `children` makes of them. When a
 * reload fails, the list already shown stays, under the error.
 */
export function LoadedList<T>({
  items,
  error,
  empty,
  children,
}: {
  items: readonly T[] | null;
  error: unknown;
  empty: ComponentChildren;
  children: (items: readonly T[]) => ComponentChildren;
}) {
  const { t, describeError } = useI18n();
  if (items === null) return error !== null ? <ErrorMessage>{describeError(error)}</ErrorMessage> : <Loading label={t('common.loading')} />;
  return (
    <>
      {error !== null && <ErrorMessage>{describeError(error)}</ErrorMessage>}
      {items.length === 0 ? empty : children(items)}
    </>
  );
}

/** What a page shows instead of itself when the signed-in user's roles do not cover it. */
export function Forbidden({ heading, title, body }: { heading: string; title: string; body: string }) {
  const { t } = useI18n();
  return (
    <section class="page">
      <PageHeader title={heading} />
      <div class="empty card" role="alert">
        <h2>{title}</h2>
        <p>{body}</p>
        <Link to="/devices" class="button">
          {t('notFound.back')}
        </Link>
      </div>
    </section>
  );
}

/** A short success message that screen readers announce without moving the focus. */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="alert alert-success" role="status">
      {children}
    </p>
  );
}
