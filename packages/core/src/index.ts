export * from "./clock.ts";
export * from "./errors.ts";
export * from "./locale.ts";
export type { MessageKey } from "./messages.ts";
