import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import { describe, expect, it } from "vitest";
import { migrationsFolder } from "./paths.ts";
import * as schema from "./schema/index.ts";

describe("committed migrations", () => {
  it("are in step with the Drizzle schema (run `pnpm db:generate --name <slug>` after a schema change)", async () => {
    const meta = join(migrationsFolder, "meta");
    const latest = readdirSync(meta).filter((f) => f.endsWith("_snapshot.json")).sort().at(-1);
    expect(latest).toBeDefined();
    const previous = JSON.parse(readFileSync(join(meta, latest!), "utf8"));
    const current = generateDrizzleJson(schema, previous.id);
    const statements = await generateMigration(previous, current);
    expect(statements).toEqual([]);
  });

  it("have names, not random words", () => {
    const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
    expect(journal.entries.map((e) => e.tag)).toEqual(expect.arrayContaining(["0000_spec_tables", "0001_additions"]));
  });
});
