import type { LookupAddress } from "node:dns";
import { DomainError } from "@pinglass/core";
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, isPublicAddress, type ResolveAll } from "./urls.ts";

const production = { allowPrivateAddresses: false };

/** A DNS that answers these names with these addresses (the system's resolver would need the network). */
const dns =
  (answers: Record<string, string[]>): ResolveAll =>
  async (hostname) => {
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

async function refusal(url: string, policy: Parameters<typeof checkWebhookUrl>[1]): Promise<string> {
  try {
    await checkWebhookUrl(url, policy);
  } catch (error) {
    if (error instanceof DomainError) return error.key;
    throw error;
  }
  return "accepted";
}

describe("webhook URLs", () => {
  it("are http(s) only, without credentials", async () => {
    for (const url of ["ftp://93.184.216.34/x", "file:///etc/passwd", "javascript:alert(1)", "not a url", "https://user:secret@93.184.216.34/", "gopher://93.184.216.34/"]) {
      expect(await refusal(url, production), url).toBe("errors.webhook.urlInvalid");
    }
    expect(await refusal("https://93.184.216.34/hooks", production)).toBe("accepted");
    expect(await refusal("http://93.184.216.34:8080/hooks?x=1", production)).toBe("accepted");
  });

  it("in production, never lead to loopback, private, link-local or other non-public addresses, however written", async () => {
    const inside = [
      "http://127.0.0.1/",
      "http://127.1.2.3:3000/",
      "http://0.0.0.0/",
      "http://10.0.0.5/",
      "http://172.16.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://100.64.0.1/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:7f00:1]/",
      "http://[fe80::1]/",
      "http://[fc00::1]/",
      "http://[64:ff9b::7f00:1]/",
      "http://2130706433/",
      "http://0x7f000001/",
      "http://017700000001/",
    ];
    for (const url of inside) expect(await refusal(url, production), url).toBe("errors.webhook.urlPrivate");
  });

  it("in production, refuse a name when any of its addresses is not public (checking every one)", async () => {
    const resolve = dns({ "hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"], "mixed.example.com": ["93.184.216.34", "10.0.0.7"], "localhost.example.com": ["127.0.0.1"] });
    expect(await refusal("https://hooks.example.com/pinglass", { ...production, resolve })).toBe("accepted");
    expect(await refusal("https://mixed.example.com/pinglass", { ...production, resolve })).toBe("errors.webhook.urlPrivate");
    expect(await refusal("https://localhost.example.com/pinglass", { ...production, resolve })).toBe("errors.webhook.urlPrivate");
    expect(await refusal("https://missing.example.com/pinglass", { ...production, resolve })).toBe("errors.webhook.urlUnresolvable");
    // The system's resolver: localhost is loopback.
    expect(await refusal("http://localhost:3000/hooks", production)).toBe("errors.webhook.urlPrivate");
  });

  it("may reach loopback and private addresses outside production (a receiver on the developer's machine)", async () => {
    expect(await refusal("http://127.0.0.1:4000/hooks", { allowPrivateAddresses: true })).toBe("accepted");
    expect(await refusal("http://localhost:4000/hooks", { allowPrivateAddresses: true })).toBe("accepted");
  });

  it("judge an IPv4-mapped IPv6 address as its IPv4 address", () => {
    expect(isPublicAddress("::ffff:93.184.216.34")).toBe(true);
    expect(isPublicAddress("::ffff:192.168.0.1")).toBe(false);
    expect(isPublicAddress("not an address")).toBe(false);
  });
});
