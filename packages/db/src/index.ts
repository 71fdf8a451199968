export * from "./client.ts";
export * from "./migrate.ts";
export * from "./prepared.ts";
export * from "./queue.ts";
export * from "./rows.ts";
export * from "./schema/index.ts";
export { embeddedDataDir, repoRoot } from "./paths.ts";
