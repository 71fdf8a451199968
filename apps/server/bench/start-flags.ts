import { readFileSync } from "node:fs";

/**
 * The node flags `pnpm start` runs the server with (its script in apps/server/package.json, the one
 * place they are set): the benches run the server with them too, so they measure it as production runs it.
 */
export function startNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: { start: string } };
  return manifest.scripts.start.split(/\s+/).filter((word) => word.startsWith("--max-"));
}
