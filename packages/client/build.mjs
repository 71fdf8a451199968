// Builds @pinglass/client: dist/index.js (esbuild) and dist/index.d.ts (dts-bundle-generator).
//
// The declarations must not drag the server into a caller's compiler (tRPC issue 5004: exporting
// AppRouter as it is pulls in the context, the domain packages, drizzle…). So the router type is
// written out anew: the compiler reads AppRouter, and every procedure becomes a TRPC*Procedure of
// its input and output types, printed structurally down to strings, numbers and literals. The
// result imports only @trpc/client and @trpc/server types, and is checked to compile alone.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import ts from "typescript";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
const staging = join(dist, ".build");

rmSync(dist, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });

await build({ entryPoints: [join(root, "src/index.ts")], outfile: join(dist, "index.js"), bundle: true, format: "esm", platform: "neutral", target: "es2022", external: ["@trpc/client"] });

writeFileSync(join(staging, "router.ts"), routerDeclarations());
copyFileSync(join(root, "src/index.ts"), join(staging, "index.ts"));
const generator = spawnSync(process.execPath, [join(root, "node_modules/dts-bundle-generator/dist/bin/dts-bundle-generator.js"), "--project", join(root, "tsconfig.json"), "--no-banner", "--no-check", "-o", join(dist, "index.d.ts"), join(staging, "index.ts")], { stdio: "inherit" });
if (generator.status !== 0) throw new Error("dts-bundle-generator failed");
rmSync(staging, { recursive: true, force: true });

const declarations = readFileSync(join(dist, "index.d.ts"), "utf8");
const imported = [...declarations.matchAll(/from\s+["']([^"']+)["']/g)].map((m) => m[1]);
const foreign = imported.filter((name) => name !== "@trpc/client" && name !== "@trpc/server");
if (foreign.length > 0) throw new Error(`dist/index.d.ts imports ${foreign.join(", ")}: only @trpc/client and @trpc/server may be`);
checkAlone();
console.log(`@pinglass/client: dist/index.js, dist/index.d.ts (${Math.round(declarations.length / 1024)} KB, imports ${[...new Set(imported)].join(", ")})`);

