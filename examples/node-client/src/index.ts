// A PinGlass client in a plain Node project: `npm install @pinglass/client`, then
//   PINGLASS_URL=http://localhost:3000 npm run build && npm start -- ./my-selfies
// signs in with a new session, creates an avatar, uploads the JPEGs of a folder as its selfies and
// lists its photos. With PINGLASS_API_KEY set it uses that key instead of a session.
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { createPinglassClient, isTRPCClientError, type PinglassRouter } from "@pinglass/client";

const baseUrl = process.env.PINGLASS_URL ?? "http://localhost:3000";
const selfiesDir = process.argv[2] ?? "./selfies";

// A session for a new device (keep `deviceId` to sign in to the same account again), or an API key.
const apiKey = process.env.PINGLASS_API_KEY;
const token = apiKey ?? (await createPinglassClient({ baseUrl }).session.start.mutate({ deviceId: randomUUID() })).token;
const pinglass = createPinglassClient({ baseUrl, ...(apiKey ? { apiKey } : { token }), locale: "en" });

const avatar = await pinglass.avatars.create.mutate({ name: "From Node" });

// Selfies go up as multipart/form-data, the files in the field `files`: plain fetch.
const form = new FormData();
for (const name of (await readdir(selfiesDir)).filter((file) => /\.jpe?g$/i.test(file)).sort()) {
  form.append("files", new Blob([await readFile(join(selfiesDir, name))], { type: "image/jpeg" }), basename(name));
}
const uploaded = await fetch(`${baseUrl}/uploads/avatars/${avatar.id}/references`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
if (!uploaded.ok) throw new Error(`upload refused: ${uploaded.status} ${await uploaded.text()}`);
const selfies = (await uploaded.json()) as { accepted: { id: number }[]; rejected: { name: string; reason: string }[] };
for (const file of selfies.rejected) console.error(`${file.name}: ${file.reason}`);

// Typed answers: `createdAt` is an ISO 8601 string, `nextCursor` a number or null.
const page = await pinglass.photos.list.query({ avatarId: avatar.id, limit: 30 });
const newest: string | null = page.items[0]?.createdAt ?? null;

// A wrong input does not compile (the line below needs its @ts-expect-error), and the server
// refuses one anyway, naming the field.
let refusal: Record<string, string> | undefined;
try {
  // @ts-expect-error avatarId is a number
  await pinglass.photos.list.query({ avatarId: String(avatar.id) });
} catch (error) {
  if (!isTRPCClientError<PinglassRouter>(error)) throw error;
  refusal = error.data?.fieldErrors;
}

console.log(JSON.stringify({ avatarId: avatar.id, selfies: selfies.accepted.length, refused: selfies.rejected.length, photos: page.items.length, newest, refusal }));
