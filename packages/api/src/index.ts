export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from "./root.ts";
export { createContext, requestLocale, type ApiDeps, type Context } from "./trpc.ts";
