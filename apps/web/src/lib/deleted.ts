/**
 * "Delete everything" ends in a page load that starts over as a new visitor; the next page says
 * what was deleted. The note lives in sessionStorage (this tab only) and is read once.
 */
const key = "pinglass.accountDeleted";

export function noteAccountDeleted() {
  try {
    sessionStorage.setItem(key, "1");
  } catch {
    // Storage blocked: the fresh start itself is the only sign.
  }
}

let taken: boolean | null = null;

/** True on the page that follows the deletion; read once per page load, so a reload says nothing more. */
export function takeAccountDeletedNote(): boolean {
  if (taken !== null) return taken;
  try {
    taken = sessionStorage.getItem(key) === "1";
    sessionStorage.removeItem(key);
  } catch {
    taken = false;
  }
  return taken;
}
