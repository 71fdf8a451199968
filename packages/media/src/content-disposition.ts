/**
 * A Content-Disposition header value with an ASCII fallback name and the exact UTF-8 name
 * (RFC 6266 / RFC 5987), so Cyrillic avatar names survive.
 */
export function contentDisposition(type: "attachment" | "inline", fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
