export * from "./delivery.ts";
export * from "./endpoints.ts";
export * from "./events.ts";
export * from "./signing.ts";
export * from "./urls.ts";
export * from "./user-data.ts";
