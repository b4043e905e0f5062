// The parts most pages are made of: the header and the tables.

import type { ComponentChildren } from 'preact';
import { useI18n } from '../i18n/index.ts';

/** The top of a page: its title, what it is for, and its main buttons on the right. */
export function PageHeader({ title, subtitle, children }: { title: string; subtitle?: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle !== undefined && <p class="muted">{subtitle}</p>}
      </div>
      {children !== undefined && <div class="page-actions">{children}</div>}
    </div>
  );
}

interface TableProps {
  /** Read by screen readers only: what the table lists, and how many. */
  caption?: string;
  columns: readonly string[];
  /** Adds a last column for each row's buttons, its header read by screen readers only. */
  actions?: boolean;
  /** Classes added to `table`. */
  class?: string;
  testId?: string;
  /** The rows. */
  children: ComponentChildren;
}

/** A list as a table in a card; on narrow screens each cell shows its `data-label`. */
export function Table({ caption, columns, actions = false, class: extra, testId, children }: TableProps) {
  const { t } = useI18n();
  return (
    <div class="table-wrap card">
      <table class={extra === undefined ? 'table' : `table ${extra}`} data-testid={testId}>
        {caption !== undefined && <caption class="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((label, index) => (
              <th key={index} scope="col">
                {label}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span class="visually-hidden">{t('common.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