/** The published router type: AppRouter's procedures with their input and output types written out. */
function routerDeclarations() {
  const entry = join(root, "src/router.ts");
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => console.error(d.messageText) });
  const program = ts.createProgram([entry], config.options);
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
  let exported = checker.getExportsOfModule(module).find((symbol) => symbol.name === "PinglassRouter");
  if (exported.flags & ts.SymbolFlags.Alias) exported = checker.getAliasedSymbol(exported);
  const router = checker.getDeclaredTypeOfSymbol(exported);
  const property = (type, name) => {
    const symbol = type.getProperty(name);
    if (!symbol) throw new Error(`no ${name} on ${checker.typeToString(type)}`);
    return checker.getTypeOfSymbol(symbol);
  };
  const def = property(router, "_def");
  const errorShape = property(property(property(def, "_config"), "$types"), "errorShape");

  const procedureKinds = { query: "TRPCQueryProcedure", mutation: "TRPCMutationProcedure", subscription: "TRPCSubscriptionProcedure" };
  const record = (type, indent) => {
    const lines = [];
    for (const symbol of checker.getPropertiesOfType(type)) {
      // The operators' console is not part of the public API.
      if (indent === "  " && symbol.name === "admin") continue;
      const value = checker.getTypeOfSymbol(symbol);
      const name = key(symbol.name);
      const inner = value.getProperty("_def") && checker.getTypeOfSymbol(value.getProperty("_def"));
      if (inner?.getProperty("procedure")) {
        const kind = property(inner, "type").value;
        const types = property(inner, "$types");
        const input = print(property(types, "input"), indent);
        const output = print(property(types, "output"), indent);
        lines.push(`${indent}${name}: ${procedureKinds[kind]}<{ input: ${input}; output: ${output}; meta: object }>;`);
      } else {
        lines.push(`${indent}${name}: {\n${record(value, `${indent}  `)}\n${indent}};`);
      }
    }
    return lines.join("\n");
  };

  /** A type written out: primitives, literals, unions, arrays and object shapes; never a name from the server's code. */
  function print(type, indent, depth = 0) {
    if (depth > 40) throw new Error(`a type nests too deep to write out: ${checker.typeToString(type)}`);
    const f = type.flags;
    if (f & ts.TypeFlags.Any) return "any";
    if (f & ts.TypeFlags.Unknown) return "unknown";
    if (f & ts.TypeFlags.String) return "string";
    if (f & ts.TypeFlags.Number) return "number";
    if (f & ts.TypeFlags.Boolean) return "boolean";
    if (f & ts.TypeFlags.BigInt) return "bigint";
    if (f & ts.TypeFlags.Null) return "null";
    if (f & ts.TypeFlags.Undefined) return "undefined";
    if (f & ts.TypeFlags.Void) return "void";
    if (f & ts.TypeFlags.Never) return "never";
    if (f & ts.TypeFlags.StringLiteral) return JSON.stringify(type.value);
    if (f & ts.TypeFlags.NumberLiteral) return String(type.value);
    if (f & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type);
    if (f & ts.TypeFlags.TemplateLiteral) return "string";
    if (type.isUnion()) {
      const members = type.types;
      const hasBoth = members.some((t) => checker.typeToString(t) === "true") && members.some((t) => checker.typeToString(t) === "false");
      const printed = members.filter((t) => !(hasBoth && t.flags & ts.TypeFlags.BooleanLiteral)).map((t) => print(t, indent, depth + 1));
      return [...new Set([...(hasBoth ? ["boolean"] : []), ...printed])].join(" | ");
    }
    if (type.isIntersection()) return type.types.map((t) => `(${print(t, indent, depth + 1)})`).join(" & ");
    if (f & ts.TypeFlags.Object) {
      if (checker.isArrayType(type)) return `Array<${print(checker.getTypeArguments(type)[0], indent, depth + 1)}>`;
      if (checker.isTupleType(type)) return `[${checker.getTypeArguments(type).map((t) => print(t, indent, depth + 1)).join(", ")}]`;
      const name = type.getSymbol()?.name;
      if (name === "Date") return "Date";
      if (name === "AsyncGenerator" || name === "AsyncIterable" || name === "AsyncIterableIterator") return `AsyncIterable<${print(checker.getTypeArguments(type)[0], indent, depth + 1)}>`;
      if (type.getCallSignatures().length > 0) throw new Error(`a function in a procedure's types: ${checker.typeToString(type)}`);
      const inner = `${indent}  `;
      const members = checker.getPropertiesOfType(type).map((symbol) => {
        const optional = symbol.flags & ts.SymbolFlags.Optional ? "?" : "";
        return `${inner}${key(symbol.name)}${optional}: ${print(checker.getTypeOfSymbol(symbol), inner, depth + 1)};`;
      });
      // An index signature goes in a type of its own: named optional properties need not fit it (zod's catchall).
      const indexes = checker.getIndexInfosOfType(type).map((info) => `{ [key: ${print(info.keyType, inner, depth + 1)}]: ${print(info.type, inner, depth + 1)} }`);
      const shape = members.length === 0 && indexes.length > 0 ? [] : [members.length === 0 ? "{}" : `{\n${members.join("\n")}\n${indent}}`];
      return [...shape, ...indexes].join(" & ");
    }
    throw new Error(`cannot write out ${checker.typeToString(type)}`);
  }

  return [
    "// Written by build.mjs from the server's AppRouter: each procedure's input and output types, nothing else of the server.",
    'import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from "@trpc/server";',
    "",
    "/** What a failure carries in `error.data` (TRPCClientError): `messageKey` names the reason, `fieldErrors` the wrong fields of an input. */",
    `export type PinglassErrorShape = ${print(errorShape, "")};`,
    "",
    "/** Every procedure of PinGlass with its input and output types. */",
    `export type PinglassRouter = TRPCBuiltRouter<{ ctx: object; meta: object; errorShape: PinglassErrorShape; transformer: false }, {\n${record(property(def, "record"), "  ")}\n}>;`,
    "",
  ].join("\n");
}

/** A property name as it must be written (quoted when it is not an identifier). */
function key(name) {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** dist/index.d.ts compiles on its own, strictly, with only @trpc/* beside it. */
function checkAlone() {
  const dir = mkdtempSync(join(tmpdir(), "pinglass-client-dts-"));
  try {
    writeFileSync(join(dir, "check.ts"), `import { createPinglassClient } from "${join(dist, "index.js")}";\nexport const client = createPinglassClient({ baseUrl: "http://localhost" });\n`);
    const program = ts.createProgram([join(dir, "check.ts")], { strict: true, noEmit: true, skipLibCheck: false, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [], lib: ["lib.es2022.d.ts"] });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => !d.file || d.file.fileName.startsWith(dist) || d.file.fileName.startsWith(dir));
    if (diagnostics.length > 0) throw new Error(`dist/index.d.ts does not compile alone:\n${ts.formatDiagnosticsWithColorAndContext(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" })}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
