export * from "./account.ts";
export * from "./avatars.ts";
export * from "./ownership.ts";
export * from "./photos.ts";
export * from "./session-token.ts";
export * from "./users.ts";
export * from "./audit.ts";
export * from "./operators.ts";
