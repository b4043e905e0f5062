import type { ComponentChildren } from 'preact';
import { href, navigate } from '../router.ts';

interface LinkProps {
  to: string;
  class?: string;
  children: ComponentChildren;
  'aria-current'?: 'page' | undefined;
  title?: string;
}

/** An anchor that navigates inside the console without reloading the page. */
export function Link({ to, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
