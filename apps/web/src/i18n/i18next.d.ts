import type admin from "./admin.ru.json";
import type ru from "./ru.json";

// Russian is the reference catalogue: a key missing from it fails to compile (en.json is checked against it by a test).
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    // The operators' console's words: a namespace of its own, loaded with the console (src/admin).
    resources: { translation: typeof ru; admin: typeof admin };
  }
}
