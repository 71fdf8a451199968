import type ru from "./ru.json";

// Russian is the reference catalogue: a key missing from it fails to compile (en.json is checked against it by a test).
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof ru };
  }
}
