import { fileURLToPath } from "node:url";

/** The monorepo root, found from this file so it does not depend on the working directory. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));
/** Where the embedded defaults keep their state: PGlite's files, local media. */
export const embeddedDataDir = fileURLToPath(new URL("../../../.data", import.meta.url));
