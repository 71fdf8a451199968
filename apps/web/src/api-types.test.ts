import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const avatarsDomain = fileURLToPath(new URL("../../../packages/accounts/src/avatars.ts", import.meta.url));

/** Type-checks the web app as `pnpm typecheck` does, with some files' text replaced in memory. */
function typecheckWeb(overrides: Record<string, string> = {}) {
  const configPath = ts.findConfigFile(webDir, ts.sys.fileExists, "tsconfig.json")!;
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, webDir);
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => overrides[file] ?? readFile(file);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

describe("the web app's types come from packages/api", () => {
  it("type-checks as it is", () => {
    expect(typecheckWeb()).toEqual([]);
  });

  it("breaks when the server renames a field the web app reads", () => {
    const source = readFileSync(avatarsDomain, "utf8");
    expect(source).toContain("photoCount");
    const renamed = source.replaceAll("photoCount", "numberOfPhotos");
    const errors = typecheckWeb({ [avatarsDomain]: renamed });
    expect(errors.some((e) => e.includes("AvatarsScreen.tsx") && e.includes("photoCount"))).toBe(true);
  });
});
