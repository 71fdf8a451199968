export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from "./root.ts";
export { deleteAccount, deleteAvatar, mergeAccounts, userDataOwners } from "./account-data.ts";
/** The plain HTTP routes' answers, for clients that call them (the web app's uploads). */
export type { HttpRefusal } from "@pinglass/core";
export type { UploadResult } from "@pinglass/media";
export { createContext, errorDetails, requestLocale, type ApiDeps, type Context, type ErrorDetails, type RequestTransport } from "./trpc.ts";
export { errorStatus, openApiDocument, proceduresWithoutRestMeta, restBasePath, uploadRestPath } from "./openapi.ts";
export type { ProcedureMeta } from "./rest-meta.ts";
/** A photo as every answer shows it (the bench builds the same answer without the framework). */
export { photoOutput } from "./outputs.ts";
export { createLimits, type Limits, type LimitsOptions, type PointsLimiter, type RateLimitedAction, rateLimitedActions, retryAfterSeconds } from "./rate-limit.ts";
export { authenticate, type Caller } from "./authentication.ts";
export { procedureAccess, uploadScope } from "./scopes.ts";
