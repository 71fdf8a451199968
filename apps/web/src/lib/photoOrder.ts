/**
 * One order for photos everywhere: photosets newest first (as the server pages them), and within
 * a photoset the order its photos were made, which is the order the generation screen fills its
 * places in. So a photoset looks the same in its progress, in the gallery and in the lightbox.
 */
export function inPhotosetOrder<T extends { id: number; jobId: number | null }>(newestFirst: readonly T[]): T[] {
  const sets = new Map<number | null, T[]>();
  for (const photo of newestFirst) {
    const set = sets.get(photo.jobId);
    if (set) set.push(photo);
    else sets.set(photo.jobId, [photo]);
  }
  return [...sets.values()].flatMap((set) => set.sort((a, b) => a.id - b.id));
}
