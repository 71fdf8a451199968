import type { HttpRefusal, UploadResult } from "@pinglass/api";
import { i18n } from "../i18n/index.ts";
import { sessionToken } from "../session.ts";

/** `retry`: the server was too busy to check the file and it may go again in a moment, unchanged. */
export type UploadOutcome = { ok: true } | { ok: false; reason: string; retry?: true };

/** The per-file refusal that means "busy now", not "this file will not do". */
const busyKey = "errors.face.busy";

/**
 * Sends one selfie to the upload endpoint with XMLHttpRequest, the only browser API that reports
 * upload progress. The server answers per file ({ accepted, rejected: [{ name, reason }] }) with
 * the reason already in our language, or a refusal of the whole request (HttpRefusal).
 */
export function uploadReference(avatarId: number, file: File, onProgress: (fraction: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/uploads/avatars/${avatarId}/references`);
    const token = sessionToken();
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("x-pinglass-locale", i18n.language);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve(outcomeOf(xhr.status, xhr.responseText));
    xhr.onerror = () => resolve({ ok: false, reason: i18n.t("upload.networkError") });
    const form = new FormData();
    form.append("files", file, file.name);
    xhr.send(form);
  });
}

/** Reads the route's answer: a per-file refusal, a whole-request refusal, or success. */
export function outcomeOf(status: number, body: string): UploadOutcome {
  let parsed: Partial<UploadResult & HttpRefusal> = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Not our JSON (a proxy's error page): the plain fallback below says what happened.
  }
  const rejection = parsed.rejected?.[0];
  if (typeof rejection?.reason === "string") return { ok: false, reason: rejection.reason, ...(rejection.messageKey === busyKey ? { retry: true as const } : {}) };
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, reason: typeof parsed.error?.message === "string" ? parsed.error.message : i18n.t("upload.failed") };
}
