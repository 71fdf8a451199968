import type { ApiDeps } from "@pinglass/api";
import type { BackgroundLoop } from "./background.ts";
import type { Route } from "./http/router.ts";

/** What an area gives the server: its HTTP routes and its background loops. */
export interface AreaParts {
  routes: Route[];
  loops: BackgroundLoop[];
}

/**
 * An area as parts.ts wires it: made first, with the clients it hands to ApiDeps (a bank, a bot,
 * the media storage); its parts come once ApiDeps are assembled, since they run on them.
 */
export interface Area<Parts extends AreaParts = AreaParts> {
  parts(deps: ApiDeps): Parts;
}
