import { useEffect, useRef } from "react";
import { i18n } from "../i18n/index.ts";

/**
 * What a screen reader and the tab bar learn on navigation: the document title becomes the
 * screen's heading ("Мои аватары — PinGlass"), and after an in-app navigation (not the first load)
 * focus moves to that heading, so the next Tab starts at the new screen and its name is read out.
 * Screens load lazily and fill in their titles as data arrives, so it watches <main> until then.
 */
export function useScreenFocus(path: string) {
  const firstLoad = useRef(true);
  useEffect(() => {
    const main = document.getElementById("main");
    if (!main) return;
    const moveFocus = !firstLoad.current;
    firstLoad.current = false;
    let focused = false;
    const apply = () => {
      // Suspense keeps the previous screen in the DOM, hidden, until the next one has loaded: only a shown heading counts.
      const heading = [...main.querySelectorAll("h1")].find((h1) => h1.getClientRects().length > 0);
      if (!heading) return;
      const title = i18n.t("app.pageTitle", { screen: heading.textContent?.trim() ?? "" });
      if (document.title !== title) document.title = title;
      if (moveFocus && !focused) {
        if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
        focused = document.activeElement === heading;
      }
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(main, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [path]);
}
