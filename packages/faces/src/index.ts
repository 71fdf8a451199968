export * from "./faces.ts";
export * from "./pool.ts";
