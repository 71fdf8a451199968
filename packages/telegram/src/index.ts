export * from "./auth.ts";
export * from "./bot.ts";
export * from "./bot-api.ts";
export * from "./delivery.ts";
export * from "./linking.ts";
export * from "./settings.ts";
export * from "./users.ts";
export * from "./user-data.ts";
