import type { AnchorHTMLAttributes } from "react";
import { navigate } from "../lib/router.ts";

/**
 * An in-app link: a real <a href> (open in a new tab, copy the address) that navigates without
 * a page load on a plain click.
 */
export function Link({ to, onClick, ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return (
    <a
      {...props}
      href={to}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}
