/**
 * The router type the client is typed by. Inside the monorepo it is the server's own AppRouter;
 * the published package gets, in its place, the same procedures written out with their input and
 * output types only (build.mjs), so nothing of the server's code reaches a caller's compiler.
 */
export type { AppRouter as PinglassRouter } from "@pinglass/api";
