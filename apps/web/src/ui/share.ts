import type { Photo } from "./PhotoGrid.tsx";

/**
 * Shares the photo itself where the system share sheet takes files (phones), its link where it
 * takes only links, and otherwise copies the link.
 */
export async function sharePhoto(photo: Photo): Promise<"shared" | "copied" | "cancelled"> {
  const url = new URL(photo.imageUrl ?? "", window.location.href).toString();
  try {
    if (navigator.canShare) {
      const blob = await (await fetch(url)).blob();
      const file = new File([blob], `pinglass-${photo.id}.${blob.type.split("/")[1] ?? "jpg"}`, { type: blob.type });
      if (navigator.canShare({ files: [file] })) {
        await navigator.share({ files: [file] });
        return "shared";
      }
    }
    if (navigator.share) {
      await navigator.share({ url });
      return "shared";
    }
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") return "cancelled";
  }
  await navigator.clipboard.writeText(url);
  return "copied";
}
