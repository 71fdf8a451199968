export * from "./spec.ts";
export * from "./media.ts";
export * from "./generation.ts";
export * from "./payments.ts";
export * from "./telegram.ts";
export * from "./developers.ts";
export * from "./sharing.ts";
export * from "./admin.ts";
