import { telegramWebApp } from "../lib/telegram.ts";

export type ShareOutcome = "shared" | "copied" | "cancelled" | "failed";

/** The photo as a file for the system share sheet, fetched ahead of the tap (null where files cannot be shared). */
export async function shareableFile(url: string, name: string): Promise<File | null> {
  if (typeof navigator.canShare !== "function") return null;
  const blob = await (await fetch(url)).blob();
  const file = new File([blob], `${name}.${blob.type.split("/")[1] ?? "jpg"}`, { type: blob.type });
  return navigator.canShare({ files: [file] }) ? file : null;
}

/**
 * Shares the photo itself through the system share sheet (phones). `navigator.share` is the first
 * thing called, so it still runs inside the tap (Safari refuses it after an await); the file is
 * fetched beforehand (shareableFile).
 */
export async function shareFile(file: File): Promise<ShareOutcome> {
  try {
    await navigator.share({ files: [file] });
    return "shared";
  } catch (error) {
    return error instanceof DOMException && error.name === "AbortError" ? "cancelled" : "failed";
  }
}

/** Hands a link to the share sheet where there is one, and otherwise copies it. */
export async function shareLink(url: string): Promise<ShareOutcome> {
  try {
    if (typeof navigator.share === "function") {
      await navigator.share({ url });
      return "shared";
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") return "cancelled";
    // Not allowed here (an embedded browser, the tap too long ago): copying the link still works.
  }
  try {
    await navigator.clipboard.writeText(url);
    return "copied";
  } catch {
    return "failed";
  }
}

/**
 * Inside Telegram a WebView ignores <a download> and file navigations: Telegram's own download
 * dialog (Bot API 8.0) saves the file, older clients open the link in the browser. Returns false
 * outside Telegram, where the caller's usual link or navigation does the job.
 */
export function downloadInTelegram(url: string, fileName: string): boolean {
  const app = telegramWebApp();
  if (!app) return false;
  const absolute = new URL(url, window.location.href).toString();
  if (app.downloadFile && app.isVersionAtLeast?.("8.0")) {
    app.downloadFile({ url: absolute, file_name: fileName });
    return true;
  }
  if (app.openLink) {
    app.openLink(absolute);
    return true;
  }
  return false;
}
