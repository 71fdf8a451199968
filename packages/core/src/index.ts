export * from "./clock.ts";
export * from "./errors.ts";
export * from "./locale.ts";
export * from "./secrets.ts";
export * from "./sleep.ts";
export { type MessageKey, messageKeys } from "./messages.ts";
